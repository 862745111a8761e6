from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "talentloop.imports"
    label = "imports"
