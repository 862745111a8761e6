from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "talentloop.search"
    label = "search"
