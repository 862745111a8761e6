from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "talentloop.matching"
    label = "matching"

    def ready(self) -> None:
        # Registers the re-scoring of a job when it opens or changes (jobs.services hook).
        from talentloop.matching import services  # noqa: F401
