from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "ceangal.rights"
    label = "rights"
    verbose_name = "Rights requests"
