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
        "purpose_count": "1",
        **_purpose(
            0,
            purpose="referral",
            lawful_basis="public_task",
            categories=["identity", "qualifications"],
            why_necessary="The college needs to know who is referred.",
        ),
    }
    data.update({(f"purposes-0-{k}" if k in PURPOSE_NAMES else k): v for k, v in changes.items()})
    return data


PURPOSE_NAMES = {"purpose", "lawful_basis", "article9_condition", "article10_condition", "categories", "why_necessary"}


def _purpose(index, **fields):
    block = {"purpose": "", "lawful_basis": "", "article9_condition": "", "article10_condition": ""}
    block |= {"categories": [], "why_necessary": ""} | fields
    return {f"purposes-{index}-{name}": value for name, value in block.items()}


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
    assert "Add another purpose" in html
    assert 'name="purpose_count" value="1"' in html
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
    assert 'href="#f-purposes-0-lawful_basis"' in html
    assert "Purpose 1: lawful basis (Article 6): Every purpose needs a lawful basis" in html
    # What was typed is kept.
    assert "Referrals to the college" in html
    assert "The college needs to know who is referred." in html
    assert 'value="qualifications" checked' in html
    assert not SharingAgreement.objects.exists()


def test_health_information_needs_an_article9_condition(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas, categories=["identity", "health"]))
    assert response.status_code == 422
    assert 'href="#f-purposes-0-article9_condition"' in response.content.decode()
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


def test_add_another_purpose_re_renders_with_one_more_block_and_saves_nothing(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    response = dana.post(URL, _form(personas) | {"action": "add_purpose"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="purpose_count" value="2"' in html
    assert 'id="purpose-2"' in html
    assert 'name="purposes-1-lawful_basis"' in html
    assert 'formaction="/agreements/new/#purpose-3"' in html
    assert "The college needs to know who is referred." in html  # what was typed is kept
    assert "Remove purpose 2" in html
    assert not SharingAgreement.objects.exists()


def test_a_dpo_saves_several_purposes_each_with_its_own_terms(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    data = _form(personas, purpose_count="2") | _purpose(
        1,
        purpose="support_coordination",
        lawful_basis="consent",
        categories=["identity", "health"],
        article9_condition="A9-2-a",
    )
    response = dana.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = AgreementVersion.objects.get()
    terms = {p.purpose: (p.lawful_basis, p.categories, p.article9_condition) for p in version.purposes.all()}
    assert terms == {
        "referral": ("public_task", ["identity", "qualifications"], ""),
        "support_coordination": ("consent", ["health", "identity"], "A9-2-a"),
    }


def test_errors_name_the_purpose_and_the_field(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    data = _form(personas, purpose_count="2") | _purpose(
        1, purpose="referral", lawful_basis="consent", categories=["convictions"]
    )
    response = dana.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-purposes-1-purpose"' in html
    assert "Purpose 2: why information is shared: Each purpose appears once" in html
    assert 'href="#f-purposes-1-article10_condition"' in html
    assert "Purpose 2: Article 10 condition:" in html
    assert 'href="#f-purposes-0-' not in html  # the first purpose is fine
    assert not SharingAgreement.objects.exists()


def test_remove_a_purpose(sign_in, personas):
    dana = sign_in(personas.council_dpo)
    data = _form(personas, purpose_count="2") | _purpose(1, purpose="evaluation") | {"remove_purpose": "0"}
    html = dana.post(URL, data).content.decode()
    assert 'name="purpose_count" value="1"' in html
    assert 'value="evaluation" selected' in html
    assert "Remove purpose" not in html
    assert not SharingAgreement.objects.exists()
