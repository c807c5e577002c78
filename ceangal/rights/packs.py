"""Assembling the copy of everything the partnership holds about a client (UK GDPR Art 15), and the
machine-readable copy of what they gave on consent (Art 20).

Why this reads the client models directly and not through the policy selectors: the selectors
answer "may this staff member see this, for this purpose", and record a disclosure in the access
ledger. A subject access pack is not a disclosure to staff: the partnership's DPO gathers the
client's data to give it back to the client, the lawful route for an Art 15 request. So the pack
writes no ledger entries (it would otherwise tell the client that the DPO "saw" their whole
record, which is not a use of it); instead the gathering and its scope (which organisations were
searched) are audited (`rights_request.pack_generated`), and the release too. Only the DPO can start
it (pack_services.pack_generate).

The content is plain data: parts (sections of the record, consents, engagements, referrals,
messages, rights requests, disclosures), each a list of items with their provenance, their fields
in words, and a timeline. Whatever may reveal another person carries a "flag" key, and the DPO
decides each flag before release (`apply_decisions` then redacts).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.clients import models as cm
from ceangal.clients.sections import SECTIONS, Kind, SectionSpec
from ceangal.consent import models as consent_models
from ceangal.consent.services import _rows_in_force
from ceangal.ledger.selectors import client_disclosures
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.selectors import _code_labels, _display
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose
from ceangal.referrals import models as rm
from ceangal.rights.models import (
    Channel,
    EventKind,
    FlagReason,
    RequestKind,
    RequestStatus,
    RightsRequest,
)

SCHEMA_VERSION = 1
WITHHELD = "[Withheld: would reveal information about another person]"

# The parts of a client's record that the client gives themselves (Art 20 covers data "provided
# by" the data subject): not staff's own work about them (stages, activities, outcomes, follow-ups,
# support needs as assessed, documents staff upload).
CLIENT_PROVIDED_SECTIONS = (
    "identity",
    "contact",
    "demographics",
    "qualifications",
    "experience",
    "health",
    "convictions",
    "caring",
    "benefits",
)
# Sections about other members of the household: each item is flagged whole.
HOUSEHOLD_SECTIONS = ("caring",)

type Content = dict[str, Any]
type Item = dict[str, Any]
type Progress = Callable[[int, int, str], None]

BASIS_WORDS = {
    "own": "their own organisation recorded it",
    "agreement_consent": "a sharing agreement and your consent",
    "agreement_other_basis": "a sharing agreement, on a lawful basis other than consent",
    "break_glass": "emergency access (to protect you or someone else), reviewed by the data protection officer",
}
CHANNEL_WORDS = {
    "page": "on screen",
    "api": "through a partner's computer system",
    "export": "in an export",
    "referral": "in a referral",
    "return": "in a data return",
    "rights": "for a rights request",
}


def _label(enum: Any, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%-d %B %Y %H:%M")
    return value.strftime("%-d %B %Y")


def _iso(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def _role_at(staff: StaffMember | None) -> str:
    """A member of staff in words, by role and organisation, never by name: the names of staff of
    the partnership are their personal data, and the client's right is to know which organisation
    did what."""
    if staff is None:
        return ""
    return _("a %(role)s at %(organisation)s") % {
        "role": _label(Role, staff.role).lower(),
        "organisation": staff.organisation.name,
    }


def _field(name: str, label: str, value: object, *, flag: str = "") -> dict[str, str]:
    shown = {"name": name, "label": label, "value": "" if value is None else str(value)}
    if flag and shown["value"]:
        shown["flag"] = flag
    return shown


def _item(
    title: str,
    *,
    supplied_by: str,
    recorded: dt.date | dt.datetime | None,
    provenance: list[tuple[str, str]],
    fields: list[dict[str, str]],
    timeline: list[dict[str, str]] | None = None,
    flag: str = "",
) -> Item:
    item: Item = {
        "title": title,
        "supplied_by": supplied_by,
        "recorded_on": _iso(recorded),
        "provenance": [{"label": label, "value": value} for label, value in provenance if value],
        "fields": fields,
        "timeline": timeline or [],
    }
    if flag:
        item["flag"] = flag
    return item


def _entry(
    when: dt.datetime | dt.date | None, what: str, who: str, note: str = "", *, flag: str = ""
) -> dict[str, str]:
    entry = {"when": _day(when), "at": _iso(when), "what": what, "who": who, "note": note or ""}
    if flag and entry["note"]:
        entry["flag"] = flag
    return entry


# -- gathering, one organisation at a time -----------------------------------------------------


@dataclass
class _Gathered:
    sections: dict[str, list[tuple[int, Item]]]
    consents: list[tuple[str, Item]]
    engagements: list[tuple[str, Item]]
    referrals: list[tuple[str, Item]]
    messages: list[tuple[str, Item]]
    requests: list[tuple[str, Item]]
    disclosures: list[tuple[str, Item]]


def holding_organisations(client: cm.Client) -> list[Organisation]:
    """Every organisation of the partnership that holds or held something about the client: the
    search scope of the pack, recorded with it."""
    ids: set[int] = set()
    for spec in SECTIONS:
        ids.update(spec.rows(client).values_list("supplied_by_id", flat=True))
    ids.update(consent_models.ConsentRecord.objects.filter(client=client).values_list("organisation_id", flat=True))
    ids.update(cm.Engagement.objects.filter(client=client).values_list("organisation_id", flat=True))
    for side in ("from_organisation_id", "to_organisation_id"):
        ids.update(rm.Referral.objects.filter(client=client).values_list(side, flat=True))
        ids.update(rm.Message.objects.filter(client=client).values_list(side, flat=True))
    ids.update(RightsRequest.objects.filter(client=client).values_list("received_by_id", flat=True))
    ids.update(row.organisation_id for row in client_disclosures(client.pk))
    partnership_id = client.registered_by.partnership_id
    return list(Organisation.objects.filter(pk__in=ids, partnership_id=partnership_id).order_by("name", "pk"))


def _changed(recorded: dt.datetime, updated: dt.datetime | None) -> bool:
    # Both stamps are set on creation, microseconds apart.
    return updated is not None and (updated - recorded) > dt.timedelta(seconds=1)


def _section_items(spec: SectionSpec, client: cm.Client, organisation: Organisation) -> Iterator[tuple[int, Item]]:
    labels = _code_labels([spec])
    rows = spec.rows(client).filter(supplied_by=organisation).select_related("recorded_by__organisation")
    extras = {"documents": ("original_name", "content_type", "size_bytes"), "follow_ups": ("week", "due_on")}
    for row in rows.order_by("recorded_at", "pk"):
        values = {f.name: getattr(row, f.name) for f in spec.fields}
        shown = _display(spec, values, labels)
        fields = [
            _field(
                f.name,
                f.label,
                shown[f.name],
                flag=f"section:{spec.key}:{row.pk}:{f.name}" if f.kind == Kind.LONG_TEXT else "",
            )
            for f in spec.fields
            if shown[f.name]
        ]
        for name in extras.get(spec.key, ()):
            value = getattr(row, name)
            fields.append(
                _field(name, name.replace("_", " ").capitalize(), _day(value) if isinstance(value, dt.date) else value)
            )
        changed_by = ""
        last = (
            spec.history(row.pk).order_by("-history_date").first()
            if _changed(row.recorded_at, row.updated_at)
            else None
        )
        if last is not None and getattr(last, "history_user_id", None):
            changer = StaffMember.objects.filter(user_id=last.history_user_id).select_related("organisation").first()
            changed_by = changer.organisation.name if changer else ""
        whole = ""
        if spec.key in HOUSEHOLD_SECTIONS or spec.key == "documents":
            whole = f"section:{spec.key}:{row.pk}"
        item = _item(
            _("%(section)s, from %(organisation)s") % {"section": spec.label, "organisation": organisation.name},
            supplied_by=organisation.name,
            recorded=row.recorded_at,
            provenance=[
                (_("Supplied by"), organisation.name),
                (_("Recorded"), _day(row.recorded_at)),
                (_("Recorded by"), _role_at(row.recorded_by)),
                (_("Last changed"), _day(row.updated_at) if _changed(row.recorded_at, row.updated_at) else ""),
                (_("Last changed by"), changed_by),
            ],
            fields=fields,
            flag=whole,
        )
        if spec.key == "documents":
            # The file itself goes with the released copy unless the DPO withholds it.
            item["document"] = {
                "id": row.pk,
                "name": getattr(row, "original_name"),  # noqa: B009 (a Document, by its section)
                "content_type": getattr(row, "content_type"),  # noqa: B009
            }
        yield row.pk, item


def _scope_words(scope: consent_models.ConsentScope) -> str:
    recipient = (
        scope.recipient_organisation.name
        if scope.recipient_organisation
        else _("any %(type)s") % {"type": scope.get_recipient_type_display().lower()}
    )
    return _("%(recipient)s, for %(purpose)s: %(category)s") % {
        "recipient": recipient,
        "purpose": _label(Purpose, scope.purpose).lower(),
        "category": _label(DataCategory, scope.category).lower(),
    }


def _consent_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    records = (
        consent_models.ConsentRecord.objects.filter(client=client, organisation=organisation)
        .select_related("notice", "recorded_by__organisation")
        .prefetch_related("scopes__recipient_organisation", "events__recorded_by__organisation", "events__scopes")
        .order_by("created_at")
    )
    for record in records:
        key = f"consent:{record.pk}"
        until = (
            _day(record.valid_until)
            if record.valid_until
            else (_("until support ends") if record.until_support_ends else "")
        )
        timeline = []
        for event in record.events.all():
            who = _("you") if event.by_client else _role_at(event.recorded_by) or organisation.name
            what = _label(consent_models.EventKind, event.kind)
            partial = [_scope_words(s) for s in event.scopes.all()]
            if partial:
                what = _("%(what)s, for: %(rows)s") % {"what": what, "rows": "; ".join(partial)}
            timeline.append(_entry(event.at, what, who, event.note, flag=f"{key}:event:{event.pk}"))
        yield (
            str(record.created_at.isoformat()),
            _item(
                _("Consent given to %(organisation)s from %(day)s")
                % {"organisation": organisation.name, "day": _day(record.valid_from)},
                supplied_by=organisation.name,
                recorded=record.created_at,
                provenance=[
                    (_("Recorded by"), _role_at(record.recorded_by) or organisation.name),
                    (_("Recorded"), _day(record.created_at)),
                ],
                fields=[
                    _field("notice", _("Privacy notice"), f"{record.notice.title} (version {record.notice.version})"),
                    _field("method", _("How you gave it"), record.get_method_display()),
                    _field("expressed_by", _("Given by"), record.get_expressed_by_display()),
                    _field("witness_name", _("Witness"), record.witness_name, flag=f"{key}:witness_name"),
                    _field("valid_from", _("From"), _day(record.valid_from)),
                    _field("valid_until", _("Until"), until),
                    _field(
                        "scopes", _("What you agreed to share"), "\n".join(_scope_words(s) for s in record.scopes.all())
                    ),
                    _field("notes", _("Notes"), record.notes, flag=f"{key}:notes"),
                ],
                timeline=timeline,
            ),
        )


def _engagement_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    for engagement in cm.Engagement.objects.filter(client=client, organisation=organisation).order_by(
        "started_on", "pk"
    ):
        yield (
            engagement.started_on.isoformat(),
            _item(
                organisation.name,
                supplied_by=organisation.name,
                recorded=engagement.started_on,
                provenance=[(_("Recorded by"), organisation.name)],
                fields=[
                    _field("status", _("Status"), engagement.get_status_display()),
                    _field("started_on", _("Started"), _day(engagement.started_on)),
                    _field("closed_on", _("Ended"), _day(engagement.closed_on)),
                    _field("closure_reason", _("Why it ended"), engagement.closure_reason.replace("_", " ")),
                ],
            ),
        )


def _referral_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    # Drafts too: the sender holds them, and Art 15 covers everything held, sent or not.
    referrals = (
        rm.Referral.objects.filter(client=client, from_organisation=organisation)
        .select_related("service", "to_organisation", "created_by__organisation")
        .prefetch_related("events__by__organisation", "events__by_organisation")
        .order_by("created_at")
    )
    for referral in referrals:
        key = f"referral:{referral.pk}"
        timeline = [
            _entry(
                event.at,
                _label(rm.EventKind, event.kind),
                _role_at(event.by) or (event.by_organisation.name if event.by_organisation else ""),
                event.note,
                flag=f"{key}:event:{event.pk}",
            )
            for event in referral.events.all()
        ]
        yield (
            referral.created_at.isoformat(),
            _item(
                _("Referral from %(sender)s to %(service)s at %(recipient)s")
                % {
                    "sender": organisation.name,
                    "service": referral.service.name,
                    "recipient": referral.to_organisation.name,
                },
                supplied_by=organisation.name,
                recorded=referral.created_at,
                provenance=[
                    (_("Made by"), _role_at(referral.created_by)),
                    (_("Sent"), _day(referral.sent_at)),
                    (_("Received by"), referral.to_organisation.name),
                ],
                fields=[
                    _field("status", _("Where it stands"), referral.get_status_display()),
                    _field("reason", _("Why you were referred"), referral.reason, flag=f"{key}:reason"),
                    _field(
                        "categories",
                        _("Information sent with it"),
                        ", ".join(_label(DataCategory, c) for c in referral.categories),
                    ),
                    _field(
                        "decline_reason",
                        _("Why it was declined"),
                        referral.get_decline_reason_display() if referral.decline_reason else "",
                    ),
                    _field(
                        "decline_note", _("What the service said"), referral.decline_note, flag=f"{key}:decline_note"
                    ),
                    _field(
                        "override_note",
                        _("Why it was sent anyway"),
                        referral.override_note,
                        flag=f"{key}:override_note",
                    ),
                ],
                timeline=timeline,
            ),
        )


def _message_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    messages = rm.Message.objects.filter(client=client, from_organisation=organisation).select_related(
        "to_organisation", "sent_by__organisation"
    )
    for message in messages.order_by("sent_at", "pk"):
        yield (
            message.sent_at.isoformat(),
            _item(
                _("Message from %(sender)s to %(recipient)s")
                % {"sender": organisation.name, "recipient": message.to_organisation.name},
                supplied_by=organisation.name,
                recorded=message.sent_at,
                provenance=[(_("Sent by"), _role_at(message.sent_by)), (_("Sent"), _day(message.sent_at))],
                fields=[_field("body", _("Message"), message.body, flag=f"message:{message.pk}:body")],
            ),
        )


def _request_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    requests = RightsRequest.objects.filter(client=client, received_by=organisation).prefetch_related(
        "events__by__organisation"
    )
    for request in requests.order_by("received_on", "created_at"):
        key = f"request:{request.pk}"
        timeline = [
            _entry(
                event.at, _label(EventKind, event.kind), _role_at(event.by), event.note, flag=f"{key}:event:{event.pk}"
            )
            for event in request.events.all()
        ]
        yield (
            request.created_at.isoformat(),
            _item(
                _label(RequestKind, request.kind),
                supplied_by=organisation.name,
                recorded=request.created_at,
                provenance=[(_("Received by"), organisation.name), (_("How"), _label(Channel, request.channel))],
                fields=[
                    _field("received_on", _("Received"), _day(request.received_on)),
                    _field("status", _("Where it stands"), _label(RequestStatus, request.status)),
                    _field("details", _("What you asked"), request.details, flag=f"{key}:details"),
                ],
                timeline=timeline,
            ),
        )


def _disclosure_items(client: cm.Client, organisation: Organisation) -> Iterator[tuple[str, Item]]:
    rows = [row for row in client_disclosures(client.pk) if row.organisation_id == organisation.pk]
    roles = dict(StaffMember.objects.filter(pk__in={r.actor_staff_id for r in rows}).values_list("pk", "role"))
    names = dict(Organisation.objects.values_list("pk", "name"))
    for row in rows:
        role = _label(Role, roles.get(row.actor_staff_id, "")) or _("member of staff")
        why = sorted(
            {
                _("%(category)s from %(supplier)s: %(basis)s")
                % {
                    "category": _label(DataCategory, basis.category),
                    "supplier": names.get(basis.supplier_organisation_id, ""),
                    "basis": BASIS_WORDS.get(basis.kind, basis.kind),
                }
                for basis in row.bases
            }
        )
        yield (
            row.at.isoformat(),
            _item(
                _("%(organisation)s, %(day)s") % {"organisation": organisation.name, "day": _day(row.at)},
                supplied_by=organisation.name,
                recorded=row.at,
                provenance=[(_("Recorded in"), _("the partnership's access ledger"))],
                fields=[
                    _field(
                        "who",
                        _("Who"),
                        _("a %(role)s at %(organisation)s") % {"role": role.lower(), "organisation": organisation.name},
                    ),
                    _field("when", _("When"), _day(row.at)),
                    _field("what", _("What"), ", ".join(_label(DataCategory, c) for c in row.categories)),
                    _field("purpose", _("Why"), _label(Purpose, row.purpose)),
                    _field("how", _("How"), CHANNEL_WORDS.get(row.channel, row.channel)),
                    _field("basis", _("On what basis"), "\n".join(why)),
                ],
            ),
        )


def _gather(client: cm.Client, organisation: Organisation, into: _Gathered, *, portability: bool) -> None:
    for spec in SECTIONS:
        if portability and spec.key not in CLIENT_PROVIDED_SECTIONS:
            continue
        into.sections.setdefault(spec.key, []).extend(_section_items(spec, client, organisation))
    if portability:
        return
    into.consents.extend(_consent_items(client, organisation))
    into.engagements.extend(_engagement_items(client, organisation))
    into.referrals.extend(_referral_items(client, organisation))
    into.messages.extend(_message_items(client, organisation))
    into.requests.extend(_request_items(client, organisation))
    into.disclosures.extend(_disclosure_items(client, organisation))


# -- portability: only what the client gave on consent --------------------------------------------


def consented_categories(client: cm.Client, today: dt.date) -> dict[int, set[str]]:
    """For each organisation, the data categories the client's consent to it covers now: the
    client gave that organisation a consent record (given or renewed, in its validity, the rows not
    withdrawn) naming the category. Consent is then the basis of the organisation holding and
    sharing what the client told it in that category, so Art 20 applies; what an organisation holds
    under an agreement's public task (or any basis other than consent or contract) is left out.
    Ceangal records no contract basis, so consent is the only one that counts."""
    covered: dict[int, set[str]] = {}
    for record in consent_models.ConsentRecord.objects.filter(client=client).prefetch_related(
        "events__scopes", "scopes"
    ):
        for scope in _rows_in_force(record, today):
            covered.setdefault(record.organisation_id, set()).add(scope.category)
    return covered


# -- the whole pack ----------------------------------------------------------------------------


def _part(key: str, title: str, intro: str, items: list[Item]) -> Content:
    return {"key": key, "title": title, "intro": intro, "items": items}


def _sorted(pairs: list[tuple[str, Item]]) -> list[Item]:
    return [item for _key, item in sorted(pairs, key=lambda pair: pair[0])]


def pack_assemble(request: RightsRequest, *, progress: Progress | None = None) -> Content:
    """One pack for an access or portability request: every organisation that holds data about
    the client, one at a time (progress(done, total, step) after each), then the parts in order."""
    client = cm.Client.objects.select_related("registered_by").get(pk=request.client_id)
    portability = request.kind == RequestKind.PORTABILITY
    organisations = holding_organisations(client)
    total = len(organisations) + 1
    gathered = _Gathered({}, [], [], [], [], [], [])
    for number, organisation in enumerate(organisations, start=1):
        if progress:
            progress(
                number - 1,
                total,
                _("Gathering from organisation %(n)s of %(total)s") % {"n": number, "total": len(organisations)},
            )
        _gather(client, organisation, gathered, portability=portability)
    if progress:
        progress(len(organisations), total, _("Putting the copy together"))
    by_name = {o.name: o.pk for o in organisations}
    covered = consented_categories(client, timezone.localdate()) if portability else {}
    parts: list[Content] = []
    for spec in SECTIONS:
        items = [item for _pk, item in gathered.sections.get(spec.key, [])]
        if portability:
            items = [i for i in items if spec.category in covered.get(by_name[i["supplied_by"]], set())]
        if items:
            parts.append(_part(f"section:{spec.key}", spec.label, "", items))
    if not portability:
        parts += [
            _part(
                "consents",
                _("Your consents"),
                _("What you agreed to share, with whom and for what, and each change since."),
                _sorted(gathered.consents),
            ),
            _part(
                "engagements",
                _("Organisations working with you"),
                _("Each organisation that supports or supported you."),
                _sorted(gathered.engagements),
            ),
            _part(
                "referrals",
                _("Your referrals"),
                _("Referrals between organisations and where each stands."),
                _sorted(gathered.referrals),
            ),
            _part(
                "messages",
                _("Messages about you"),
                _("Secure messages between organisations about you."),
                _sorted(gathered.messages),
            ),
            _part(
                "rights_requests",
                _("Your requests"),
                _("Requests you made about your information."),
                _sorted(gathered.requests),
            ),
            _part(
                "disclosures",
                _("Who has seen or received your information"),
                _("Every time someone in the partnership was shown or sent your information, from the access ledger."),
                _sorted(gathered.disclosures),
            ),
        ]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": str(request.kind),
        "title": _("Your information: a portable copy")
        if portability
        else _("Your information: a copy of everything we hold"),
        "generated_at": _iso(timezone.now()),
        "client": {"reference": client.reference},
        "request": {"id": str(request.pk), "received_on": request.received_on.isoformat()},
        "organisations_searched": [o.name for o in organisations],
        "parts": parts,
        "your_rights": your_rights(portability=portability),
    }


def your_rights(*, portability: bool) -> list[str]:
    paragraphs = [
        _(
            "You can ask us to correct anything that is wrong (UK GDPR Article 16). Every organisation that was "
            "sent the wrong information will be told."
        ),
        _(
            "You can ask us to delete your information, to stop using it for now, or object to a use of it "
            "(Articles 17, 18 and 21)."
        ),
        _("You can change or withdraw your consent at any time, as easily as you gave it (Article 7(3))."),
        _("Ask your key worker, or use your own pages, to do any of these."),
        _(
            "If you are unhappy with how we have used your information, tell us first. You can also complain to the "
            "Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint, or phone 0303 123 1113."
        ),
    ]
    if portability:
        paragraphs.insert(
            0,
            _(
                "This copy holds what you gave us on the basis of your consent, in a form another "
                "organisation's computer can read (Article 20)."
            ),
        )
    return paragraphs


# -- flags and decisions -----------------------------------------------------------------------


@dataclass(frozen=True)
class FlagFound:
    key: str
    where: str
    reason: FlagReason
    text: str


def _field_reason(field: dict[str, str]) -> FlagReason:
    return FlagReason.OTHER_PERSON if field["name"] == "witness_name" else FlagReason.FREE_TEXT


def find_flags(content: Content) -> list[FlagFound]:
    """Everything in the pack that may reveal another person, in the order it appears."""
    found: list[FlagFound] = []
    for part in content["parts"]:
        for item in part["items"]:
            place = f"{part['title']} > {item['title']}"
            if item.get("flag"):
                reason = FlagReason.DOCUMENT if part["key"] == "section:documents" else FlagReason.HOUSEHOLD
                text = "\n".join(f"{f['label']}: {f['value']}" for f in item["fields"])
                found.append(FlagFound(item["flag"], place[:300], reason, text))
            for field in item["fields"]:
                if field.get("flag"):
                    found.append(
                        FlagFound(
                            field["flag"], f"{place} > {field['label']}"[:300], _field_reason(field), field["value"]
                        )
                    )
            for entry in item["timeline"]:
                if entry.get("flag"):
                    found.append(
                        FlagFound(
                            entry["flag"],
                            f"{place} > {entry['what']}, {entry['when']}"[:300],
                            FlagReason.FREE_TEXT,
                            entry["note"],
                        )
                    )
    return found


def apply_decisions(content: Content, redacted: set[str]) -> Content:
    """The pack as released: redacted places replaced by WITHHELD, and no flag keys left."""
    out = copy.deepcopy(content)
    for part in out["parts"]:
        for item in part["items"]:
            whole = item.pop("flag", "") in redacted
            for field in item["fields"]:
                if field.pop("flag", "") in redacted or (whole and field["value"]):
                    field["value"] = WITHHELD
            for entry in item["timeline"]:
                if entry.pop("flag", "") in redacted or (whole and entry["note"]):
                    entry["note"] = WITHHELD
            if whole:
                item["withheld"] = True
                item.pop("document", None)
    return out


def released_documents(content: Content) -> list[dict[str, Any]]:
    """The documents whose files go with a copy as released (after apply_decisions): id, name and
    content type of each one the DPO did not withhold."""
    return [
        item["document"]
        for part in content["parts"]
        if part["key"] == "section:documents"
        for item in part["items"]
        if "document" in item
    ]
