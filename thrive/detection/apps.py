from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "thrive.detection"
    label = "detection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A saved case asks for a debounced incremental run once its transaction commits.
        from thrive.detection import receivers  # noqa: F401
