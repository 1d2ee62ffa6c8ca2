"""Cases waiting for an incremental run move from a list on the schedule row to a row each."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def rows_from_lists(apps, schema_editor):
    schedule = apps.get_model("detection", "DetectionSchedule")
    pending = apps.get_model("detection", "PendingCase")
    for row in schedule.objects.exclude(pending_case_ids=[]):
        requested = row.last_requested_at or django.utils.timezone.now()
        pending.objects.bulk_create(
            [pending(region_id=row.region_id, case_id=i, requested_at=requested) for i in row.pending_case_ids],
            ignore_conflicts=True,
        )


def lists_from_rows(apps, schema_editor):
    schedule = apps.get_model("detection", "DetectionSchedule")
    pending = apps.get_model("detection", "PendingCase")
    for row in schedule.objects.all():
        row.pending_case_ids = sorted(pending.objects.filter(region_id=row.region_id).values_list("case_id", flat=True))
        row.save(update_fields=["pending_case_ids"])


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0001_initial"),
        ("geography", "0002_population_links_postcodes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingCase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("case_id", models.PositiveBigIntegerField()),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geography.area"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("region", "case_id"), name="detection_pending_case_once")
                ],
            },
        ),
        migrations.RunPython(rows_from_lists, lists_from_rows),
        migrations.RemoveField(model_name="detectionschedule", name="pending_case_ids"),
    ]
