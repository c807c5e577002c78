from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "ceangal.consent"
    label = "consent"
