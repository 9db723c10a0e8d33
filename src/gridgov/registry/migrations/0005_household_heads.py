"""Every household gets its head (户主) from the relation recorded on its people."""

from django.db import migrations


def heads_from_relations(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    Resident = apps.get_model("registry", "Resident")
    heads = {}
    for resident_id, household_id in (
        Resident.objects.filter(household__isnull=False, relation__in=["户主", "本人"])
        .order_by("-id")
        .values_list("id", "household_id")
        .iterator()
    ):
        heads[household_id] = resident_id
    pending = []
    for household in Household.objects.filter(id__in=list(heads)).only("id").iterator():
        household.head_id = heads[household.id]
        pending.append(household)
        if len(pending) >= 2000:
            Household.objects.bulk_update(pending, ["head"])
            pending = []
    Household.objects.bulk_update(pending, ["head"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_homes_and_their_history")]

    operations = [migrations.RunPython(heads_from_relations, migrations.RunPython.noop)]
