from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ceangal.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from ceangal.referrals import receivers  # noqa: F401  (connects the signal receivers)
