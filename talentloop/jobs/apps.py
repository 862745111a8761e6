from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "talentloop.jobs"
    label = "jobs"
