from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "ceangal.clients"
    label = "clients"
    verbose_name = "Clients and their records"

    def ready(self) -> None:
        from ceangal.clients import notices  # noqa: F401  (registers the client.* webhook events)
