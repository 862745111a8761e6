from __future__ import annotations

from django.tasks import task

from talentloop.search import services


@task()
def index_changed_candidates_task() -> int:
    """Index candidates changed behind the services' backs (imports, merges). Resumable."""
    return services.sweep_changed()


@task()
def send_saved_search_alerts_task() -> int:
    """Tell owners of alerting saved searches about new matches, once each."""
    return services.run_alerts()


@task()
def compact_index_task() -> int:
    """Merge the SQLite full-text index's segments in short steps (continues next hour)."""
    return services.compact_index()
