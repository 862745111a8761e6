from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "talentloop.core"
    label = "core"
