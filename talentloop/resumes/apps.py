from django.apps import AppConfig


class ResumesConfig(AppConfig):
    name = "talentloop.resumes"
    label = "resumes"
