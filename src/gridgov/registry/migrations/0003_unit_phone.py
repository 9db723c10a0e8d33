"""A unit's duty phone, shown with a tel: link on the dispatch panel of its linked grids
(the contact's mobile is personal data and stays masked for the command center)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_point"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=30,
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9][0-9 ()\\-]{1,24}[0-9](?:(?:转|-|,)[0-9]{1,6})?$",
                        code="bad_phone",
                        message="A duty phone has digits, spaces, dashes and brackets only (0888-5123456).",
                    )
                ],
                verbose_name="duty phone",
            ),
        ),
    ]
