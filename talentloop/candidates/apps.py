from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "talentloop.candidates"
    label = "candidates"
