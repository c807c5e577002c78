"""The data protection officer's pages: what needs attention, and the break-glass review queue.

These pages exist only for DPOs; anyone else gets the ordinary "not found" page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.agreements.selectors import agreement_alerts
from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_review as review_grant
from ceangal.policy.consents import break_glass_grant_for_review, break_glass_queue
from ceangal.policy.models import ReviewOutcome
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id


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
