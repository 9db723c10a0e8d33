# The worker app's receipts of actions sent from the phone (decision 0023): a client UUID
# sent twice is applied once.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_queue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ActionReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client_uuid", models.UUIDField(unique=True, verbose_name="client UUID")),
                ("action", models.CharField(max_length=30, verbose_name="action")),
                (
                    "version",
                    models.PositiveIntegerField(verbose_name="event version after the action"),
                ),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="time")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="events.event",
                        verbose_name="event",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "action receipt",
                "verbose_name_plural": "action receipts",
            },
        ),
    ]
