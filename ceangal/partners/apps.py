from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "ceangal.partners"
    label = "partners"
    verbose_name = "Partnership, organisations and staff"
