from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "zhidu.groups"
    label = "groups"
