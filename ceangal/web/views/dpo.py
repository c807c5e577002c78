"""The data protection officer's pages: what needs attention, the break-glass review queue, and
the consent records naming their organisation.

These pages exist only for DPOs; anyone else gets the ordinary "not found" page.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.agreements.selectors import agreement_alerts
from ceangal.consent.models import EventKind
from ceangal.errors import InvalidInput
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_review as review_grant
from ceangal.policy.consents import (
    DPO_LIST_LIMIT,
    break_glass_grant_for_review,
    break_glass_queue,
    consent_evidence,
    dpo_consent_records,
)
from ceangal.policy.consents import dpo_consent_record as dpo_consent_record_for_review
from ceangal.policy.models import ReviewOutcome
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id
from ceangal.web.views import PURPOSE
from ceangal.web.views.consent import evidence_response


def _require_dpo(actor: StaffMember) -> None:
    if actor.role != Role.DPO:
        raise Http404("No such page.")


@staff_page
def dpo_dashboard(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    _require_dpo(actor)
    alerts = agreement_alerts(actor=actor, today=timezone.localdate())
    return render(
        request,
        "web/sharing/dpo_dashboard.html",
        {"alerts": alerts, "queue_count": len(break_glass_queue(actor=actor)), "nav": "dpo"},
    )


@staff_page
def dpo_break_glass_queue(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    _require_dpo(actor)
    return render(
        request,
        "web/sharing/break_glass_queue.html",
        {"grants": break_glass_queue(actor=actor, include_reviewed=True), "nav": "dpo"},
    )


@staff_page
def dpo_break_glass_review(request: HttpRequest, actor: StaffMember, grant_id: int) -> HttpResponse:
    _require_dpo(actor)
    grant = break_glass_grant_for_review(actor=actor, grant_id=grant_id)
    errors: dict[str, list[str]] = {}
    outcome = request.POST.get("outcome", "")
    note = request.POST.get("review_note", "")
    if request.method == "POST":
        try:
            review_grant(actor=actor, grant=grant, outcome=outcome, note=note)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Your review is recorded."))
            return redirect("web:dpo_break_glass_queue")
    fields = (
        FieldView(
            name="outcome",
            id=field_id("outcome"),
            label=_("Was the access justified?"),
            widget="radios",
            option_groups=(
                OptionGroup("", tuple(Option(v, str(label), v == outcome) for v, label in ReviewOutcome.choices)),
            ),
            errors=tuple(errors.get("outcome", ())),
            required=True,
        ),
        FieldView(
            name="review_note",
            id=field_id("review_note"),
            label=_("What you found"),
            widget="textarea",
            value=note,
            errors=tuple(errors.get("review_note", ())),
            required=True,
        ),
    )
    return render(
        request,
        "web/sharing/break_glass_review.html",
        {
            "grant": grant,
            "categories": [str(DataCategory(c).label) for c in grant.categories],
            "fields": fields,
            "errors": error_links(fields, errors),
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )


# --- Consent records naming the DPO's organisation ---------------------------------------------

CONSENT_STATE_FILTERS = tuple((kind.value, str(kind.label)) for kind in EventKind)


@staff_page
def dpo_consent_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    """Consent records the DPO's organisation recorded or is named in, filtered by state and by
    validity ending within 30 days. Only references are listed; a record opens on its own page."""
    _require_dpo(actor)
    state = request.GET.get("state", "")
    if state not in EventKind.values:
        state = ""
    expiring = request.GET.get("expiring") == "true"
    fields = (
        FieldView(
            name="state",
            id=field_id("state"),
            label=_("State"),
            widget="select",
            value=state,
            empty_label=_("Any state"),
            option_groups=(OptionGroup("", tuple(Option(v, label, v == state) for v, label in CONSENT_STATE_FILTERS)),),
        ),
        FieldView(
            name="expiring",
            id=field_id("expiring"),
            label=_("Only those ending within 30 days"),
            widget="checkbox",
            checked=expiring,
        ),
    )
    rows = dpo_consent_records(actor=actor, state=state, expiring=expiring)
    return render(
        request,
        "web/sharing/dpo_consent_list.html",
        {"fields": fields, "rows": rows, "limit": DPO_LIST_LIMIT, "nav": "dpo"},
    )


@staff_page
def dpo_consent_record(request: HttpRequest, actor: StaffMember, record_id: uuid.UUID) -> HttpResponse:
    """One record, for review: the record itself with the name and reference that identify it,
    none of the client's case data. Opening it is audited and recorded in the access ledger."""
    _require_dpo(actor)
    reviewed = dpo_consent_record_for_review(actor=actor, record_id=record_id, channel=Channel.PAGE)
    return render(request, "web/sharing/dpo_consent_record.html", {"reviewed": reviewed, "nav": "dpo"})


@staff_page
def dpo_consent_evidence(request: HttpRequest, actor: StaffMember, record_id: uuid.UUID) -> FileResponse:
    _require_dpo(actor)
    return evidence_response(consent_evidence(actor=actor, record_id=record_id, purpose=PURPOSE))
