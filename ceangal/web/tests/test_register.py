"""Registering a client through the page: saved once and audited, or refused with every problem
named against its field and nothing saved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm

pytestmark = pytest.mark.django_db


def form(**overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Eilidh",
        "family_name": "Grant",
        "preferred_name": "",
        "date_of_birth": "27 3 2001",
        "ni_number": "AB 12 34 56 C",
        "postcode": "ky1 1xx",
        "local_authority": "S12000047",
        "contact.email": "eilidh@example.org",
        "contact.phone": "",
    }
    data.update(overrides)
    return data


def test_the_form_asks_for_every_identity_field_by_its_label(kirsty):
    html = kirsty.get("/clients/new/").content.decode()

    for label in (
        "Given name",
        "Family name",
        "Preferred name",
        "Date of birth",
        "National Insurance number",
        "Postcode",
        "Local authority",
        "Email address",
        "Phone number",
    ):
        assert re.search(rf'<label class="ds_label" for="[^"]+">{label}</label>', html), label
    assert '<option value="S12000047">Fife</option>' in html
    assert "For example 27 3 2007." in html


def test_registering_saves_the_client_audits_it_and_opens_the_record(kirsty, personas):
    response = kirsty.post("/clients/new/", form())

    client = cm.Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/"
    assert client.identity.date_of_birth == dt.date(2001, 3, 27)
    assert client.identity.postcode == "KY1 1XX"
    assert client.contact.email == "eilidh@example.org"
    assert AuditEvent.objects.filter(action="client.registered", client_id=client.pk).count() == 1

    record = kirsty.get(response["Location"]).content.decode()
    assert "Eilidh Grant is registered" in record
    assert "ds_notification--success" in record


@pytest.mark.parametrize("date_text", ["2001-03-27", "27/03/2001", "27 3 2001"])
def test_a_date_of_birth_may_be_typed_in_the_usual_ways(kirsty, date_text):
    assert kirsty.post("/clients/new/", form(date_of_birth=date_text)).status_code == 302
    assert cm.IdentitySection.objects.get().date_of_birth == dt.date(2001, 3, 27)


def _bad_inputs() -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    ten_years_ago = today - dt.timedelta(days=10 * 365)
    return [
        ("ni_number", "QQ 12 34 56 C", "National Insurance number"),
        ("date_of_birth", f"{tomorrow.day} {tomorrow.month} {tomorrow.year}", "Date of birth"),
        ("date_of_birth", f"{ten_years_ago.day} {ten_years_ago.month} {ten_years_ago.year}", "Date of birth"),
        ("date_of_birth", "31 2 2001", "Date of birth"),
        ("local_authority", "S99999999", "Local authority"),
        ("postcode", "NOT A POSTCODE", "Postcode"),
        ("given_name", "", "Given name"),
        ("contact.email", "not-an-email", "Email address"),
    ]


@pytest.mark.parametrize(("name", "value", "label"), _bad_inputs())
def test_bad_input_is_named_in_the_error_summary_kept_and_nothing_is_saved(kirsty, name, value, label):

    before = cm.Client.objects.count()

    response = kirsty.post("/clients/new/", form(**{name: value}))

    html = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in html
    anchor = "f-" + name.replace(".", "-")
    summary = html[html.index('class="ds_error-summary"') : html.index("</ul>", html.index('class="ds_error-summary"'))]
    assert re.search(rf'<a href="#{anchor}">{label}: ', summary), summary
    assert f'id="{anchor}-error"' in html  # the message beside the field too
    if value and name != "local_authority":
        assert f'value="{value}"' in html  # what was typed is kept
    assert cm.Client.objects.count() == before
    assert not AuditEvent.objects.filter(action="client.registered").exists()


def test_every_problem_is_reported_at_once(kirsty):
    response = kirsty.post("/clients/new/", form(given_name="", postcode="x", ni_number="bad"))

    html = response.content.decode()
    assert response.status_code == 422
    for anchor in ("f-given_name", "f-postcode", "f-ni_number"):
        assert f'href="#{anchor}"' in html


def test_staff_who_do_not_hold_a_caseload_cannot_register(sign_in, personas):
    browser = sign_in(personas.council_admin)

    response = browser.post("/clients/new/", form())

    assert response.status_code == 403
    assert "cannot change client records" in response.content.decode()
    assert cm.Client.objects.count() == 0
