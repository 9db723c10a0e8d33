# Whistles timed end to end (decision 0025): the action and report-back deadlines, the
# action step, the sweep's warning flags and the whistling level's rating on each summons.

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The defaults of whistles.DEFAULT_DEADLINES at the time of writing (hours after the whistle):
# summonses made before deadlines existed get these, so the chain shows them timed too.
LEGACY_HOURS = {
    "community": (24, 72),
    "street": (48, 120),
    "district": (72, 168),
}


def fill_deadlines(apps, schema_editor):
    Summons = apps.get_model("events", "Summons")
    for summons in Summons.objects.select_related("whistle").filter(action_due_at__isnull=True):
        action, report = LEGACY_HOURS.get(summons.whistle.level, (24, 72))
        start = summons.whistle.at
        Summons.objects.filter(pk=summons.pk).update(
            action_due_at=start + dt.timedelta(hours=action),
            report_due_at=start + dt.timedelta(hours=report),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0016_triage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="summons",
            name="action_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="acted at"),
        ),
        migrations.AddField(
            model_name="summons",
            name="action_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="acted by",
            ),
        ),
        migrations.AddField(
            model_name="summons",
            name="action_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="action due"),
        ),
        migrations.AddField(
            model_name="summons",
            name="action_note",
            field=models.TextField(blank=True, verbose_name="action taken"),
        ),
        migrations.AddField(
            model_name="summons",
            name="rated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="rated at"),
        ),
        migrations.AddField(
            model_name="summons",
            name="rated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="rated by",
            ),
        ),
        migrations.AddField(
            model_name="summons",
            name="rating",
            field=models.CharField(
                blank=True,
                choices=[("good", "Good"), ("adequate", "Adequate"), ("poor", "Poor")],
                max_length=10,
                verbose_name="rating",
            ),
        ),
        migrations.AddField(
            model_name="summons",
            name="rating_note",
            field=models.TextField(blank=True, verbose_name="rating note"),
        ),
        migrations.AddField(
            model_name="summons",
            name="report_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="report-back due"),
        ),
        migrations.AddField(
            model_name="summons",
            name="warned",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="warnings sent"),
        ),
        migrations.RunPython(fill_deadlines, migrations.RunPython.noop),
    ]
