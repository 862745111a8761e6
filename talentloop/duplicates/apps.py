from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "talentloop.duplicates"
    label = "duplicates"
