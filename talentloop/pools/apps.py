from django.apps import AppConfig


class PoolsConfig(AppConfig):
    name = "talentloop.pools"
    label = "pools"
