from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "talentloop.accounts"
    label = "accounts"
