# The pools fixtures; registering talentloop.pools.tests.fixtures in the root conftest.py's
# pytest_plugins makes this file unnecessary.
from talentloop.pools.tests.fixtures import event_pool, pool, pool_factory, stages

__all__ = ["event_pool", "pool", "pool_factory", "stages"]
