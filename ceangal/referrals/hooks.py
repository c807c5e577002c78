"""What a referral's steps tell people and partner systems: emails that name no client, and
webhooks that carry identifiers and a link, never the packet. Both go out only once the step's
transaction commits (the notifications app sees to that)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from ceangal.notifications.services import NotificationKind, emit, notify
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.referrals.models import Referral


def referral_link(referral: Referral) -> str:
    return reverse("web:referral_detail", args=[referral.pk])


def _staff(organisation_id: int, roles: Iterable[Role]) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(organisation_id=organisation_id, role__in=list(roles), active=True).select_related(
            "user", "organisation__partnership"
        )
    )


def receiving_team(referral: Referral) -> list[StaffMember]:
    """Who triages a new referral: the receiving organisation's team leaders, or, where it has
    none, its key workers."""
    leaders = _staff(referral.to_organisation_id, [Role.TEAM_LEADER])
    return leaders or _staff(referral.to_organisation_id, [Role.KEY_WORKER])


def _payload(referral: Referral, **extra: object) -> dict[str, object]:
    return {
        "referral_id": str(referral.pk),
        "status": str(referral.status),
        "from_organisation_id": referral.from_organisation_id,
        "to_organisation_id": referral.to_organisation_id,
        "service_id": referral.service_id,
        "link": referral_link(referral),
        **extra,
    }


def _organisations(referral: Referral) -> dict[str, object]:
    return {"from_organisation": referral.from_organisation.name, "to_organisation": referral.to_organisation.name}


def _status(referral: Referral) -> dict[str, object]:
    word = "started" if referral.status == "accepted" and referral.started_on else referral.get_status_display()
    return {**_organisations(referral), "status": str(word).lower()}


def referral_sent(referral: Referral) -> None:
    notify(
        NotificationKind.NEW_REFERRAL,
        staff=receiving_team(referral),
        link_path=referral_link(referral),
        context=_organisations(referral),
    )
    emit(
        "referral.created",
        organisation_ids=[referral.to_organisation_id, referral.from_organisation_id],
        payload=_payload(referral),
    )


def referral_answered(referral: Referral, *, webhook: str | None) -> None:
    """Tell the referrer their referral changed (accepted, declined, question asked, completed)."""
    notify(
        NotificationKind.REFERRAL_UPDATED,
        staff=[referral.created_by],
        link_path=referral_link(referral),
        context=_status(referral),
    )
    if webhook:
        emit(
            webhook,
            organisation_ids=[referral.from_organisation_id, referral.to_organisation_id],
            payload=_payload(referral),
        )


def referral_info_given(referral: Referral) -> None:
    recipients = [referral.receiving_key_worker] if referral.receiving_key_worker else receiving_team(referral)
    notify(
        NotificationKind.REFERRAL_UPDATED,
        staff=recipients,
        link_path=referral_link(referral),
        context=_status(referral),
    )


def referral_withdrawn(referral: Referral) -> None:
    """The receiving organisation learns that a referral waiting with it was withdrawn."""
    notify(
        NotificationKind.REFERRAL_UPDATED,
        staff=[referral.receiving_key_worker] if referral.receiving_key_worker else receiving_team(referral),
        link_path=referral_link(referral),
        context=_status(referral),
    )


def referral_overdue(referral: Referral) -> None:
    notify(
        NotificationKind.REFERRAL_WAITING,
        staff=_staff(referral.to_organisation_id, [Role.TEAM_LEADER]) or receiving_team(referral),
        link_path=referral_link(referral),
        context=_organisations(referral),
    )
    notify(
        NotificationKind.REFERRAL_OVERDUE_SENT,
        staff=[referral.created_by],
        link_path=referral_link(referral),
        context=_organisations(referral),
    )


def consent_withdrawn(*, client_id: object, organisation_ids: Iterable[int], recorded_by: int) -> None:
    """Partner systems of the organisations the withdrawal names learn of it (identifiers only)."""
    ids = sorted(set(organisation_ids) | {recorded_by})
    emit(
        "consent.withdrawn",
        organisation_ids=ids,
        payload={"client_id": str(client_id), "organisation_ids": ids},
    )


def message_sent(staff: Iterable[StaffMember], link_path: str) -> None:
    notify(NotificationKind.NEW_MESSAGE, staff=list(staff), link_path=link_path)
