from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ceangal.ledger"
    label = "ledger"
