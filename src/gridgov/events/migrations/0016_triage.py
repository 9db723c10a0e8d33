# Triage at the desk (decision 0024): urgent subclasses and ready answers per subclass.

import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    from gridgov.events.catalog_data import URGENT, load_response_templates

    subclass = apps.get_model("events", "Subclass")
    subclass.objects.filter(code__in=URGENT).update(urgent=True)
    load_response_templates(apps.get_model("events", "ResponseTemplate"), subclass)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0015_loop_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="subclass",
            name="urgent",
            field=models.BooleanField(
                default=False, verbose_name="urgent (alarm, deadlines in calendar hours)"
            ),
        ),
        migrations.CreateModel(
            name="ResponseTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=80, verbose_name="title")),
                (
                    "public_reply",
                    models.TextField(
                        blank=True, max_length=1000, verbose_name="reply to the reporter"
                    ),
                ),
                (
                    "internal_note",
                    models.TextField(blank=True, max_length=1000, verbose_name="internal note"),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "subclass",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="response_templates",
                        to="events.subclass",
                        verbose_name="subclass",
                    ),
                ),
            ],
            options={
                "verbose_name": "response template",
                "verbose_name_plural": "response templates",
                "ordering": ["subclass__code", "title"],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
