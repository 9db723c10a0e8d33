"""The day grid workers were last warned of an overdue visit (one warning per day)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("care", "0002_groups_as_communities_keep_them")]

    operations = [
        migrations.AddField(
            model_name="residenttag",
            name="overdue_warned_on",
            field=models.DateField(blank=True, null=True, verbose_name="overdue warned on"),
        ),
    ]
