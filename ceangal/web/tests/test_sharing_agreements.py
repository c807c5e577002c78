"""The agreements register, an agreement as a document, signing and changing status; notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ceangal.agreements.services import AgreementTerms, PurposeTerms, agreement_create
from ceangal.testing.factories import make_agreement, make_notice

pytestmark = pytest.mark.django_db

TOOLKIT_HEADINGS = [
    "1. Parties, scope, purposes, legal basis and constraints",
    "2. Information to be shared",
    "3. Data flows",
    "4. Data protection impact assessment",
    "5. Privacy information",
    "6. Accuracy",
    "7. Retention and secure disposal",
    "8. Individuals\u2019 rights",
    "9. Security",
    "10. International transfers",
    "11. Implementation",
    "12. Sign-off",
]


def _draft(personas):
    today = timezone.localdate()
    return agreement_create(
        actor=personas.council_dpo,
        title="Referrals to the college",
        terms=AgreementTerms(
            summary="So the council can refer clients to college courses.",
            frequency="weekly",
            retention="Kept for the course and two years after.",
            retention_months=24,
            on_end="return",
            starts_on=today,
            review_on=today + dt.timedelta(days=365),
            parties=[personas.council, personas.college],
            purposes=[PurposeTerms("referral", "public_task", ["identity", "qualifications"])],
            dpia_reference="DPIA-2026-07",
        ),
    )


def test_any_staff_member_reads_the_register_and_the_document(kirsty, personas):
    version = make_agreement([personas.council_dpo, personas.college_dpo])
    register = kirsty.get(reverse("web:agreement_list")).content.decode()
    assert version.agreement.title in register
    assert "Active" in register
    assert "Fife College" in register

    response = kirsty.get(reverse("web:agreement_detail", kwargs={"version_id": version.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    for heading in TOOLKIT_HEADINGS:
        assert heading in html, heading
    assert "Securely destroyed" in html
    assert "Sign for" not in html
    assert "Change status" not in html


def test_a_party_dpo_signs_a_draft_and_the_last_signature_brings_it_into_force(sign_in, personas):
    version = _draft(personas)
    url = reverse("web:agreement_detail", kwargs={"version_id": version.pk})
    dana = sign_in(personas.council_dpo)
    page = dana.get(url).content.decode()
    assert "Sign for Fife Council Employability" in page
    assert "DPIA-2026-07" in page
    dashboard = dana.get(reverse("web:dpo_dashboard")).content.decode()
    assert "Referrals to the college" in dashboard

    assert dana.post(url, {"action": "sign"}).status_code == 302
    version.refresh_from_db()
    assert version.status == "draft"
    assert "Sign for" not in dana.get(url).content.decode()

    assert sign_in(personas.college_dpo).post(url, {"action": "sign"}).status_code == 302
    version.refresh_from_db()
    assert version.status == "active"


def test_a_dpo_suspends_and_resumes(sign_in, personas):
    version = make_agreement([personas.council_dpo, personas.college_dpo])
    url = reverse("web:agreement_detail", kwargs={"version_id": version.pk})
    dana = sign_in(personas.council_dpo)
    refused = dana.post(url, {"action": "status", "status": "suspended", "status_reason": ""})
    assert refused.status_code == 422
    assert 'href="#f-status_reason"' in refused.content.decode()

    suspend = {"action": "status", "status": "suspended", "status_reason": "Breach found"}
    assert dana.post(url, suspend).status_code == 302
    version.refresh_from_db()
    assert version.status == "suspended"
    assert dana.post(url, {"action": "status", "status": "active", "status_reason": "Fixed"}).status_code == 302
    version.refresh_from_db()
    assert version.status == "active"


def test_staff_who_are_not_a_party_dpo_cannot_sign_or_change(kirsty, sign_in, personas):
    version = _draft(personas)
    url = reverse("web:agreement_detail", kwargs={"version_id": version.pk})
    assert kirsty.post(url, {"action": "sign"}).status_code == 404
    outsider_dpo = sign_in(personas.outsider)
    assert outsider_dpo.post(url, {"action": "sign"}).status_code == 404
    version.refresh_from_db()
    assert not version.parties.filter(signed_at__isnull=False).exists()


def test_an_unknown_agreement_is_not_found(kirsty):
    assert kirsty.get(reverse("web:agreement_detail", kwargs={"version_id": 999999})).status_code == 404


def test_notices_pages(kirsty, personas):
    notice = make_notice(personas.council_dpo)
    listing = kirsty.get(reverse("web:notice_list")).content.decode()
    assert notice.title in listing
    assert "Published" in listing
    response = kirsty.get(reverse("web:notice_detail", kwargs={"notice_id": notice.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Fife College", "Coordinating the client", "Qualifications", "Six years after support ends", "ICO"):
        assert text in html, text
    assert kirsty.get(reverse("web:notice_detail", kwargs={"notice_id": 999999})).status_code == 404


def test_dpos_have_their_navigation(sign_in, personas, kirsty):
    dana = sign_in(personas.council_dpo)
    assert reverse("web:dpo_dashboard") in dana.get(reverse("web:agreement_list")).content.decode()
    assert reverse("web:dpo_dashboard") not in kirsty.get(reverse("web:agreement_list")).content.decode()
