from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "talentloop.matching"
    label = "matching"
