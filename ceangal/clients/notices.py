"""Telling recipients (UK GDPR Art 19): each organisation a client's data was disclosed to is told
when that data is corrected, erased or restricted, unless that proves impossible.

Who the recipients are is read from the access ledger by the rights app (it sits above the
ledger); here the notices are written, one row per organisation, in the caller's transaction,
with an email to the organisation's team (naming no client) and a webhook carrying ids only,
both sent after commit. A recipient's staff read their organisation's notices in Ceangal and mark
them read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.errors import NotFound, NotPermitted
from ceangal.notifications.events import register_event
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import emit, notify
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role

NOTICES_PATH = "/notices/recipient/"

WEBHOOK_EVENTS: dict[str, str] = {
    m.NoticeKind.RECTIFICATION: "client.rectified",
    m.NoticeKind.ERASURE: "client.erased",
    m.NoticeKind.RESTRICTION: "client.restricted",
    m.NoticeKind.RESTRICTION_LIFTED: "client.restriction_lifted",
}
register_event("client.rectified", "A client's information your organisation received was corrected (Art 19).")
register_event("client.erased", "A client's information your organisation received was erased (Art 19).")
register_event("client.restricted", "Processing of a client's information was restricted (Art 19).")
register_event("client.restriction_lifted", "A restriction of a client's information was lifted.")


def _team(organisation_id: int) -> list[StaffMember]:
    """Who hears of a notice: the organisation's team leaders, or its key workers if it has none."""
    staff = StaffMember.objects.filter(organisation_id=organisation_id, active=True).select_related(
        "user", "organisation__partnership"
    )
    leaders = [s for s in staff if s.role == Role.TEAM_LEADER]
    return leaders or [s for s in staff if s.role == Role.KEY_WORKER]


def notices_send(
    *,
    client: m.Client,
    organisation_ids: Iterable[int],
    kind: m.NoticeKind,
    request_id: uuid.UUID | None,
    category: str = "",
    fields_changed: Sequence[str] = (),
    from_organisation: Organisation | None = None,
) -> list[m.RecipientNotice]:
    """Write one notice per organisation, and tell each. Must run inside the change's transaction."""
    now = timezone.now()
    notices = [
        m.RecipientNotice.objects.create(
            client=client,
            organisation_id=organisation_id,
            kind=kind,
            request_id=request_id,
            category=category,
            fields_changed=list(fields_changed),
            sent_at=now,
        )
        for organisation_id in sorted(set(organisation_ids))
    ]
    context: dict[str, object] = {"count": 1}
    if from_organisation is not None:
        context["from_organisation"] = from_organisation.name
    for notice in notices:
        notify(
            NotificationKind.RECIPIENT_NOTICE,
            staff=_team(notice.organisation_id),
            link_path=NOTICES_PATH,
            context=context,
        )
        payload: dict[str, object] = {
            "notice_id": notice.pk,
            "client_id": client.pk,
            "status": str(kind),
            "sent_at": notice.sent_at,
            "link": NOTICES_PATH,
        }
        if request_id is not None:
            payload["request_id"] = request_id
        emit(WEBHOOK_EVENTS[kind], organisation_ids=[notice.organisation_id], payload=payload)
    return notices


def can_read_notices(actor: StaffMember) -> bool:
    return actor.active and (Role(actor.role) in CASEWORK_ROLES or actor.role in (Role.DPO, Role.ORG_ADMIN))


def notices_for(actor: StaffMember, *, unread_only: bool = False) -> QuerySet[m.RecipientNotice]:
    """The notices sent to the actor's organisation, newest first (nothing for other roles)."""
    if not can_read_notices(actor):
        return m.RecipientNotice.objects.none()
    rows = m.RecipientNotice.objects.filter(organisation_id=actor.organisation_id).select_related("client")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def notice_mark_read(*, actor: StaffMember, notice_id: int) -> m.RecipientNotice:
    if not can_read_notices(actor):
        raise NotPermitted("Your role does not receive notices about clients' information.")
    notice = m.RecipientNotice.objects.filter(pk=notice_id, organisation_id=actor.organisation_id).first()
    if notice is None:
        raise NotFound("No such notice.")
    if notice.read_at is not None:
        return notice
    with transaction.atomic():
        m.RecipientNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=actor
        )
        notice.refresh_from_db()
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="recipient_notice.read",
            object_type="recipient_notice",
            object_id=notice.pk,
            client_id=notice.client_id,
        )
    return notice
