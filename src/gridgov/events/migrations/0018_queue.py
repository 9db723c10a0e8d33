# The queue's deadline and urgency sorts and its supervised filter (decision 0026): partial
# indexes of the events with a running deadline, soonest first, one for each branch of what a
# user reads; a worker's and a department's events newest first whatever their state; an
# area's closed urgent and critical events newest first; and the few supervised events.

from django.db import migrations, models

DUE = models.Q(("stage_due_at__isnull", False))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0017_whistle_deadlines"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=DUE, fields=["area", "stage_due_at", "id"], name="event_area_due"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=DUE, fields=["department", "stage_due_at", "id"], name="event_dept_due"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=DUE, fields=["assignee", "stage_due_at", "id"], name="event_assignee_due"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=DUE, fields=["urgency", "stage_due_at", "id"], name="event_urgency_due"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False)),
                fields=["assignee", "reported_at"],
                name="event_assignee_rep",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["department", "reported_at"],
                name="event_dept_rep",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("urgency__in", ["urgent", "critical"])),
                fields=["area", "urgency", "reported_at"],
                name="event_area_urgent_rep",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("supervised", True)),
                fields=["reported_at"],
                name="event_supervised_rep",
            ),
        ),
    ]
