"""The services a client may be eligible for, from their record.

The policy layer (policy.eligibility) reads the client, derives the facts the decision permits
and asks the directory; this view parses the stage and need filters and renders. The page works
without JavaScript: the filters are a GET form.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ceangal.partners.models import StaffMember
from ceangal.policy.eligibility import services_for_client
from ceangal.web.access import staff_page
from ceangal.web.forms import filter_select
from ceangal.web.views import PURPOSE


@staff_page
def client_services(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    chosen = {name: request.GET.get(name, "").strip() for name in ("stage", "need")}
    found = services_for_client(
        actor=actor,
        client_id=client_id,
        purpose=PURPOSE,
        stage=chosen["stage"] or None,
        need=chosen["need"] or None,
    )
    filters = (
        filter_select("stage", _("Stage"), chosen, "pipeline_stage", _("Any stage")),
        filter_select("need", _("Need"), chosen, "barrier", _("Any need")),
    )
    unknown = _("Not known")
    benefits = unknown if found.benefits is None else (", ".join(found.benefit_labels) or _("None now"))
    facts = (
        {"label": _("Age"), "value": unknown if found.age is None else str(found.age)},
        {"label": _("Council area"), "value": found.local_authority_label or unknown},
        {"label": _("Postcode"), "value": found.postcode or unknown},
        {"label": _("Benefits received"), "value": benefits},
        {"label": _("Needs"), "value": unknown if found.needs is None else ", ".join(found.need_labels)},
    )
    # A need no service meets is worth recording for the partnership: the gap form comes prefilled
    # with what the page was filtered by and the client's council area (nothing that names them).
    prefill = {"need": chosen["need"], "stage": chosen["stage"], "local_authority": found.local_authority or ""}
    gap_url = reverse("web:gap_new") + "?" + urlencode({k: v for k, v in prefill.items() if v})
    return render(
        request,
        "web/client_services.html",
        {
            "found": found,
            "facts": facts,
            "filters": filters,
            "filtered": any(chosen.values()),
            "gap_url": gap_url,
        },
    )
