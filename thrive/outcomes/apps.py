from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "thrive.outcomes"
    label = "outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from thrive.outcomes import checks  # noqa: F401  (registers the settings checks)
