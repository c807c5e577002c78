"""Consent to share: recording it with the client beside you, the paper form, the receipt and its
standard exports, and withdrawing it (as few steps as giving).

Every write goes through consent.services; every read through policy.consents, which opens a
consent record only to staff who may see its client.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ceangal.agreements import selectors as agreement_selectors
from ceangal.agreements.models import AgreementStatus, PrivacyNotice
from ceangal.consent import services
from ceangal.consent.exports import IncompleteConsentRecord, to_fhir_r5, to_iso27560, to_kantara
from ceangal.consent.models import ConsentMethod, EventKind, ExpressedBy
from ceangal.consent.receipts import ConsentDocument
from ceangal.errors import InvalidInput
from ceangal.partners.models import Organisation, StaffMember
from ceangal.policy import consents, selectors
from ceangal.policy.consents import ConsentView
from ceangal.policy.purposes import Purpose
from ceangal.policy.selectors import ClientRecord
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import (
    FieldView,
    Option,
    OptionGroup,
    error_links,
    field_id,
    format_date,
    parse_date,
)
from ceangal.web.views import PURPOSE

# A consent lasts a year unless the key worker and client choose otherwise.
DEFAULT_VALIDITY = dt.timedelta(days=365)
SCOPE = "scope"
DECISION = "decision"
AGREED, REFUSED = "agreed", "refused"
FORMATS = (("iso27560", "ISO/IEC TS 27560"), ("kantara", "Kantara consent receipt"), ("fhir", "FHIR R5"))
EXPORTS: dict[str, tuple[Callable[[ConsentDocument], Any], str]] = {
    "iso27560": (to_iso27560, "iso27560"),
    "kantara": (to_kantara, "kantara-receipt"),
    "fhir": (to_fhir_r5, "fhir-r5-consent"),
}


@dataclass(frozen=True)
class ScopeOption:
    id: str
    value: str  # "<organisation id>:<category>"
    label: str
    checked: bool


@dataclass(frozen=True)
class PartnerGroup:
    """One partner's row of the grid: a fieldset of the kinds of information it may receive."""

    organisation: str
    options: tuple[ScopeOption, ...]


def _header_record(actor: StaffMember, client_id: uuid.UUID) -> ClientRecord:
    """The client's name and reference for the page heading (identity only)."""
    return selectors.client_record(actor=actor, client_id=client_id, purpose=PURPOSE, sections=["identity"])


def consents_url(client_id: uuid.UUID) -> str:
    return reverse("web:consent_list", kwargs={"client_id": client_id})


def _recipients(actor: StaffMember, notice: PrivacyNotice) -> list[Organisation]:
    """Partners the notice names that share under a live or draft agreement, other than the
    actor's own organisation (which holds what it supplied without anyone's consent)."""
    parties = {
        party.organisation_id
        for version in agreement_selectors.agreement_versions(actor=actor)
        if version.status in {AgreementStatus.ACTIVE, AgreementStatus.DRAFT}
        for party in version.parties.all()
    }
    return [
        org
        for org in sorted(notice.recipients.all(), key=lambda o: o.name)
        if org.pk != actor.organisation_id and org.pk in parties
    ]


def _categories(notice: PrivacyNotice) -> list[DataCategory]:
    return [c for c in DataCategory if c.value in notice.categories]


def _purposes(notice: PrivacyNotice) -> list[Purpose]:
    return [p for p in Purpose if p.value in notice.purposes]


def _grid(partners: Sequence[Organisation], categories: Sequence[DataCategory], chosen: set[str]) -> list[PartnerGroup]:
    groups: list[PartnerGroup] = []
    counter = 0
    for org in partners:
        options = []
        for category in categories:
            value = f"{org.pk}:{category.value}"
            options.append(ScopeOption(f"{field_id(SCOPE)}-{counter}", value, str(category.label), value in chosen))
            counter += 1
        groups.append(PartnerGroup(org.name, tuple(options)))
    return groups


def _choice_field(
    name: str,
    label: str,
    choices: Sequence[tuple[str, str | Promise]],
    value: str,
    errors: Mapping[str, Sequence[str]],
    *,
    widget: str = "radios",
    hint: str = "",
) -> FieldView:
    return FieldView(
        name=name,
        id=field_id(name),
        label=label,
        widget=widget,
        hint=hint,
        value=value,
        option_groups=(OptionGroup("", tuple(Option(v, str(text), v == value) for v, text in choices)),),
        errors=tuple(errors.get(name, ())),
        required=True,
    )


def _fields(
    notice: PrivacyNotice, values: Mapping[str, str], errors: Mapping[str, Sequence[str]]
) -> dict[str, FieldView]:
    def text(name: str, label: str, *, hint: str = "", widget: str = "input", input_class: str = "") -> FieldView:
        return FieldView(
            name=name,
            id=field_id(name),
            label=label,
            widget=widget,
            hint=hint,
            value=values.get(name, ""),
            errors=tuple(errors.get(name, ())),
            input_class=input_class,
        )

    purposes = [(p.value, str(p.label)) for p in _purposes(notice)]
    decisions = [(AGREED, _("The client agreed")), (REFUSED, _("The client refused"))]
    return {
        DECISION: _choice_field(
            DECISION,
            _("What did the client decide?"),
            decisions,
            values.get(DECISION, ""),
            errors,
            hint=_(
                "If they refused, what they were asked is recorded as refused and nothing is shared. "
                "The dates below are then not needed."
            ),
        ),
        "purpose": _choice_field(
            "purpose", _("Why the information is shared"), purposes, values.get("purpose", ""), errors, widget="select"
        ),
        "method": _choice_field(
            "method",
            _("How did the client give their answer?"),
            ConsentMethod.choices,
            values.get("method", ""),
            errors,
        ),
        "witness_name": text("witness_name", _("Witness name"), hint=_("Needed when the client agreed verbally.")),
        "evidence": FieldView(
            name="evidence",
            id=field_id("evidence"),
            label=_("Signed form or other evidence"),
            widget="file",
            hint=_(
                "A PDF, JPEG or PNG file, up to 10 MB, for a signed paper form. You may attach a consent form "
                "later, but the consent does not count until you do. A refusal needs none."
            ),
            errors=tuple(errors.get("evidence", ())),
        ),
        "valid_until": text(
            "valid_until",
            _("Consent lasts until"),
            hint=_("Only when the client agreed. For example 27 3 2027. We suggest one year from today."),
            input_class="ds_input--fixed-10",
        ),
        "until_support_ends": FieldView(
            name="until_support_ends",
            id=field_id("until_support_ends"),
            label=_("Until support ends instead"),
            widget="checkbox",
            hint=_("Consent ends when no partner is supporting the client any more."),
            checked=values.get("until_support_ends", "") == "true",
            errors=tuple(errors.get("until_support_ends", ())),
        ),
        "expressed_by": _choice_field(
            "expressed_by",
            _("Who gave the answer?"),
            ExpressedBy.choices,
            values.get("expressed_by", ExpressedBy.CLIENT),
            errors,
        ),
        "notes": text("notes", _("Notes (optional)"), widget="textarea"),
    }


def _scope_errors(errors: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The service names each bad row (scopes[3]); the page has one question for all of them."""
    folded: dict[str, list[str]] = {}
    for key, messages_ in errors.items():
        name = SCOPE if key == "scopes" or key.startswith("scopes[") else key
        folded.setdefault(name, []).extend(messages_)
    return folded


def _form_context(
    actor: StaffMember,
    record: ClientRecord,
    notice: PrivacyNotice,
    values: Mapping[str, str],
    chosen: set[str],
    errors: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    fields = _fields(notice, values, errors)
    partners = _recipients(actor, notice)
    grid = _grid(partners, _categories(notice), chosen)
    scope_field = FieldView(
        name=SCOPE,
        id=field_id(SCOPE),
        label=_("What the client agrees to share, and with whom"),
        widget="checkboxes",
        errors=tuple(errors.get(SCOPE, ())),
    )
    first = (fields[DECISION], fields["purpose"], scope_field)
    ordered = (*first, *(f for name, f in fields.items() if name not in {DECISION, "purpose"}))
    return {
        "record": record,
        "notice": notice,
        "fields": fields,
        "scope_field": scope_field,
        "grid": grid,
        "errors": error_links(ordered, errors),
        "back_url": consents_url(record.client_id),
    }


def _no_notice(request: HttpRequest, record: ClientRecord) -> HttpResponse:
    return render(
        request, "web/sharing/consent_no_notice.html", {"record": record, "back_url": consents_url(record.client_id)}
    )


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(parse_date(text))
    except ValueError:
        return None


def _read_scopes(post: QueryDict, purpose: str, partners: Sequence[Organisation]) -> list[services.ScopeChoice]:
    by_id = {str(org.pk): org for org in partners}
    chosen = []
    for value in post.getlist(SCOPE):
        org_id, _sep, category = value.partition(":")
        org = by_id.get(org_id)
        if org is not None and category:
            chosen.append(services.ScopeChoice(purpose=purpose, category=category, recipient_organisation=org))
    return chosen


@staff_page
def consent_list(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    record = _header_record(actor, client_id)
    views = consents.client_consents(actor=actor, client_id=client_id, purpose=PURPOSE)
    return render(
        request,
        "web/sharing/consent_list.html",
        {
            "record": record,
            "consents": views,
            "back_url": reverse("web:client_record", kwargs={"client_id": client_id}),
        },
    )


@staff_page
def consent_new(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    record = _header_record(actor, client_id)
    notice = agreement_selectors.published_notice(actor=actor)
    if notice is None:
        return _no_notice(request, record)
    if request.method != "POST":
        default_purpose = Purpose.SUPPORT_COORDINATION if Purpose.SUPPORT_COORDINATION in notice.purposes else ""
        values = {
            "purpose": default_purpose or (notice.purposes[0] if notice.purposes else ""),
            "valid_until": format_date(timezone.localdate() + DEFAULT_VALIDITY),
            "expressed_by": ExpressedBy.CLIENT,
        }
        return render(request, "web/sharing/consent_new.html", _form_context(actor, record, notice, values, set(), {}))
    post = request.POST
    values = {
        name: post.get(name, "")
        for name in (DECISION, "purpose", "method", "witness_name", "valid_until", "expressed_by", "notes")
    }
    values["until_support_ends"] = "true" if post.get("until_support_ends") else ""
    chosen = set(post.getlist(SCOPE))
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    refused = values[DECISION] == REFUSED
    until_support_ends = bool(values["until_support_ends"])
    valid_until = None if until_support_ends else _parse_date(values["valid_until"])
    scopes = _read_scopes(post, values["purpose"], _recipients(actor, notice))
    try:
        # What only the page asks, checked before the service so that every mistake shows at once.
        problems: dict[str, list[str]] = {}
        if values[DECISION] not in {AGREED, REFUSED}:
            problems[DECISION] = [_("Choose whether the client agreed or refused.")]
        if values["purpose"] not in notice.purposes:
            problems["purpose"] = [_("Choose why the information is shared.")]
        if not scopes:
            problems[SCOPE] = [_("Tick at least one kind of information for a partner.")]
        if not refused and not until_support_ends and values["valid_until"].strip() and valid_until is None:
            problems["valid_until"] = [_("Enter the date as day, month and year, for example 27 3 2027.")]
        if problems:
            raise InvalidInput(problems)
        answer: dict[str, Any] = {
            "actor": actor,
            "client": client,
            "notice": notice,
            "scopes": scopes,
            "method": values["method"],
            "evidence": request.FILES.get("evidence"),
            "witness_name": values["witness_name"],
            "expressed_by": values["expressed_by"],
            "notes": values["notes"],
        }
        if refused:
            consent = services.consent_refuse(**answer)
        else:
            consent = services.consent_give(**answer, valid_until=valid_until, until_support_ends=until_support_ends)
    except InvalidInput as exc:
        errors = _scope_errors(exc.errors)
        return render(
            request,
            "web/sharing/consent_new.html",
            _form_context(actor, record, notice, values, chosen, errors),
            status=exc.status,
        )
    if refused:
        messages.success(
            request,
            _("The refusal is recorded. Nothing will be shared with the partners the client was asked about."),
        )
    else:
        messages.success(request, _("Consent is recorded. Give the client a copy of the receipt."))
    return redirect("web:consent_receipt", client_id=client_id, record_id=consent.pk)


@staff_page
def consent_form(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    """The paper form: the same choices as the page, with lines to sign."""
    record = _header_record(actor, client_id)
    notice = agreement_selectors.published_notice(actor=actor)
    if notice is None:
        return _no_notice(request, record)
    return render(
        request,
        "web/sharing/consent_form.html",
        {
            "record": record,
            "notice": notice,
            "partners": _recipients(actor, notice),
            "categories": [str(c.label) for c in _categories(notice)],
            "purposes": [str(p.label) for p in _purposes(notice)],
            "methods": [str(label) for _value, label in ConsentMethod.choices],
            "back_url": consents_url(client_id),
        },
    )


def _consent_view(actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID) -> ConsentView:
    """The record as the client's consents list shows it; a record of another client is not found."""
    view = next(
        (
            v
            for v in consents.client_consents(actor=actor, client_id=client_id, purpose=PURPOSE)
            if v.id == str(record_id)
        ),
        None,
    )
    if view is None:
        raise Http404("No such consent record.")
    return view


@staff_page
def consent_receipt(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID
) -> HttpResponse:
    record = _header_record(actor, client_id)
    view = _consent_view(actor, client_id, record_id)
    document = consents.consent_document(actor=actor, record_id=record_id, purpose=PURPOSE)
    return render(
        request,
        "web/sharing/consent_receipt.html",
        {
            "record": record,
            "consent": view,
            "document": document,
            # A refusal has no Kantara receipt (every one says its purposes were consented to).
            "formats": [
                (fmt, label) for fmt, label in FORMATS if not (fmt == "kantara" and document.state == EventKind.REFUSED)
            ],
            "back_url": consents_url(client_id),
            "evidence_field": _evidence_field({}) if _may_attach(actor, view) else None,
        },
    )


def _may_attach(actor: StaffMember, view: ConsentView) -> bool:
    """Only the recording organisation attaches the signed form (the service checks it again)."""
    return view.awaiting_evidence and view.organisation_id == actor.organisation_id


def _evidence_field(errors: Mapping[str, Sequence[str]]) -> FieldView:
    return FieldView(
        name="evidence",
        id=field_id("evidence"),
        label=_("Scan or photograph of the signed form"),
        widget="file",
        hint=_("A PDF, JPEG or PNG file, up to 10 MB. Once attached it cannot be replaced."),
        errors=tuple(errors.get("evidence", ())),
        required=True,
    )


@staff_page
def consent_evidence(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID
) -> HttpResponse:
    """Attach the signed paper form to a consent recorded without it; until then it does not count."""
    record = _header_record(actor, client_id)
    view = _consent_view(actor, client_id, record_id)
    receipt = reverse("web:consent_receipt", kwargs={"client_id": client_id, "record_id": record_id})
    if not view.awaiting_evidence:
        return redirect(receipt)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        consent = consents.consent_record_for_action(actor=actor, record_id=record_id, purpose=PURPOSE)
        try:
            services.consent_attach_evidence(actor=actor, record=consent, upload=request.FILES.get("evidence"))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The signed form is attached. The consent counts from now."))
            return redirect(receipt)
    field = _evidence_field(errors)
    return render(
        request,
        "web/sharing/consent_evidence.html",
        {
            "record": record,
            "consent": view,
            "field": field,
            "may_attach": _may_attach(actor, view),
            "errors": error_links((field,), errors),
            "back_url": receipt,
        },
        status=422 if errors else 200,
    )


def evidence_response(evidence: consents.EvidenceFile) -> FileResponse:
    response = FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True, filename=evidence.filename
    )
    response["X-Content-SHA256"] = evidence.sha256
    return response


@staff_page
def consent_evidence_download(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID
) -> FileResponse:
    _consent_view(actor, client_id, record_id)
    return evidence_response(consents.consent_evidence(actor=actor, record_id=record_id, purpose=PURPOSE))


@staff_page
def consent_export(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID, fmt: str
) -> HttpResponse:
    export = EXPORTS.get(fmt)
    if export is None:
        raise Http404("No such format.")
    _consent_view(actor, client_id, record_id)
    document = consents.consent_document(actor=actor, record_id=record_id, purpose=PURPOSE)
    convert, stem = export
    try:
        exported = convert(document)
    except IncompleteConsentRecord as exc:
        # The standard makes fields mandatory that this record lacks (for example a controller's
        # contact details): say which, on the receipt, rather than hand over an invalid file.
        messages.error(
            request,
            _("This consent cannot be downloaded as %(standard)s: it lacks %(missing)s.")
            % {"standard": exc.standard, "missing": ", ".join(exc.missing)},
        )
        return redirect("web:consent_receipt", client_id=client_id, record_id=record_id)
    response = HttpResponse(
        json.dumps(exported, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consent-{document.client_ref}-{stem}.json"'
    return response


@staff_page
def consent_withdraw(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID
) -> HttpResponse:
    record = _header_record(actor, client_id)
    view = _consent_view(actor, client_id, record_id)
    in_force = [s for s in view.scopes if s.in_force]
    chosen = set(request.POST.getlist(SCOPE)) if request.method == "POST" else set()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        ids = {s.id for s in in_force if str(s.id) in chosen}
        if not ids:
            errors[SCOPE] = [_("Tick what the client no longer agrees to share.")]
        else:
            consent = consents.consent_record_for_action(actor=actor, record_id=record_id, purpose=PURPOSE)
            whole = ids == {s.id for s in in_force}
            try:
                services.consent_withdraw(
                    record=consent,
                    scopes=None if whole else [s for s in consent.scopes.all() if s.pk in ids],
                    actor=actor,
                    note=request.POST.get("note", ""),
                )
            except InvalidInput as exc:
                errors = _scope_errors(exc.errors)
            else:
                messages.success(request, _("Consent is withdrawn. Partners can no longer see what it covered."))
                return redirect(consents_url(client_id))
    field = FieldView(
        name=SCOPE,
        id=field_id(SCOPE),
        label=_("What does the client no longer agree to share?"),
        widget="checkboxes",
        hint=_("Tick every row to withdraw all of this consent."),
        option_groups=(
            OptionGroup(
                "",
                tuple(
                    Option(
                        str(s.id),
                        _("%(category)s with %(recipient)s, for %(purpose)s")
                        % {"category": s.category_label, "recipient": s.recipient, "purpose": s.purpose_label.lower()},
                        str(s.id) in chosen,
                    )
                    for s in in_force
                ),
            ),
        ),
        errors=tuple(errors.get(SCOPE, ())),
        required=True,
    )
    note = FieldView(
        name="note",
        id=field_id("note"),
        label=_("Note (optional)"),
        widget="textarea",
        value=request.POST.get("note", ""),
        errors=tuple(errors.get("note", ())),
    )
    return render(
        request,
        "web/sharing/consent_withdraw.html",
        {
            "record": record,
            "consent": view,
            "fields": (field, note),
            "has_rows": bool(in_force),
            "errors": error_links((field, note), errors),
            "back_url": consents_url(client_id),
        },
        status=422 if errors else 200,
    )
