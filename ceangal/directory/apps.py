from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ceangal.directory"
    label = "directory"
    verbose_name = "Service directory"
