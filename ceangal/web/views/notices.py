"""Privacy notices: what clients are told. Any member of staff may read them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ceangal.agreements import selectors
from ceangal.partners.models import OrganisationType, StaffMember
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose
from ceangal.web.access import staff_page


@staff_page
def notice_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    return render(
        request, "web/sharing/notice_list.html", {"notices": selectors.notices(actor=actor), "nav": "notices"}
    )


@staff_page
def notice_detail(request: HttpRequest, actor: StaffMember, notice_id: int) -> HttpResponse:
    notice = selectors.notices(actor=actor).filter(pk=notice_id).first()
    if notice is None:
        raise Http404("No such notice.")
    return render(
        request,
        "web/sharing/notice_detail.html",
        {
            "notice": notice,
            "purposes": [str(p.label) for p in Purpose if p.value in notice.purposes],
            "categories": [str(c.label) for c in DataCategory if c.value in notice.categories],
            "recipient_types": [str(t.label) for t in OrganisationType if t.value in notice.recipient_types],
            "nav": "notices",
        },
    )
