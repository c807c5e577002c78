"""Reading referrals: only their two organisations' caseworkers see one; the recipient reads the
packet through the decision point (recorded in the ledger); the referrer sees the outcome (closed
loop) and the client's progress only as far as the decision point allows."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.errors import NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES
from ceangal.policy import selectors
from ceangal.policy.packets import Progress, progress_with, sections_of
from ceangal.policy.purposes import Purpose
from ceangal.policy.selectors import SectionView
from ceangal.reference.categories import DataCategory
from ceangal.referrals.models import PENDING, Message, ProvisionGap, Referral, ReferralEvent, ReferralStatus
from ceangal.referrals.workdays import working_days_between


def _require_casework(actor: StaffMember) -> None:
    if not actor.active or actor.role not in CASEWORK_ROLES:
        raise NotPermitted("Only key workers and team leaders work on referrals.")


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "service", "from_organisation", "to_organisation", "created_by__user", "receiving_key_worker__user", "client"
    )


def referral_for(*, actor: StaffMember, referral_id: object) -> Referral:
    """A referral the actor's organisation sent or received; any other is NotFound."""
    _require_casework(actor)
    try:
        key = referral_id if isinstance(referral_id, uuid.UUID) else uuid.UUID(str(referral_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound("No such referral.") from None
    referral = (
        _base()
        .filter(pk=key)
        .filter(Q(from_organisation_id=actor.organisation_id) | Q(to_organisation_id=actor.organisation_id))
        .first()
    )
    # A draft is the referrer's own: the recipient does not know of it.
    if referral is None or (
        referral.status == ReferralStatus.DRAFT and referral.from_organisation_id != actor.organisation_id
    ):
        raise NotFound("No such referral.")
    return referral


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    direction: str  # "sent" or "received"
    overdue: bool
    working_days_waiting: int | None


def _row(referral: Referral, actor: StaffMember, today: dt.date) -> ReferralRow:
    waiting = None
    if referral.status in PENDING and referral.sent_at:
        waiting = working_days_between(timezone.localtime(referral.sent_at).date(), today)
    overdue = bool(referral.status == ReferralStatus.SENT and referral.answer_due_on and referral.answer_due_on < today)
    direction = "sent" if referral.from_organisation_id == actor.organisation_id else "received"
    return ReferralRow(referral=referral, direction=direction, overdue=overdue, working_days_waiting=waiting)


def referral_list(
    *, actor: StaffMember, direction: str = "received", status: str = "", client_id: uuid.UUID | str | None = None
) -> list[ReferralRow]:
    """The actor's organisation's referrals, received (drafts excluded) or sent; waiting ones first."""
    _require_casework(actor)
    rows = _base()
    if direction == "sent":
        rows = rows.filter(from_organisation_id=actor.organisation_id)
    else:
        rows = rows.filter(to_organisation_id=actor.organisation_id).exclude(status=ReferralStatus.DRAFT)
    if status:
        rows = rows.filter(status=status)
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    today = timezone.localdate()
    found = [_row(r, actor, today) for r in rows.order_by("-created_at")[:500]]
    found.sort(key=lambda r: (r.referral.status not in PENDING, not r.overdue))
    return found


@dataclass(frozen=True)
class EventRow:
    kind: str
    label: str
    at: dt.datetime
    by: str
    organisation: str
    note: str
    since_previous: dt.timedelta | None


@dataclass(frozen=True)
class ReferralView:
    referral: Referral
    direction: str
    overdue: bool
    events: list[EventRow]
    messages: list[Message]
    # For the recipient while the referral waits: the packet, read through the decision point.
    packet: list[SectionView] = field(default_factory=list)
    client_name: str = ""
    # For the referrer: the client's progress with the recipient, as far as the decision allows.
    progress: Progress | None = None
    time_to_answer: dt.timedelta | None = None

    @property
    def categories(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.referral.categories]


def _staff_name(member: StaffMember | None) -> str:
    if member is None:
        return "Ceangal"
    user = member.user
    return f"{user.first_name} {user.last_name}".strip() or user.email


def _name(actor: StaffMember, referral: Referral, purpose: Purpose, channel: Channel | str) -> str:
    """The client's name as the decision point lets the actor see it (recorded when shown), else
    the reference."""
    try:
        record = selectors.client_record(
            actor=actor, client_id=referral.client_id, purpose=purpose, sections=["identity"], channel=channel
        )
    except (NotFound, NotPermitted):
        return referral.client.reference
    return record.display_name


def referral_view(*, actor: StaffMember, referral_id: object, channel: Channel | str = Channel.PAGE) -> ReferralView:
    """A referral as one of its parties sees it. The recipient's reading of the packet and the
    referrer's of the client's progress are recorded in the access ledger."""
    referral = referral_for(actor=actor, referral_id=referral_id)
    today = timezone.localdate()
    row = _row(referral, actor, today)
    events = [
        EventRow(
            kind=e.kind,
            label=e.get_kind_display(),
            at=e.at,
            by=_staff_name(e.by),
            organisation=e.by_organisation.name if e.by_organisation else "",
            note=e.note,
            since_previous=e.since_previous,
        )
        for e in ReferralEvent.objects.filter(referral=referral).select_related("by__user", "by_organisation")
    ]
    messages = thread(referral)
    packet: list[SectionView] = []
    name = ""
    progress: Progress | None = None
    with transaction.atomic():
        if row.direction == "received" and referral.status in PENDING:
            record = selectors.client_record(
                actor=actor,
                client_id=referral.client_id,
                purpose=Purpose.REFERRAL,
                sections=[s.key for s in sections_of(referral.categories)] or ["identity"],
                channel=channel,
            )
            packet = [s for s in record.sections if s.category in set(referral.categories)]
            name = record.display_name
        elif row.direction == "received" and referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
            # Now working with the client: their name as the decision point allows (the record page
            # has the rest).
            name = _name(actor, referral, Purpose.SUPPORT_COORDINATION, channel)
        elif row.direction == "sent":
            name = _name(actor, referral, Purpose.REFERRAL, channel)
            if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED):
                try:
                    progress = progress_with(
                        actor=actor, client_id=referral.client_id, organisation_id=referral.to_organisation_id
                    )
                except (NotFound, NotPermitted) as refused:
                    progress = Progress(reason=str(refused))
    answered = referral.answered_at - referral.sent_at if referral.answered_at and referral.sent_at else None
    return ReferralView(
        referral=referral,
        direction=row.direction,
        overdue=row.overdue,
        events=events,
        messages=messages,
        packet=packet,
        client_name=name or referral.client.reference,
        progress=progress,
        time_to_answer=answered,
    )


def thread(referral: Referral) -> list[Message]:
    """The messages about a referral, oldest first (for one of its parties: see referral_for)."""
    return list(Message.objects.filter(referral=referral).select_related("sent_by__user", "from_organisation"))


def client_messages(*, actor: StaffMember, client_id: object) -> list[Message]:
    """Messages about a client (not about a referral) to or from the actor's organisation."""
    _require_casework(actor)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=Purpose.SUPPORT_COORDINATION)
    return list(
        Message.objects.filter(client=client, referral__isnull=True)
        .filter(Q(from_organisation_id=actor.organisation_id) | Q(to_organisation_id=actor.organisation_id))
        .select_related("sent_by__user", "from_organisation", "to_organisation")
    )


def inbox(*, actor: StaffMember) -> list[Message]:
    """Messages to or from the actor's organisation, newest first (bodies are shown on their thread)."""
    _require_casework(actor)
    return list(
        Message.objects.filter(
            Q(from_organisation_id=actor.organisation_id) | Q(to_organisation_id=actor.organisation_id)
        )
        .select_related("sent_by__user", "from_organisation", "to_organisation", "referral", "client")
        .order_by("-sent_at")[:200]
    )


def unread_count(actor: StaffMember) -> int:
    return Message.objects.filter(to_organisation_id=actor.organisation_id, read_at__isnull=True).count()


def gap_list(*, actor: StaffMember, need: str = "", stage: str = "") -> list[ProvisionGap]:
    """The partnership's gaps in provision, newest first (partnership information, no client data)."""
    rows = ProvisionGap.objects.filter(partnership_id=actor.organisation.partnership_id).select_related(
        "organisation", "recorded_by__user"
    )
    if need:
        rows = rows.filter(need=need)
    if stage:
        rows = rows.filter(stage=stage)
    return list(rows[:1000])


# -- for the staff pages (counts in the header, the people and partners a form offers) -----------


def waiting_count(actor: StaffMember) -> int:
    """Referrals waiting for the actor's organisation to answer (one COUNT query)."""
    return Referral.objects.filter(to_organisation_id=actor.organisation_id, status=ReferralStatus.SENT).count()


def receiving_staff(*, actor: StaffMember) -> list[StaffMember]:
    """Who in the actor's organisation a referral can be accepted for: active key workers and team
    leaders, by name."""
    return list(
        StaffMember.objects.filter(organisation_id=actor.organisation_id, role__in=CASEWORK_ROLES, active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


def message_partners(*, actor: StaffMember, client_id: object) -> list[tuple[int, str]]:
    """The other organisations working with a client (a live engagement), as (id, name), by name:
    whom the actor may write to about the client. NotFound if the actor may not act on the client."""
    _require_casework(actor)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=Purpose.SUPPORT_COORDINATION)
    rows = (
        cm.Engagement.objects.filter(client=client, status__in=cm.LIVE_ENGAGEMENT_STATUSES)
        .exclude(organisation_id=actor.organisation_id)
        .values_list("organisation_id", "organisation__name")
        .distinct()
        .order_by("organisation__name")
    )
    return [(org_id, name) for org_id, name in rows]
