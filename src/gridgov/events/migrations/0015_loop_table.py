# The loop table (decision 0021): satisfaction on the national five-level scale. The three
# values stored before keep their meaning, so no data changes; the field only grows to hold
# "very_dissatisfied" and offers the two new choices.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0014_reads_at_scale_filters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="satisfaction",
            field=models.CharField(
                blank=True,
                choices=[
                    ("very_satisfied", "Very satisfied"),
                    ("satisfied", "Satisfied"),
                    ("basically", "Basically satisfied"),
                    ("dissatisfied", "Dissatisfied"),
                    ("very_dissatisfied", "Very dissatisfied"),
                ],
                max_length=20,
                verbose_name="satisfaction",
            ),
        ),
    ]
