"""Encrypt events' private organiser contact under a data subject of each event's own.

The plaintext columns are renamed, every existing event gets a subject and its contact is copied into the new
encrypted columns, then the plaintext columns are dropped: nothing is lost and nothing stays in the clear.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import thrive.core.crypto


def encrypt_existing(apps, schema_editor):
    from thrive.core.crypto import keys

    subjects = apps.get_model("core", "DataSubject")
    events = apps.get_model("directory", "Event")
    for event in events.objects.filter(subject__isnull=True).iterator():
        subject_id = uuid.uuid4()
        data_key = keys.new_data_key()
        master = keys.current_master_key()
        subjects.objects.create(
            id=subject_id,
            wrapped_key=keys.wrap_data_key(data_key, subject_id=subject_id, master=master),
            master_key_id=master.key_id,
        )
        event.subject_id = subject_id
        event.organiser_email = event.organiser_email_plain
        event.organiser_phone = event.organiser_phone_plain
        event.save(update_fields=["subject", "organiser_email", "organiser_phone"])


def decrypt_back(apps, schema_editor):
    events = apps.get_model("directory", "Event")
    for event in events.objects.iterator():
        event.organiser_email_plain = event.organiser_email
        event.organiser_phone_plain = event.organiser_phone
        event.save(update_fields=["organiser_email_plain", "organiser_phone_plain"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_datasubject"),
        ("directory", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("event", "organiser_email", "organiser_email_plain"),
        migrations.RenameField("event", "organiser_phone", "organiser_phone_plain"),
        migrations.AddField(
            model_name="event",
            name="subject",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.datasubject"
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="organiser_email",
            field=thrive.core.crypto.EncryptedCharField(
                default="", help_text="For moderators only; never shown", max_length=254, subject_field="subject"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="organiser_phone",
            field=thrive.core.crypto.EncryptedCharField(
                blank=True, default="", help_text="For moderators only; never shown", max_length=40, subject_field="subject"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_existing, decrypt_back),
        migrations.RemoveField("event", "organiser_email_plain"),
        migrations.RemoveField("event", "organiser_phone_plain"),
        migrations.AlterField(
            model_name="event",
            name="subject",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.datasubject"
            ),
        ),
    ]
