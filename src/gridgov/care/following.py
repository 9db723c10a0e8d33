"""A person's groups follow them: when a resident's grid changes (a move between households,
an edit of their place), their live memberships take the new grid, so the old community
stops seeing them and the new one starts (the memberships copy the grid for scoped reads)."""

from gridgov.care.models import ResidentTag


def memberships_follow(sender, instance, update_fields=None, created=False, **kwargs) -> None:
    if created or (update_fields is not None and "area" not in update_fields):
        return
    ResidentTag.objects.filter(resident_id=instance.pk, ended_on__isnull=True).exclude(
        area_id=instance.area_id
    ).update(area_id=instance.area_id)
