from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "thrive.surveillance"
    label = "surveillance"
    default_auto_field = "django.db.models.BigAutoField"
