"""Deletes in the back office go through the services: scoped, and refused when the
service refuses (an approved points entry stays), with an audit row for what went."""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from gridgov.party.models import PointEntry
from tests.backoffice.conftest import World, signed_in


def entry(world: World, side: str, status: str = PointEntry.Status.PENDING) -> PointEntry:
    return PointEntry.objects.create(
        member=getattr(world, side).member,
        rule=world.rule,
        points=world.rule.points,
        date=dt.date(2026, 1, 5),
        status=status,
    )


def delete_url(row: PointEntry) -> str:
    return f"/admin/party/pointentry/{row.pk}/delete/"


@pytest.mark.django_db
def test_a_pending_entry_is_deleted_with_an_audit_row(community_staff, world):
    row = entry(world, "inside")
    client = signed_in(community_staff)
    assert client.post(delete_url(row), {"post": "yes"}).status_code == 302
    assert not PointEntry.objects.filter(pk=row.pk).exists()
    assert LogEntry.objects.filter(
        actor=community_staff, object_pk=str(row.pk), action=LogEntry.Action.DELETE
    ).exists()


@pytest.mark.django_db
def test_an_approved_entry_stays(community_staff, world):
    row = entry(world, "inside", PointEntry.Status.APPROVED)
    response = signed_in(community_staff).post(delete_url(row), {"post": "yes"})
    assert response.status_code == 403
    assert PointEntry.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_an_entry_outside_the_area_is_not_deleted(community_staff, world):
    row = entry(world, "outside")
    client = signed_in(community_staff)
    client.post(delete_url(row), {"post": "yes"})
    client.post(
        "/admin/party/pointentry/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert PointEntry.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_the_bulk_delete_goes_through_the_service(community_staff, world):
    # The approved entry is the older one: the pending one comes first in the list.
    approved = entry(world, "inside", PointEntry.Status.APPROVED)
    pending = entry(world, "inside")
    PointEntry.objects.filter(pk=approved.pk).update(date=dt.date(2025, 1, 5))
    response = signed_in(community_staff).post(
        "/admin/party/pointentry/",
        {"action": "delete_selected", "_selected_action": [pending.pk, approved.pk], "post": "yes"},
    )
    assert response.status_code == 403  # the approved entry is refused: nothing is deleted
    assert PointEntry.objects.filter(pk__in=[pending.pk, approved.pk]).count() == 2
