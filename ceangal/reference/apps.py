from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "ceangal.reference"
    label = "reference"
    verbose_name = "Reference data"
