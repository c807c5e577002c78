from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "ceangal.consent"
    label = "consent"

    def ready(self) -> None:
        from ceangal.consent import receivers  # noqa: F401  (connects the erasure receivers)
