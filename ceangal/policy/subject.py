"""The one door for the data subject's own reads: what a signed-in client sees about themselves.

A client reading their own record is not a disclosure to a partner, so there is no decision over
agreements or consent here and nothing is written to the access ledger (the portal audits the
read instead); what matters is that the client id comes only from the portal session
(ceangal.portal.access.client_page) and that each function returns that client's data and nobody
else's. A client sees all of their own data, special-category included: it is theirs.

Referrals and rights requests sit above this app, so the client's own reads of those are in
ceangal.rights.subject.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from ceangal.clients import models as m
from ceangal.clients.matching import client_ids_merged_into
from ceangal.clients.sections import SECTIONS
from ceangal.consent.models import ConsentEvent, ConsentRecord, ConsentScope, EventKind
from ceangal.errors import NotFound
from ceangal.ledger.models import Channel, LedgerEntry
from ceangal.partners.models import Organisation, OrganisationType, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.facts import client_engagements, consent_facts
from ceangal.policy.models import BreakGlassGrant, BreakGlassGround
from ceangal.policy.selectors import _code_labels, _display, _section_query
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose

DISCLOSURES_PER_PAGE = 20
RECENT_DAYS = 30


def long_date(day: dt.date | dt.datetime) -> str:
    """3 March 2027: the way a date reads in a sentence (the month in the client's language)."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return date_format(day, "j F Y")


def in_words(parts: Sequence[str]) -> str:
    """a, b and c."""
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


# What a client reads for each category inside a sentence ("saw your qualifications").
def category_words(category: str) -> str:
    words = {
        DataCategory.IDENTITY: _("your name and identity details"),
        DataCategory.CONTACT: _("your contact details"),
        DataCategory.DEMOGRAPHICS: _("your equality information"),
        DataCategory.QUALIFICATIONS: _("your qualifications"),
        DataCategory.EXPERIENCE: _("your work history and background"),
        DataCategory.SUPPORT_NEEDS: _("your support needs"),
        DataCategory.HEALTH: _("your health and disability information"),
        DataCategory.CONVICTIONS: _("your convictions"),
        DataCategory.CARING: _("your caring and family information"),
        DataCategory.BENEFITS: _("your benefits"),
        DataCategory.JOURNEY: _("your progress and activities"),
        DataCategory.OUTCOMES: _("your outcomes, such as jobs and courses"),
        DataCategory.DOCUMENTS: _("your documents"),
    }
    try:
        return words[DataCategory(category)]
    except ValueError:
        return category


def purpose_name(purpose: str) -> str:
    """A purpose as a client would name it ("Coordinating your support")."""
    names = {
        Purpose.SUPPORT_COORDINATION: _("Coordinating your support"),
        Purpose.REFERRAL: _("Referring you to another service"),
        Purpose.PROGRESS_MONITORING: _("Checking your progress and reporting to funders"),
        Purpose.EVALUATION: _("Finding out how well services work"),
        Purpose.PROMOTION: _("Telling you about training and opportunities"),
        Purpose.SAFEGUARDING: _("Keeping you or someone else safe"),
    }
    try:
        return names[Purpose(purpose)]
    except ValueError:
        return purpose


# Why, as the end of a sentence ("..., to coordinate your support").
def purpose_words(purpose: str) -> str:
    words = {
        Purpose.SUPPORT_COORDINATION: _("to coordinate your support"),
        Purpose.REFERRAL: _("for a referral to one of their services"),
        Purpose.PROGRESS_MONITORING: _("to check your progress and report to the people who fund the support"),
        Purpose.EVALUATION: _("to find out how well services work"),
        Purpose.PROMOTION: _("to tell you about training and opportunities"),
        Purpose.SAFEGUARDING: _("to keep you or someone else safe"),
    }
    try:
        return words[Purpose(purpose)]
    except ValueError:
        return _("for this reason: %(purpose)s") % {"purpose": purpose}


def _role_words(role: str) -> str:
    words = {
        Role.KEY_WORKER: _("A key worker"),
        Role.TEAM_LEADER: _("A team leader"),
        Role.DPO: _("A data protection officer"),
        Role.ORG_ADMIN: _("An administrator"),
        Role.ANALYST: _("An analyst"),
        Role.AUDITOR: _("An auditor"),
    }
    try:
        return words[Role(role)]
    except ValueError:
        return _("Someone")


# -- home -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectHome:
    reference: str
    organisations: list[str]
    seen_recently: int = 0  # organisations that saw or received the client's information lately
    consents_in_force: int = 0
    consents: int = 0


def _subject(client_id: uuid.UUID) -> m.Client:
    client = m.Client.objects.filter(pk=client_id, merged_into__isnull=True, erased_at__isnull=True).first()
    if client is None:
        raise NotFound("No such client.")
    return client


def _ledger_ids(client_id: uuid.UUID) -> list[uuid.UUID]:
    # Entries keep the id they were written with: a record merged into this one keeps its own.
    return [client_id, *client_ids_merged_into(client_id)]


def subject_home(client_id: uuid.UUID) -> SubjectHome:
    """The client's reference, the organisations working with them now, and the counts the home
    page shows beside its links."""
    client = _subject(client_id)
    names = (
        m.Engagement.objects.filter(client=client, status__in=m.LIVE_ENGAGEMENT_STATUSES)
        .values_list("organisation__name", flat=True)
        .order_by("organisation__name")
        .distinct()
    )
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    seen = (
        LedgerEntry.objects.filter(client_id__in=_ledger_ids(client.pk), at__gte=since)
        .values("organisation_id")
        .distinct()
        .count()
    )
    consents = subject_consents(client.pk)
    return SubjectHome(
        reference=client.reference,
        organisations=list(names),
        seen_recently=seen,
        consents_in_force=sum(1 for c in consents if c.in_force),
        consents=len(consents),
    )


# -- what is held ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldItem:
    values: list[tuple[str, str]]  # (label, value in words), only the fields that hold something
    supplied_by: str
    changed_at: dt.datetime


@dataclass(frozen=True)
class HeldSection:
    key: str
    label: str
    category: DataCategory
    items: list[HeldItem] = field(default_factory=list)


# Beside a section's own fields, these are worth telling the client (a document's file name).
_EXTRA_LABELS = {"original_name": "File name", "week": "Week", "due_on": "Due"}


def subject_information(client_id: uuid.UUID) -> list[HeldSection]:
    """Every section of the client's record with every item in it, in words (code labels, not
    codes), each with the organisation that supplied it and when it last changed."""
    client = _subject(client_id)
    labels = _code_labels(list(SECTIONS))
    sections: list[HeldSection] = []
    for spec in SECTIONS:
        items: list[HeldItem] = []
        for row in _section_query(spec).rows(client_id=client.pk):
            shown = _display(spec, row, labels)
            values = [(_(f.label), _shown(shown[f.name])) for f in spec.fields if shown.get(f.name)]
            for name, label in _EXTRA_LABELS.items():
                if row.get(name) not in (None, ""):
                    value = row[name]
                    values.append((_(label), long_date(value) if isinstance(value, dt.date) else str(value)))
            items.append(
                HeldItem(
                    values=values,
                    supplied_by=row["supplied_by__name"],
                    changed_at=row["updated_at"] or row["recorded_at"],
                )
            )
        sections.append(HeldSection(key=spec.key, label=_(spec.label), category=spec.category, items=items))
    return sections


def _shown(value: str) -> str:
    return {"Yes": _("Yes"), "No": _("No")}.get(value, value)


def section_choices() -> list[tuple[str, str]]:
    return [(spec.key, _(spec.label)) for spec in SECTIONS]


# -- who has seen it ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenBy:
    at: dt.datetime
    organisation: str
    sentence: str
    emergency: str  # the ground of an emergency (break-glass) access, in words; "" otherwise


@dataclass(frozen=True)
class SeenPage:
    entries: list[SeenBy]
    page: Page[LedgerEntry]
    organisations: list[tuple[int, str]]  # every organisation in the client's ledger, for the filter
    organisation_id: int | None


def subject_disclosures(client_id: uuid.UUID, *, page: int | str = 1, organisation_id: int | None = None) -> SeenPage:
    """Who has seen or received the client's information, newest first, a page at a time, from
    the access ledger. The person is described by their role, or also by name where the
    partnership chose that (CEANGAL_PORTAL_SHOW_VIEWER_NAMES)."""
    client = _subject(client_id)
    entries = LedgerEntry.objects.filter(client_id__in=_ledger_ids(client.pk))
    organisation_ids = set(entries.values_list("organisation_id", flat=True).distinct())
    names = dict(Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name"))
    organisations = sorted(((pk, names.get(pk, _("A partner organisation"))) for pk in organisation_ids), key=_second)
    if organisation_id is not None and organisation_id in organisation_ids:
        entries = entries.filter(organisation_id=organisation_id)
    else:
        organisation_id = None
    found = Paginator(entries.order_by("-at", "-id"), DISCLOSURES_PER_PAGE).get_page(page)
    rows = list(found.object_list)
    staff = {
        s.pk: s for s in StaffMember.objects.filter(pk__in={r.actor_staff_id for r in rows}).select_related("user")
    }
    grounds = _grounds(rows)
    return SeenPage(
        entries=[_seen_by(row, names, staff, grounds) for row in rows],
        page=found,
        organisations=organisations,
        organisation_id=organisation_id,
    )


def _category_order(category: str) -> int:
    values = list(DataCategory.values)
    return values.index(category) if category in values else len(values)


def _second(pair: tuple[int, str]) -> str:
    return pair[1]


def _grounds(rows: Iterable[LedgerEntry]) -> dict[int, str]:
    ids = {b.get("break_glass_grant_id") for r in rows for b in r.bases if b.get("break_glass_grant_id")}
    return dict(BreakGlassGrant.objects.filter(pk__in=ids).values_list("pk", "ground"))


def _seen_by(row: LedgerEntry, names: dict[int, str], staff: dict[int, StaffMember], grounds: dict[int, str]) -> SeenBy:
    organisation = names.get(row.organisation_id, _("a partner organisation"))
    person = staff.get(row.actor_staff_id)
    who = _role_words(person.role) if person is not None else _("Someone")
    if person is not None and settings.CEANGAL_PORTAL_SHOW_VIEWER_NAMES:
        who = _("%(name)s (%(role)s)") % {"name": person.display_name, "role": str(Role(person.role).label).lower()}
    categories = in_words([category_words(c) for c in sorted(row.categories, key=_category_order)])
    values = {
        "who": who,
        "organisation": organisation,
        "what": categories,
        "when": long_date(row.at),
        "why": purpose_words(row.purpose),
    }
    if row.channel == Channel.PAGE:
        sentence = _("%(who)s at %(organisation)s saw %(what)s on %(when)s, %(why)s.") % values
    else:
        sentence = _("%(who)s at %(organisation)s received %(what)s on %(when)s, %(why)s.") % values
    # A grant gone since (erased with the client's other data) still leaves the access marked.
    ground = next((grounds.get(b["break_glass_grant_id"], "") for b in row.bases if b.get("break_glass_grant_id")), "")
    emergency = ""
    if ground or any(b.get("kind") == "break_glass" for b in row.bases):
        emergency = str(BreakGlassGround(ground).label) if ground in BreakGlassGround.values else _("An emergency")
    return SeenBy(at=row.at, organisation=organisation, sentence=sentence, emergency=emergency)


# -- consents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    id: int
    recipient: str
    purpose: str
    category: str
    in_force: bool
    withdrawn: bool


@dataclass(frozen=True)
class ConsentHistory:
    at: dt.datetime
    words: str


@dataclass(frozen=True)
class SubjectConsent:
    id: uuid.UUID
    organisation: str  # who recorded it: the client talks to them to share more
    method: str
    given_on: dt.date
    valid_until: dt.date | None
    until_support_ends: bool
    state: str  # in_force | partly_withdrawn | withdrawn | expired | refused | pending | ended | cancelled
    state_label: str
    in_force: bool
    rows: list[ConsentRow]
    history: list[ConsentHistory]

    @property
    def rows_in_force(self) -> list[ConsentRow]:
        return [r for r in self.rows if r.in_force]


def _state_label(state: str) -> str:
    return {
        "in_force": _("In force"),
        "partly_withdrawn": _("In force, some parts withdrawn"),
        "withdrawn": _("Withdrawn"),
        "expired": _("Expired"),
        "refused": _("You said no"),
        "pending": _("Waiting for your signed form"),
        "ended": _("Ended when your support ended"),
        "cancelled": _("Cancelled: it was recorded by mistake"),
    }.get(state, _("Not in force"))


def _recipient(scope: ConsentScope) -> str:
    if scope.recipient_organisation is not None:
        return scope.recipient_organisation.name
    return _("Any %(kind)s partner") % {"kind": str(OrganisationType(scope.recipient_type).label).lower()}


def _event_words(event: ConsentEvent) -> str:
    partial = bool(event.scopes.all())
    by = _("by you") if event.by_client else ""
    words = {
        EventKind.PENDING: _("Recorded, waiting for your signed form"),
        EventKind.GIVEN: _("Given"),
        EventKind.RENEWED: _("Renewed"),
        EventKind.REFUSED: _("You said no"),
        EventKind.WITHDRAWN: _("Some parts withdrawn") if partial else _("Withdrawn"),
        EventKind.EXPIRED: _("Expired"),
        EventKind.INVALIDATED: _("Cancelled: it was recorded by mistake"),
    }.get(EventKind(event.kind), str(event.kind))
    return f"{words} {by}".strip()


def _consent_records(client_id: uuid.UUID) -> list[ConsentRecord]:
    return list(
        ConsentRecord.objects.filter(client_id=client_id)
        .select_related("organisation")
        .prefetch_related("scopes__recipient_organisation", "events__scopes")
        .order_by("-valid_from", "-created_at")
    )


def subject_consents(client_id: uuid.UUID) -> list[SubjectConsent]:
    """Every consent record of the client: what, with whom, why, how given, when, until when, and
    where it stands now, row by row (as the decision point reads it)."""
    client = _subject(client_id)
    now = timezone.now()
    engaged = client_engagements(client.pk)
    facts = {f.record_id: f for f in consent_facts(client.pk)}
    views = []
    for record in _consent_records(client.pk):
        live = (
            {s.scope_id for s in facts[str(record.pk)].live_scopes(now, engaged)} if str(record.pk) in facts else set()
        )
        views.append(_consent_view(record, live, timezone.localdate()))
    return views


def subject_consent(client_id: uuid.UUID, record_id: object) -> SubjectConsent:
    """One of the client's consent records, or NotFound (another client's is the same as none)."""
    wanted = str(record_id)
    for consent in subject_consents(client_id):
        if str(consent.id) == wanted:
            return consent
    raise NotFound("No such consent.")


def _consent_view(record: ConsentRecord, live: set[int], today: dt.date) -> SubjectConsent:
    events = sorted(record.events.all(), key=lambda e: (e.at, e.pk))
    withdrawn: set[int] = set()
    whole = ""
    until = record.valid_until
    for event in events:
        rows = {s.pk for s in event.scopes.all()}
        if rows and event.kind == EventKind.WITHDRAWN:
            withdrawn |= rows
            continue
        if rows:
            continue
        whole = event.kind
        if event.kind == EventKind.RENEWED and event.valid_until is not None:
            until = event.valid_until
    scopes = list(record.scopes.all())
    state = {
        EventKind.REFUSED: "refused",
        EventKind.WITHDRAWN: "withdrawn",
        EventKind.EXPIRED: "expired",
        EventKind.PENDING: "pending",
        EventKind.INVALIDATED: "cancelled",
    }.get(EventKind(whole) if whole else EventKind.PENDING, "")
    if not state:
        if live:
            state = "partly_withdrawn" if withdrawn else "in_force"
        elif until is not None and today > until:
            state = "expired"
        elif withdrawn and all(s.pk in withdrawn for s in scopes):
            state = "withdrawn"
        elif record.until_support_ends and until is None:
            state = "ended"
        else:
            state = "not_in_force"
    return SubjectConsent(
        id=record.pk,
        organisation=record.organisation.name,
        method=str(record.get_method_display()),
        given_on=record.valid_from,
        valid_until=until,
        until_support_ends=record.until_support_ends,
        state=state,
        state_label=_state_label(state),
        in_force=bool(live),
        rows=[
            ConsentRow(
                id=s.pk,
                recipient=_recipient(s),
                purpose=purpose_name(s.purpose),
                category=str(DataCategory(s.category).label),
                in_force=s.pk in live,
                withdrawn=s.pk in withdrawn,
            )
            for s in scopes
        ],
        history=[ConsentHistory(at=e.at, words=_event_words(e)) for e in events],
    )


@dataclass(frozen=True)
class WithdrawalReceipt:
    reference: str
    consent: SubjectConsent
    at: dt.datetime
    whole: bool
    rows: list[ConsentRow]  # what the withdrawal ended
    organisation: str


def subject_withdrawal_receipt(client_id: uuid.UUID, record_id: object, event_id: object) -> WithdrawalReceipt:
    """The receipt for a withdrawal the client made: what was withdrawn, when, and its reference.
    NotFound for any event that is not this client's own withdrawal of this record."""
    consent = subject_consent(client_id, record_id)
    try:
        event = ConsentEvent.objects.prefetch_related("scopes").get(
            pk=int(str(event_id)), record_id=consent.id, kind=EventKind.WITHDRAWN, by_client=True
        )
    except (ConsentEvent.DoesNotExist, ValueError):
        raise NotFound("No such withdrawal.") from None
    chosen = {s.pk for s in event.scopes.all()}
    rows = [r for r in consent.rows if not chosen or r.id in chosen]
    return WithdrawalReceipt(
        reference=withdrawal_reference(consent.id, event.pk),
        consent=consent,
        at=event.at,
        whole=not chosen,
        rows=rows,
        organisation=consent.organisation,
    )


def withdrawal_reference(record_id: uuid.UUID, event_id: int) -> str:
    """What the client quotes about a withdrawal: short, and found again from the two ids."""
    return f"W-{str(record_id)[:8].upper()}-{event_id}"
