from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ceangal.notifications"
    label = "notifications"
    verbose_name = "Notifications and webhooks"
