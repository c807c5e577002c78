from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "ceangal.policy"
    label = "policy"
    verbose_name = "Policy decision point"
