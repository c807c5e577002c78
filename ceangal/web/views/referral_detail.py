"""One referral, as each of its two organisations sees it, with the step each may take next.

The referrer's draft shows the packet exactly as the recipient will see it (services.preview, read
for the recipient) with the eligibility and capacity checks; the recipient, while the referral
waits, reads the packet through the decision point (selectors.referral_view). Every step is a form
posted to this page with an `action`; a refused step shows this page again with the error summary
and changes nothing; a step taken from an older version of the page is refused as a conflict.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ceangal.errors import EditConflict, InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.policy.packets import PacketPreview
from ceangal.policy.selectors import ClientRecord, SectionView
from ceangal.referrals import selectors, services
from ceangal.referrals.models import PENDING, DeclineReason, EventKind, Referral, ReferralStatus
from ceangal.referrals.selectors import ReferralView
from ceangal.web.access import staff_page
from ceangal.web.forms import ErrorLink, FieldView, error_links, format_date, parse_date, value_field
from ceangal.web.record import SectionPanel, section_panels

_S = ReferralStatus

# Each form's fields on the page, and the service's name for each (the page's names are unique
# across the forms, so that an error summary link finds its field).
FORM_FIELDS: dict[str, dict[str, str]] = {
    "send": {"override_note": "override_note"},
    "withdraw": {"withdraw_reason": "reason"},
    "accept": {"key_worker": "key_worker"},
    "decline": {"decline_reason": "reason", "decline_note": "note"},
    "ask": {"question": "question"},
    "answer": {"answer": "answer"},
    "start": {"started_on": "started_on"},
    "complete": {"complete_note": "note"},
    "message": {"body": "body"},
}


def duration(delta: dt.timedelta | None) -> str:
    """A time taken as a person says it: "2 days, 3 hours", "45 minutes"."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return ", ".join(parts) or _("less than a minute")


@dataclass(frozen=True)
class PacketPanel:
    """One category of a draft's packet as the recipient will see it."""

    label: str
    shared: bool
    reason: str
    withheld: list[str]
    consent_missing: bool
    unseen_items_from: list[str]
    panels: list[SectionPanel]


@dataclass(frozen=True)
class LoopRow:
    label: str
    value: str


def _panels(views: Sequence[SectionView], view: ReferralView) -> list[SectionPanel]:
    record = ClientRecord(
        client_id=view.referral.client_id,
        reference=view.referral.client.reference,
        display_name=view.client_name,
        age_band="",
        purpose="referral",
        sections=list(views),
        engagements=[],
    )
    return section_panels(record)


def _packet_panels(packet: PacketPreview, view: ReferralView) -> list[PacketPanel]:
    return [
        PacketPanel(
            label=c.label,
            shared=c.shared,
            reason=c.reason,
            withheld=c.withheld,
            consent_missing=c.consent_missing,
            unseen_items_from=c.unseen_items_from,
            panels=_panels(c.sections, view),
        )
        for c in packet.categories
    ]


def _event_at(view: ReferralView, kind: str) -> dt.datetime | None:
    return next((e.at for e in reversed(view.events) if e.kind == kind), None)


def _closed_loop(view: ReferralView) -> list[LoopRow]:
    """For the referrer: what became of the referral, and how long each step took."""
    referral = view.referral
    rows = [LoopRow(_("Status"), referral.get_status_display())]
    if referral.sent_at:
        rows.append(LoopRow(_("Sent"), _when(referral.sent_at)))
    answered = _event_at(view, EventKind.ACCEPTED) or _event_at(view, EventKind.DECLINED)
    if answered:
        label = _("Accepted") if _event_at(view, EventKind.ACCEPTED) else _("Declined")
        rows.append(LoopRow(label, f"{_when(answered)} ({_('answered after')} {duration(view.time_to_answer)})"))
    if referral.started_on:
        days = (referral.started_on - timezone.localtime(referral.sent_at).date()).days if referral.sent_at else None
        after = (
            " (" + ngettext("%(n)d day after it was sent", "%(n)d days after it was sent", days) % {"n": days} + ")"
            if days is not None
            else ""
        )
        rows.append(LoopRow(_("Started"), referral.started_on.strftime("%-d %B %Y") + after))
    completed = _event_at(view, EventKind.COMPLETED)
    if completed and referral.sent_at:
        rows.append(
            LoopRow(_("Completed"), f"{_when(completed)} ({duration(completed - referral.sent_at)} {_('in all')})")
        )
    return rows


def _when(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%-d %B %Y, %H:%M")


def _other_organisation(referral: Referral, actor: StaffMember) -> tuple[int, str]:
    if actor.organisation_id == referral.to_organisation_id:
        return referral.from_organisation_id, referral.from_organisation.name
    return referral.to_organisation_id, referral.to_organisation.name


def _fields(
    view: ReferralView,
    staff: Sequence[StaffMember],
    actor: StaffMember,
    values: Mapping[str, object],
    errors: Mapping[str, Sequence[str]],
    flags: Sequence[str],
) -> dict[str, FieldView]:
    note_hint = (
        _("Required: this service may not take the client (see above). Say why you are sending it anyway.")
        if flags
        else _("Only needed when the service may not take the client; it does not apply here.")
    )
    workers = [(str(m.pk), m.display_name) for m in staff]
    accept_values = dict(values)
    accept_values.setdefault("key_worker", str(actor.pk) if any(m.pk == actor.pk for m in staff) else "")
    return {
        "override_note": value_field(
            "override_note", _("Why send it anyway"), values, errors, widget="textarea", hint=note_hint
        ),
        "withdraw_reason": value_field(
            "withdraw_reason", _("Why are you withdrawing it?"), values, errors, widget="textarea", required=True
        ),
        "key_worker": value_field(
            "key_worker",
            _("Key worker"),
            accept_values,
            errors,
            widget="select",
            options=workers,
            hint=_("Who in your organisation will work with the client."),
        ),
        "decline_reason": value_field(
            "decline_reason",
            _("Why are you declining?"),
            values,
            errors,
            widget="radios",
            options=DeclineReason.choices,
            required=True,
        ),
        "decline_note": value_field(
            "decline_note",
            _("Anything the referrer should know"),
            values,
            errors,
            widget="textarea",
            hint=_("Required when the reason is “Another reason”."),
        ),
        "question": value_field(
            "question", _("Your question for the referrer"), values, errors, widget="textarea", required=True
        ),
        "answer": value_field("answer", _("Your answer"), values, errors, widget="textarea", required=True),
        "started_on": value_field(
            "started_on",
            _("Date the client started"),
            values,
            errors,
            hint=_("For example 27 3 2026."),
            input_class="ds_input--fixed-10",
            required=True,
        ),
        "complete_note": value_field("complete_note", _("How it ended (optional)"), values, errors, widget="textarea"),
        "body": value_field(
            "body",
            _("Your message"),
            values,
            errors,
            widget="textarea",
            hint=_("Only the two organisations can read it. Write only what the other organisation needs."),
            required=True,
        ),
    }


def _page(
    request: HttpRequest,
    actor: StaffMember,
    referral_id: uuid.UUID,
    *,
    action: str = "",
    values: Mapping[str, object] | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    view = selectors.referral_view(actor=actor, referral_id=referral_id)
    referral = view.referral
    sender = view.direction == "sent"
    values = values or {}
    errors = errors or {}
    packet: PacketPreview | None = None
    flags: list[str] = []
    if sender and referral.status == _S.DRAFT:
        packet = services.preview(actor=actor, referral=referral)
        flags = services.checks(actor=actor, referral=referral)
    receiving = not sender and referral.status in (_S.SENT, _S.ACCEPTED)
    staff = selectors.receiving_staff(actor=actor) if receiving else []
    fields = _fields(view, staff, actor, values, errors, flags)
    links = error_links([fields[name] for name in FORM_FIELDS.get(action, {})], errors)
    if conflict:
        links = (ErrorLink(conflict, ""), *links)
    received = [m for m in view.messages if m.to_organisation_id == actor.organisation_id and m.read_at is None]
    if received:
        services.messages_read(actor=actor, messages=view.messages)
    question = next((e for e in reversed(view.events) if e.kind == EventKind.MORE_INFO), None)
    other_id, other_name = _other_organisation(referral, actor)
    return render(
        request,
        "web/referrals/referral_detail.html",
        {
            "view": view,
            "referral": referral,
            "sender": sender,
            "other_name": other_name,
            "other_id": other_id,
            "packet": _packet_panels(packet, view) if packet is not None else None,
            "flags": flags,
            "recipient_packet": _panels(view.packet, view) if view.packet else [],
            "loop": _closed_loop(view) if sender else [],
            "question": question,
            "timeline": [(e, duration(e.since_previous)) for e in view.events],
            "thread": view.messages,
            "unread": {m.pk for m in received},
            "fields": fields,
            "errors": links,
            "version": referral.version,
            "can_withdraw": sender and referral.status in (_S.DRAFT, *PENDING),
            "pending": referral.status in PENDING,
            "consent_url": reverse("web:consent_new", kwargs={"client_id": referral.client_id}),
            "nav": "referrals",
        },
        status=status,
    )


@staff_page
def referral_detail(request: HttpRequest, actor: StaffMember, referral_id: uuid.UUID) -> HttpResponse:
    if request.method != "POST":
        return _page(request, actor, referral_id)
    referral = selectors.referral_for(actor=actor, referral_id=referral_id)
    action = request.POST.get("action", "")
    step = STEPS.get(action)
    if step is None:
        return _page(
            request, actor, referral_id, errors={"action": [_("Choose one of the buttons on this page.")]}, status=400
        )
    names = FORM_FIELDS[action]
    values = {name: request.POST.get(name, "") for name in names}
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else 0
    try:
        done = step(actor, referral, request.POST, expected)
    except InvalidInput as exc:
        theirs = {service: page for page, service in names.items()}
        shown = {theirs.get(key, key): list(messages_) for key, messages_ in exc.errors.items()}
        return _page(request, actor, referral_id, action=action, values=values, errors=shown, status=exc.status)
    except EditConflict:
        conflict = _(
            "Someone else changed this referral while you had it open, so nothing was saved. "
            "The page now shows the referral as it is: check it and try again."
        )
        return _page(request, actor, referral_id, action=action, values=values, conflict=conflict, status=409)
    messages.success(request, done)
    anchor = "#messages" if action == "message" else ""
    return redirect(reverse("web:referral_detail", kwargs={"referral_id": referral_id}) + anchor)


# -- the steps: each parses its form, calls one service and says what happened ---------------------

type Step = Callable[[StaffMember, Referral, QueryDict, int], str]


def _send(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_send(
        actor=actor, referral=referral, override_note=post.get("override_note", ""), expected_version=expected
    )
    return _("The referral is sent to %(organisation)s.") % {"organisation": referral.to_organisation.name}


def _withdraw(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_withdraw(
        actor=actor, referral=referral, reason=post.get("withdraw_reason", ""), expected_version=expected
    )
    return _("The referral is withdrawn.")


def _accept(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    chosen = post.get("key_worker", "")
    staff = selectors.receiving_staff(actor=actor)
    key_worker = next((m for m in staff if str(m.pk) == chosen), None)
    if chosen and key_worker is None:
        raise InvalidInput({"key_worker": [_("Choose a key worker from the list.")]})
    services.referral_accept(actor=actor, referral=referral, key_worker=key_worker, expected_version=expected)
    return _("The referral is accepted: the client is now on your organisation's caseload.")


def _decline(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_decline(
        actor=actor,
        referral=referral,
        reason=post.get("decline_reason", ""),
        note=post.get("decline_note", ""),
        expected_version=expected,
    )
    return _("The referral is declined; the referrer is told why.")


def _ask(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_request_info(
        actor=actor, referral=referral, question=post.get("question", ""), expected_version=expected
    )
    return _("Your question is sent to the referrer.")


def _answer(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_give_info(
        actor=actor, referral=referral, answer=post.get("answer", ""), expected_version=expected
    )
    return _("Your answer is sent.")


def _start(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    typed = post.get("started_on", "").strip()
    if not typed:
        raise InvalidInput({"started_on": [_("Enter the date the client started, for example 27 3 2026.")]})
    try:
        started_on = dt.date.fromisoformat(parse_date(typed))
    except ValueError:
        raise InvalidInput(
            {"started_on": [_("Enter a real date as day, month and year, for example 27 3 2026.")]}
        ) from None
    services.referral_start(actor=actor, referral=referral, started_on=started_on, expected_version=expected)
    return _("The start date is recorded: %(date)s.") % {"date": format_date(started_on)}


def _complete(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    services.referral_complete(
        actor=actor, referral=referral, note=post.get("complete_note", ""), expected_version=expected
    )
    return _("The referral is complete.")


def _message(actor: StaffMember, referral: Referral, post: QueryDict, expected: int) -> str:
    to_id, to_name = _other_organisation(referral, actor)
    services.message_send(actor=actor, body=post.get("body", ""), to_organisation_id=to_id, referral=referral)
    return _("Your message is sent to %(organisation)s.") % {"organisation": to_name}


STEPS: dict[str, Step] = {
    "send": _send,
    "withdraw": _withdraw,
    "accept": _accept,
    "decline": _decline,
    "ask": _ask,
    "answer": _answer,
    "start": _start,
    "complete": _complete,
    "message": _message,
}
