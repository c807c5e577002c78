from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ceangal.web"
    label = "web"
    verbose_name = "Staff pages"
