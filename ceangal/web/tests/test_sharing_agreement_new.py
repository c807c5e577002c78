"""A data protection officer drafts a new information sharing agreement through the web form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ceangal.agreements.models import AgreementVersion, SharingAgreement

pytestmark = pytest.mark.django_db

URL = reverse("web:agreement_new")


def _form(personas, **changes):
    data = {
        "title": "Referrals to the college",
        "reference": "",
        "summary": "So the council can refer clients to college courses.",
        "parties": [str(personas.council.pk), str(personas.college.pk)],
        "frequency": "weekly",
        "retention": "Kept for the course and two years after.",
        "retention_months": "24",
        "on_end": "return",
        "starts_on": "1 12 2026",
        "review_on": "1 12 2027",
        "ends_on": "",
        "dpia_reference": "DPIA-2026-07",
        "security": "",
        "purpose": "referral",
        "lawful_basis": "public_task",
        "article9_condition": "",
        "article10_condition": "",
        "categories": ["identity", "qualifications"],
        "why_necessary": "The college needs to know who is referred.",
    }
    data.update(changes)
    return data


def test_a_dpo_sees_the_form_with_their_own_organisation_ticked(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    register = dana.get(reverse("web:agreement_list")).content.decode()
    assert URL in register
    assert "Create an agreement" in register

    response = dana.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="parties" type="checkbox" value="{personas.council.pk}" checked' in html
    assert f'name="parties" type="checkbox" value="{personas.college.pk}">' in html
    assert "More purposes can be added through the API" in html
    assert "style=" not in html


def test_a_dpo_creates_a_draft(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas), follow=True)
    version = AgreementVersion.objects.get(agreement__title="Referrals to the college")
    assert response.redirect_chain[-1][0] == reverse("web:agreement_detail", kwargs={"version_id": version.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft saved: each party" in html
    assert "DPIA-2026-07" in html
    assert "Sign for Fife Council Employability" in html

    assert version.number == 1
    assert version.status == "draft"
    assert version.retention_months == 24
    assert str(version.starts_on) == "2026-12-01"
    assert version.ends_on is None
    assert {p.organisation_id for p in version.parties.all()} == {personas.council.pk, personas.college.pk}
    purpose = version.purposes.get()
    assert (purpose.purpose, purpose.lawful_basis) == ("referral", "public_task")
    assert purpose.categories == ["identity", "qualifications"]

    register = dana.get(reverse("web:agreement_list")).content.decode()
    assert "Referrals to the college" in register
    assert "Draft" in register


def test_a_missing_lawful_basis_is_named_and_nothing_is_saved(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas, lawful_basis=""))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-lawful_basis"' in html
    assert "Every purpose needs a lawful basis" in html
    # What was typed is kept.
    assert "Referrals to the college" in html
    assert "The college needs to know who is referred." in html
    assert 'value="qualifications" checked' in html
    assert not SharingAgreement.objects.exists()


def test_health_information_needs_an_article9_condition(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas, categories=["identity", "health"]))
    assert response.status_code == 422
    assert 'href="#f-article9_condition"' in response.content.decode()
    assert not SharingAgreement.objects.exists()

    chosen = _form(personas, categories=["identity", "health"], article9_condition="A9-2-h")
    assert dana.post(URL, chosen).status_code == 302
    assert SharingAgreement.objects.count() == 1


def test_an_end_before_the_start_is_refused(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas, ends_on="30 11 2026"))
    assert response.status_code == 422
    assert 'href="#f-ends_on"' in response.content.decode()
    assert not SharingAgreement.objects.exists()


def test_unreadable_dates_and_months_are_named(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas, starts_on="31 2 2026", review_on="", retention_months="two"))
    html = response.content.decode()
    assert response.status_code == 422
    for anchor in ("#f-starts_on", "#f-review_on", "#f-retention_months"):
        assert f'href="{anchor}"' in html, anchor
    assert 'value="31 2 2026"' in html
    assert not SharingAgreement.objects.exists()


def test_a_key_worker_gets_not_found(kirsty, personas):
    assert kirsty.get(URL).status_code == 404
    assert kirsty.post(URL, _form(personas)).status_code == 404
    assert not SharingAgreement.objects.exists()
    assert "Create an agreement" not in kirsty.get(reverse("web:agreement_list")).content.decode()
