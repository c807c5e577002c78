"""The signed paper form attached after the consent, and a DPO reviewing consent records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.roles import Role
from ceangal.testing.factories import (
    make_agreement,
    make_notice,
    make_organisation,
    make_partnership,
    make_staff,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\nsigned\n%%EOF\n"


@pytest.fixture
def pending(personas, morag):
    """Paper consent to share Morag's qualifications with the college; the scan is to follow."""
    notice = make_notice(personas.council_dpo)
    make_agreement([personas.council_dpo, personas.college_dpo])
    engagement_open(actor=personas.college_worker, client=morag)
    return consent_give(
        actor=personas.council_worker,
        client=morag,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="paper_form",
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )


def _receipt(record):
    return reverse("web:consent_receipt", kwargs={"client_id": record.client_id, "record_id": record.pk})


def _attach_url(record):
    return reverse("web:consent_evidence", kwargs={"client_id": record.client_id, "record_id": record.pk})


def test_the_receipt_offers_the_upload_and_the_consent_counts_once_attached(kirsty, pending):
    html = kirsty.get(_receipt(pending)).content.decode()
    assert "does not count for any sharing until the scan" in html
    assert f'action="{_attach_url(pending)}"' in html
    assert 'enctype="multipart/form-data"' in html

    response = kirsty.post(_attach_url(pending), {"evidence": SimpleUploadedFile("scan.pdf", PDF)})
    assert response.status_code == 302
    assert response["Location"] == _receipt(pending)
    pending.refresh_from_db()
    assert pending.evidence_sha256
    assert pending.events.order_by("at", "pk").last().kind == EventKind.GIVEN

    html = kirsty.get(_receipt(pending)).content.decode()
    download = reverse(
        "web:consent_evidence_download", kwargs={"client_id": pending.client_id, "record_id": pending.pk}
    )
    assert download in html
    assert pending.evidence_sha256 in html
    file = kirsty.get(download)
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == PDF
    assert file["X-Content-SHA256"] == pending.evidence_sha256


def test_a_bad_file_is_refused_on_the_page_naming_the_field(kirsty, pending):
    response = kirsty.post(_attach_url(pending), {"evidence": SimpleUploadedFile("scan.pdf", b"MZ not a pdf")})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#f-evidence"' in html
    assert "PDF, JPEG or PNG" in html
    assert not ConsentRecord.objects.get(pk=pending.pk).evidence_sha256
    assert kirsty.post(_attach_url(pending), {}).status_code == 422


def test_other_organisations_cannot_attach(sign_in, personas, pending):
    college = sign_in(personas.college_worker)
    # The college works with Morag and sees her consents, but did not record this one.
    html = college.get(_receipt(pending)).content.decode()
    assert f'action="{_attach_url(pending)}"' not in html
    assert college.post(_attach_url(pending), {"evidence": SimpleUploadedFile("s.pdf", PDF)}).status_code == 403
    assert sign_in(personas.outsider).get(_attach_url(pending)).status_code == 404
    assert not ConsentRecord.objects.get(pk=pending.pk).evidence_sha256


# --- The DPO's review ---------------------------------------------------------------------------


def test_a_named_dpo_lists_and_reads_the_record_audited_and_in_the_ledger(sign_in, personas, pending, morag):
    dougal = sign_in(personas.college_dpo)  # the college is named as a recipient
    dashboard = dougal.get(reverse("web:dpo_dashboard")).content.decode()
    assert reverse("web:dpo_consent_list") in dashboard

    listing = dougal.get(reverse("web:dpo_consent_list")).content.decode()
    record_url = reverse("web:dpo_consent_record", kwargs={"record_id": pending.pk})
    assert record_url in listing
    assert morag.reference in listing
    assert "Macleod" not in listing  # references only in the list
    assert AuditEvent.objects.filter(action="consent.listed_by_dpo").count() == 1

    item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "N5 Applications of Mathematics", "scqf_level": "SCQF05"},
    )
    page = dougal.get(record_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Morag Macleod" in html
    assert "Awaiting the signed form" in html
    assert "Applications of Mathematics" not in html  # no case data
    assert AuditEvent.objects.filter(action="consent.reviewed_by_dpo", object_id=str(pending.pk)).count() == 1
    entry = LedgerEntry.objects.get(actor_staff_id=personas.college_dpo.pk)
    assert entry.purpose == "consent_review"
    assert entry.categories == ["identity"]
    assert entry.channel == "page"


def test_filters_by_state_and_expiry(sign_in, personas, pending):
    dana = sign_in(personas.council_dpo)
    url = reverse("web:dpo_consent_list")
    record_url = reverse("web:dpo_consent_record", kwargs={"record_id": pending.pk})
    assert record_url in dana.get(url, {"state": "pending"}).content.decode()
    assert record_url not in dana.get(url, {"state": "given"}).content.decode()
    assert record_url in dana.get(url, {"expiring": "true"}).content.decode()
    ConsentRecord.objects.filter(pk=pending.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=90))
    assert record_url not in dana.get(url, {"expiring": "true"}).content.decode()


def test_a_dpo_of_an_organisation_not_named_gets_not_found(sign_in, personas, pending):
    elsewhere_dpo = make_staff(personas.outsider_org, Role.DPO)
    browser = sign_in(elsewhere_dpo)
    record_url = reverse("web:dpo_consent_record", kwargs={"record_id": pending.pk})
    assert browser.get(record_url).status_code == 404
    assert pending.client.reference not in browser.get(reverse("web:dpo_consent_list")).content.decode()
    assert sign_in(personas.council_worker).get(record_url).status_code == 404
    assert not LedgerEntry.objects.filter(purpose="consent_review").exists()


def test_a_dpo_of_another_partnership_gets_not_found(sign_in, personas, pending):
    far = make_organisation(make_partnership("Another partnership"), "Far Council")
    browser = sign_in(make_staff(far, Role.DPO))
    assert browser.get(reverse("web:dpo_consent_record", kwargs={"record_id": pending.pk})).status_code == 404


def test_the_dpo_downloads_the_signed_form(sign_in, personas, morag):
    notice = make_notice(personas.council_dpo)
    make_agreement([personas.council_dpo, personas.college_dpo])
    record = consent_give(
        actor=personas.council_worker,
        client=morag,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="paper_form",
        evidence=SimpleUploadedFile("scan.pdf", PDF),
        valid_until=timezone.localdate() + dt.timedelta(days=200),
    )
    dana = sign_in(personas.council_dpo)
    html = dana.get(reverse("web:dpo_consent_record", kwargs={"record_id": record.pk})).content.decode()
    download = reverse("web:dpo_consent_evidence", kwargs={"record_id": record.pk})
    assert download in html
    response = dana.get(download)
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="consent.evidence_downloaded").count() == 1
