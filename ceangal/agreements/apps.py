from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "ceangal.agreements"
    label = "agreements"
