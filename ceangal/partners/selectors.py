"""Reads of partner data (staff, organisations): not client data, so not behind the decision point."""

from __future__ import annotations

from django.db.models import QuerySet

from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role


def key_workers(*, organisation_id: int) -> list[StaffMember]:
    """Active key workers of one organisation, by name: who a client can be assigned to."""
    return list(
        StaffMember.objects.filter(organisation_id=organisation_id, role=Role.KEY_WORKER, active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


def partnership_organisations(*, actor: StaffMember) -> QuerySet[Organisation]:
    """The organisations of the actor's partnership, by name: the only ones a partner may name."""
    return Organisation.objects.filter(partnership_id=actor.organisation.partnership_id).order_by("name")
