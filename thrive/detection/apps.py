from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "thrive.detection"
    label = "detection"
    default_auto_field = "django.db.models.BigAutoField"
