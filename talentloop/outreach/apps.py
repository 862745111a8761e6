from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "talentloop.outreach"
    label = "outreach"
