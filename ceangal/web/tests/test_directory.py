"""The directory pages: browse, filter, read, publish, change, retire, download."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ceangal.directory.models import Service
from ceangal.directory.services import service_retire
from ceangal.directory.tests.factories import make_service

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Money Advice for Work",
    "description": "Benefit checks and budgeting before starting work.",
    "stages": ["PS2"],
    "needs": ["B_DEBT"],
    "min_age": "18",
    "max_age": "",
    "local_authorities": ["S12000047"],
    "postcode_areas": "ky1, KY2",
    "benefits": ["UC"],
    "places_available": "3",
    "waiting_days": "7",
    "email": "money@example.org",
    "phone": "",
    "categories_needed": ["identity", "contact", "benefits"],
    "location_name": "Kirkcaldy Library",
    "location_address": "War Memorial Gardens, Kirkcaldy",
    "location_postcode": "ky1 1yg",
}


def test_every_member_of_staff_browses_and_filters(sign_in, personas):
    hub = make_service(personas.council_admin)
    course = make_service(personas.college_leader, name="Access Course", stages=["PS3"], local_authorities=[])
    browser = sign_in(personas.outsider)
    page = browser.get(reverse("web:directory_list")).content.decode()
    assert hub.name in page
    assert course.name in page
    assert "5 places available; waiting time about 10 days." in page
    assert "Publish a service" not in page
    page = browser.get(reverse("web:directory_list"), {"stage": "PS3"}).content.decode()
    assert course.name in page
    assert hub.name not in page
    page = browser.get(reverse("web:directory_list"), {"local_authority": "S12000049", "need": ""}).content.decode()
    assert course.name in page
    assert hub.name not in page


def test_retired_services_are_not_listed_but_their_page_says_so(sign_in, personas):
    gone = make_service(personas.council_admin, name="Old Scheme")
    service_retire(actor=personas.council_admin, service=gone, reason="Funding ended.")
    browser = sign_in(personas.council_worker)
    assert "Old Scheme" not in browser.get(reverse("web:directory_list")).content.decode()
    page = browser.get(reverse("web:directory_detail", kwargs={"service_id": gone.pk})).content.decode()
    assert "retired" in page
    assert "Funding ended." in page


def test_service_page_shows_criteria_in_words(sign_in, personas):
    hub = make_service(personas.council_admin)
    page = sign_in(personas.college_worker).get(reverse("web:directory_detail", kwargs={"service_id": hub.pk}))
    text = page.content.decode()
    assert "16 to 24" in text
    assert "Fife" in text
    assert "Confidence or motivation" in text
    assert "Kirkcaldy Hub" in text
    assert "Change this service" not in text


def test_an_admin_publishes_a_service(sign_in, personas):
    browser = sign_in(personas.council_admin)
    assert browser.get(reverse("web:directory_new")).status_code == 200
    response = browser.post(reverse("web:directory_new"), FORM)
    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:directory_detail", kwargs={"service_id": service.pk})
    assert service.postcode_areas == ["KY1", "KY2"]
    assert service.min_age == 18
    assert service.max_age is None
    assert service.locations.get().postcode == "KY1 1YG"


def test_a_bad_form_names_every_field_and_saves_nothing(sign_in, personas):
    browser = sign_in(personas.council_leader)
    bad = FORM | {"name": "", "min_age": "eighteen", "stages": [], "location_postcode": "nowhere"}
    response = browser.post(reverse("web:directory_new"), bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'href="#f-name"' in page
    assert 'href="#f-min_age"' in page
    assert 'href="#f-stages-0"' in page
    assert 'href="#f-location_postcode"' in page
    assert "Give a whole number" in page
    assert not Service.objects.exists()


@pytest.mark.parametrize("who", ["council_worker", "council_dpo", "analyst"])
def test_others_are_not_offered_the_forms(sign_in, personas, who):
    hub = make_service(personas.council_admin)
    browser = sign_in(getattr(personas, who))
    assert browser.get(reverse("web:directory_new")).status_code == 403
    assert browser.post(reverse("web:directory_new"), FORM).status_code == 403
    assert browser.get(reverse("web:directory_edit", kwargs={"service_id": hub.pk})).status_code == 403
    assert Service.objects.count() == 1


def test_another_organisations_leader_may_not_change_it(sign_in, personas):
    hub = make_service(personas.council_admin)
    browser = sign_in(personas.college_leader)
    url = reverse("web:directory_edit", kwargs={"service_id": hub.pk})
    assert browser.post(url, FORM).status_code == 403
    hub.refresh_from_db()
    assert hub.name == "Youth Employability Hub"


def test_edit_then_retire(sign_in, personas):
    hub = make_service(personas.council_admin)
    browser = sign_in(personas.council_leader)
    url = reverse("web:directory_edit", kwargs={"service_id": hub.pk})
    page = browser.get(url).content.decode()
    assert 'value="Youth Employability Hub"' in page
    assert "KY1, KY2" in page
    assert browser.post(url, FORM | {"places_available": "0"}).status_code == 302
    hub.refresh_from_db()
    assert hub.name == "Money Advice for Work"
    assert hub.places_available == 0
    refused = browser.post(url, {"action": "retire", "retired_reason": ""})
    assert refused.status_code == 422
    assert "Say why" in refused.content.decode()
    assert browser.post(url, {"action": "retire", "retired_reason": "Merged."}).status_code == 302
    hub.refresh_from_db()
    assert not hub.active


def test_download_is_hsds_json(sign_in, personas):
    make_service(personas.council_admin)
    response = sign_in(personas.council_worker).get(reverse("web:directory_export"))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["services"][0]["name"] == "Youth Employability Hub"


def test_directory_is_in_the_navigation(sign_in, personas):
    page = sign_in(personas.council_worker).get(reverse("web:directory_list")).content.decode()
    assert 'aria-current="page">Directory<' in page


def test_the_demo_has_a_directory_to_browse(sign_in):
    from io import StringIO

    from django.core.management import call_command

    from ceangal.partners.models import StaffMember

    call_command("demo", "--clients=1", stdout=StringIO())
    key_worker = StaffMember.objects.get(user__email="keyworker@council.demo")
    page = sign_in(key_worker).get(reverse("web:directory_list")).content.decode()
    assert "3 services" in page
    assert "No places available at the moment; waiting time about 42 days." in page


def test_editing_on_the_page_keeps_the_places_it_does_not_show(sign_in, personas):
    from ceangal.directory.services import LocationTerms

    hub = make_service(
        personas.council_admin,
        locations=[LocationTerms(name="Kirkcaldy Hub", postcode="KY1 1AA"), LocationTerms(name="Glenrothes Hub")],
    )
    browser = sign_in(personas.council_admin)
    url = reverse("web:directory_edit", kwargs={"service_id": hub.pk})
    page = browser.get(url).content.decode()
    # Places are in name order: the form shows Glenrothes Hub and lists Kirkcaldy Hub as kept.
    assert 'value="Glenrothes Hub"' in page
    assert "<li>Kirkcaldy Hub, KY1 1AA</li>" in page
    assert browser.post(url, FORM).status_code == 302
    assert sorted(hub.locations.values_list("name", flat=True)) == ["Kirkcaldy Hub", "Kirkcaldy Library"]


def test_a_change_saved_by_someone_else_meanwhile_is_not_overwritten(sign_in, personas):
    from ceangal.directory.services import service_update
    from ceangal.directory.tests.factories import service_terms

    hub = make_service(personas.council_admin)
    browser = sign_in(personas.council_leader)
    url = reverse("web:directory_edit", kwargs={"service_id": hub.pk})
    assert 'name="version" value="1"' in browser.get(url).content.decode()
    service_update(actor=personas.council_admin, service=hub, terms=service_terms(name="Changed meanwhile"))
    response = browser.post(url, FORM | {"version": "1"})
    assert response.status_code == 409
    assert "Open the latest version" in response.content.decode()
    hub.refresh_from_db()
    assert hub.name == "Changed meanwhile"
