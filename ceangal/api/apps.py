from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ceangal.api"
    label = "api"
    verbose_name = "API"
