"""The database itself refuses updates and deletes of audit entries (see thrive.core.audit_triggers)."""

from django.conf import settings
from django.db import migrations

from thrive.core import audit_triggers


def install(apps, schema_editor):
    if getattr(settings, "AUDIT_TRIGGERS", True):
        audit_triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    audit_triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
