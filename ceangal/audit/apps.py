from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ceangal.audit"
    label = "audit"
    verbose_name = "Audit trail"
