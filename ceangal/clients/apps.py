from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "ceangal.clients"
    label = "clients"
    verbose_name = "Clients and their records"
