from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "talentloop.compliance"
    label = "compliance"
