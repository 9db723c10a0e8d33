# Reserved in the chain so that parallel work on the loop, triage, whistles and the queue
# each fills its own migration (operations added when the models change).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0018_queue"),
    ]

    operations = []
