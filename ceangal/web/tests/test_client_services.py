"""The "services this client may be eligible for" page, linked from the client's record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ceangal.clients.services import engagement_open
from ceangal.directory.tests.factories import make_service
from ceangal.ledger.models import LedgerEntry
from ceangal.testing.factories import make_agreement

pytestmark = pytest.mark.django_db


def _url(client, **query):
    url = reverse("web:client_services", kwargs={"client_id": client.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_record_links_to_the_page(kirsty, morag):
    page = kirsty.get(reverse("web:client_record", kwargs={"client_id": morag.pk})).content.decode()
    assert _url(morag) in page
    assert "Services this client may be eligible for" in page


def test_eligible_first_then_the_others_with_reasons_capacity_and_links(kirsty, morag, personas):
    hub = make_service(personas.council_leader, min_age=16, max_age=99)
    edinburgh = make_service(
        personas.council_leader, name="Edinburgh Works", local_authorities=["S12000036"], postcode_areas=[]
    )
    response = kirsty.get(_url(morag))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Morag Macleod" in page
    assert page.index(hub.name) < page.index(edinburgh.name)
    assert page.index("1 service the client may be eligible for") < page.index(hub.name)
    assert reverse("web:directory_detail", kwargs={"service_id": hub.pk}) in page
    assert reverse("web:directory_detail", kwargs={"service_id": edinburgh.pk}) in page
    assert "The service covers City of Edinburgh; the client lives in Fife." in page
    assert "5 places available; waiting time about 10 days." in page
    assert "Benefits: Nothing is recorded." in page
    [entry] = LedgerEntry.objects.filter(actor_staff_id=personas.council_worker.pk)
    assert entry.categories == ["identity"]


def test_filters_by_stage_and_need_without_javascript(kirsty, morag, personas):
    make_service(personas.council_leader, name="Stage one", stages=["PS1"], needs=["B_CONF"])
    make_service(personas.council_leader, name="Stage three", stages=["PS3"], needs=["B_TRANSPORT"])
    page = kirsty.get(_url(morag, stage="PS3")).content.decode()
    assert "Stage three" in page
    assert "Stage one" not in page
    assert 'method="get"' in page
    page = kirsty.get(_url(morag, need="B_CONF")).content.decode()
    assert "Stage one" in page
    assert "Stage three" not in page
    assert "Clear filters" in page


def test_a_partner_without_consent_sees_no_name_and_why_the_facts_are_unknown(sign_in, morag, personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    engagement_open(actor=personas.college_worker, client=morag)
    make_service(personas.council_leader, name="Fife Youth Hub", min_age=16, max_age=24)
    page = sign_in(personas.college_worker).get(_url(morag)).content.decode()
    assert "Morag" not in page
    assert morag.reference in page
    assert "not agreed to share this with Fife College" in page
    assert "1 service the client may be eligible for" in page  # unknown age is not held against her
    assert not LedgerEntry.objects.filter(actor_staff_id=personas.college_worker.pk).exists()


def test_an_outsider_gets_not_found(sign_in, morag, personas):
    assert sign_in(personas.outsider).get(_url(morag)).status_code == 404
