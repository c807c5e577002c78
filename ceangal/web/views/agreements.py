"""The register of information sharing agreements, and one agreement as a readable document.

Any member of staff may read the register (it says what the partnership may share and why); only
a party's data protection officer may sign a draft or suspend, resume or end a live version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ceangal.agreements import selectors, services
from ceangal.agreements.models import AgreementStatus, AgreementVersion
from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id

# What a DPO may do to a version in each status (agreements.services._TRANSITIONS, seen from here).
NEXT_STATUSES = {
    AgreementStatus.ACTIVE: (AgreementStatus.SUSPENDED, AgreementStatus.ENDED),
    AgreementStatus.SUSPENDED: (AgreementStatus.ACTIVE, AgreementStatus.ENDED),
}
STATUS_ACTIONS = {
    AgreementStatus.ACTIVE: gettext_lazy("Resume sharing"),
    AgreementStatus.SUSPENDED: gettext_lazy("Suspend sharing"),
    AgreementStatus.ENDED: gettext_lazy("End the agreement"),
}


@staff_page
def agreement_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    return render(
        request,
        "web/sharing/agreement_list.html",
        {"versions": selectors.agreement_versions(actor=actor), "nav": "agreements"},
    )


def _status_fields(
    version: AgreementVersion, values: Mapping[str, str], errors: Mapping[str, Sequence[str]]
) -> tuple[FieldView, ...]:
    choices = NEXT_STATUSES.get(AgreementStatus(version.status), ())
    return (
        FieldView(
            name="status",
            id=field_id("status"),
            label=_("What do you want to do?"),
            widget="radios",
            option_groups=(
                OptionGroup(
                    "", tuple(Option(s.value, str(STATUS_ACTIONS[s]), s.value == values.get("status")) for s in choices)
                ),
            ),
            errors=tuple(errors.get("status", ())),
            required=True,
        ),
        FieldView(
            name="status_reason",
            id=field_id("status_reason"),
            label=_("Why"),
            widget="textarea",
            value=values.get("status_reason", ""),
            errors=tuple(errors.get("status_reason", ())),
            required=True,
        ),
    )


@staff_page
def agreement_detail(request: HttpRequest, actor: StaffMember, version_id: int) -> HttpResponse:
    version = selectors.agreement_version(actor=actor, version_id=version_id)
    if version is None:
        raise Http404("No such agreement.")
    parties = list(version.parties.all())
    is_dpo = actor.role == Role.DPO
    own_party = next((p for p in parties if p.organisation_id == actor.organisation_id), None)
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not is_dpo or own_party is None:
            raise Http404("No such agreement.")
        action = request.POST.get("action", "")
        values = {name: request.POST.get(name, "") for name in ("status", "status_reason")}
        try:
            if action == "sign":
                services.agreement_sign(actor=actor, version=version)
                messages.success(request, _("You have signed the agreement for %(org)s.") % {"org": actor.organisation})
            else:
                services.agreement_set_status(
                    actor=actor, version=version, status=values["status"], reason=values["status_reason"]
                )
                messages.success(request, _("The status of the agreement is changed."))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect("web:agreement_detail", version_id=version.pk)
    fields = _status_fields(version, values, errors)
    purposes = [
        (p, [str(DataCategory(c).label) for c in p.categories if c in DataCategory.values])
        for p in version.purposes.all()
    ]
    return render(
        request,
        "web/sharing/agreement_detail.html",
        {
            "version": version,
            "parties": parties,
            "purposes": purposes,
            "can_sign": is_dpo
            and version.status == AgreementStatus.DRAFT
            and own_party is not None
            and own_party.signed_at is None,
            "can_change_status": is_dpo and own_party is not None and version.status in NEXT_STATUSES,
            "fields": fields,
            "errors": error_links(fields, errors),
            "nav": "agreements",
        },
        status=422 if errors else 200,
    )
