"""Recording, reading, exporting and withdrawing consent on the staff pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ceangal.clients.services import engagement_open
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.testing.factories import make_agreement, make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharing(personas, morag):
    """A published notice naming every partner, an active agreement between the council and the
    college, and the college working with Morag too."""
    notice = make_notice(personas.council_dpo)
    make_agreement([personas.council_dpo, personas.college_dpo])
    engagement_open(actor=personas.college_worker, client=morag)
    return notice


def _give(kirsty, personas, morag, **overrides):
    data = {
        "decision": "agreed",
        "purpose": "support_coordination",
        "scope": [f"{personas.college.pk}:qualifications", f"{personas.college.pk}:contact"],
        "method": "verbal_witnessed",
        "witness_name": "Tam Witness",
        "valid_until": (dt.date.today() + dt.timedelta(days=365)).strftime("%d %m %Y"),
        "expressed_by": "client",
    }
    data.update(overrides)
    return kirsty.post(reverse("web:consent_new", kwargs={"client_id": morag.pk}), data)


def _qualifications_section(browser, morag) -> str:
    html: str = browser.get(reverse("web:client_record", kwargs={"client_id": morag.pk})).content.decode()
    start = html.index('id="section-qualifications"')
    return html[start : html.index("</section>", start)]


def test_the_record_links_to_consent(kirsty, morag):
    html = kirsty.get(reverse("web:client_record", kwargs={"client_id": morag.pk})).content.decode()
    assert reverse("web:consent_new", kwargs={"client_id": morag.pk}) in html
    assert reverse("web:consent_list", kwargs={"client_id": morag.pk}) in html
    assert reverse("web:break_glass", kwargs={"client_id": morag.pk}) in html


def test_the_form_lays_out_partners_and_kinds_of_information(kirsty, personas, morag, sharing):
    response = kirsty.get(reverse("web:consent_new", kwargs={"client_id": morag.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Share with Fife College" in html
    assert f'value="{personas.college.pk}:qualifications"' in html
    # The council holds what it recorded itself: it is not offered as a recipient.
    assert f'value="{personas.council.pk}:' not in html
    assert "Coordinating the client" in html


def test_without_a_published_notice_the_page_says_so(kirsty, morag):
    response = kirsty.get(reverse("web:consent_new", kwargs={"client_id": morag.pk}))
    assert response.status_code == 200
    assert "not published a privacy notice" in response.content.decode()


def test_recording_consent_lets_the_college_see_the_section(kirsty, sign_in, personas, morag, sharing):
    from ceangal.clients.services import item_add

    item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05", "achieved_on": "2020-06-01"},
    )
    calum = sign_in(personas.college_worker)
    assert "N5 English" not in _qualifications_section(calum, morag)

    response = _give(kirsty, personas, morag)

    record = ConsentRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "web:consent_receipt", kwargs={"client_id": morag.pk, "record_id": record.pk}
    )
    assert record.scopes.count() == 2
    assert record.witness_name == "Tam Witness"
    assert "N5 English" in _qualifications_section(calum, morag)
    listing = kirsty.get(reverse("web:consent_list", kwargs={"client_id": morag.pk})).content.decode()
    assert "Fife College" in listing
    assert "Qualifications" in listing
    assert "In force" in listing


def test_no_boxes_ticked_is_refused_naming_the_scopes(kirsty, personas, morag, sharing):
    response = _give(kirsty, personas, morag, scope=[])
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-scope-0"' in html
    assert "What the client agrees to share" in html
    assert not ConsentRecord.objects.exists()


def test_verbal_consent_without_a_witness_is_refused(kirsty, personas, morag, sharing):
    response = _give(kirsty, personas, morag, witness_name="")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-witness_name"' in html
    assert "Witness name" in html
    # What was ticked is kept.
    assert f'value="{personas.college.pk}:qualifications" checked' in html
    assert not ConsentRecord.objects.exists()


def test_a_bad_end_date_is_refused_naming_the_field(kirsty, personas, morag, sharing):
    response = _give(kirsty, personas, morag, valid_until="31 02 2099")
    assert response.status_code == 422
    assert 'href="#f-valid_until"' in response.content.decode()


def test_until_support_ends(kirsty, personas, morag, sharing):
    assert _give(kirsty, personas, morag, valid_until="", until_support_ends="true").status_code == 302
    record = ConsentRecord.objects.get()
    assert record.until_support_ends
    assert record.valid_until is None


def test_paper_form_without_the_scan_is_recorded_awaiting_it(kirsty, personas, morag, sharing):
    """The scan may follow (ceangal/web/tests/test_sharing_consent_evidence.py); until then it does not count."""
    response = _give(kirsty, personas, morag, method="paper_form", witness_name="")
    assert response.status_code == 302
    assert ConsentRecord.objects.get().events.get().kind == EventKind.PENDING


def test_paper_form_with_evidence(kirsty, personas, morag, sharing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("form.pdf", b"%PDF-1.4\nsigned\n%%EOF\n", content_type="application/pdf")
    response = _give(kirsty, personas, morag, method="paper_form", witness_name="", evidence=evidence)
    assert response.status_code == 302
    assert ConsentRecord.objects.get().evidence_content_type == "application/pdf"


def test_the_printable_form_has_the_choices_and_signature_lines(kirsty, morag, sharing):
    response = kirsty.get(reverse("web:consent_form", kwargs={"client_id": morag.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Share with Fife College" in html
    assert "signature" in html
    assert "sharing-print.css" in html


def test_receipt_and_exports(kirsty, personas, morag, sharing):
    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    kwargs = {"client_id": morag.pk, "record_id": record.pk}
    receipt = kirsty.get(reverse("web:consent_receipt", kwargs=kwargs)).content.decode()
    assert "How to withdraw" in receipt
    assert "Fife College" in receipt
    assert "Qualifications" in receipt
    for fmt in ("iso27560", "kantara", "fhir"):
        response = kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": fmt}))
        assert response.status_code == 200, fmt
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"].startswith("attachment;")
        assert json.loads(response.content)
    assert kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": "csv"})).status_code == 404


def test_a_record_under_another_clients_url_is_not_found(kirsty, personas, morag, sharing):
    from ceangal.testing.factories import make_client

    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    other = make_client(personas.council_worker, given_name="Other")
    url = reverse("web:consent_receipt", kwargs={"client_id": other.pk, "record_id": record.pk})
    assert kirsty.get(url).status_code == 404


def test_withdrawing_some_rows_hides_them_from_the_college_at_once(kirsty, sign_in, personas, morag, sharing):
    from ceangal.clients.services import item_add

    item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05", "achieved_on": "2020-06-01"},
    )
    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    calum = sign_in(personas.college_worker)
    assert "N5 English" in _qualifications_section(calum, morag)
    qualifications = record.scopes.get(category="qualifications")
    url = reverse("web:consent_withdraw", kwargs={"client_id": morag.pk, "record_id": record.pk})
    assert kirsty.get(url).status_code == 200

    response = kirsty.post(url, {"scope": [str(qualifications.pk)], "note": "Client asked"})

    assert response.status_code == 302
    event = record.events.get(kind=EventKind.WITHDRAWN)
    assert list(event.scopes.all()) == [qualifications]
    section = _qualifications_section(calum, morag)
    assert "N5 English" not in section
    assert "has withdrawn their consent to share" in section


def test_withdrawing_every_row_withdraws_the_whole_record(kirsty, personas, morag, sharing):
    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    url = reverse("web:consent_withdraw", kwargs={"client_id": morag.pk, "record_id": record.pk})
    response = kirsty.post(url, {"scope": [str(s.pk) for s in record.scopes.all()]})
    assert response.status_code == 302
    event = record.events.get(kind=EventKind.WITHDRAWN)
    assert not event.scopes.exists()
    # Nothing is left in force, so there is nothing more to withdraw.
    assert "nothing to withdraw" in kirsty.get(url).content.decode()


def test_withdrawing_nothing_is_refused(kirsty, personas, morag, sharing):
    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    url = reverse("web:consent_withdraw", kwargs={"client_id": morag.pk, "record_id": record.pk})
    response = kirsty.post(url, {"note": "x"})
    assert response.status_code == 422
    assert 'href="#f-scope-0"' in response.content.decode()
    assert not record.events.filter(kind=EventKind.WITHDRAWN).exists()


def test_an_export_the_record_cannot_fill_says_what_is_missing(kirsty, personas, morag, sharing, monkeypatch):
    from ceangal.consent.exports import IncompleteConsentRecord
    from ceangal.web.views import consent as consent_views

    def incomplete(document):
        raise IncompleteConsentRecord("ISO/IEC TS 27560", ["controller email"])

    monkeypatch.setitem(consent_views.EXPORTS, "iso27560", (incomplete, "iso27560"))
    _give(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    kwargs = {"client_id": morag.pk, "record_id": record.pk}
    response = kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": "iso27560"}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:consent_receipt", kwargs=kwargs)
    assert "it lacks controller email" in response.content.decode()


# --- The client refused ---------------------------------------------------------------------------


def _refuse(kirsty, personas, morag, **overrides):
    return _give(
        kirsty,
        personas,
        morag,
        decision="refused",
        valid_until="",
        witness_name="",
        notes="Asked at intake",
        **overrides,
    )


def test_the_form_asks_whether_the_client_agreed_or_refused(kirsty, personas, morag, sharing):
    html = kirsty.get(reverse("web:consent_new", kwargs={"client_id": morag.pk})).content.decode()
    assert "What did the client decide?" in html
    assert 'name="decision" type="radio" value="agreed"' in html
    assert 'name="decision" type="radio" value="refused"' in html
    assert "The client agreed" in html
    assert "The client refused" in html
    # Neither answer is chosen for the key worker.
    assert 'value="agreed" checked' not in html
    assert 'value="refused" checked' not in html


def test_a_refusal_is_recorded_and_shares_nothing(kirsty, sign_in, personas, morag, sharing):
    from ceangal.clients.services import item_add

    item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05", "achieved_on": "2020-06-01"},
    )

    response = _refuse(kirsty, personas, morag)

    record = ConsentRecord.objects.get()
    assert response.status_code == 302
    receipt_url = reverse("web:consent_receipt", kwargs={"client_id": morag.pk, "record_id": record.pk})
    assert response["Location"] == receipt_url
    assert [e.kind for e in record.events.all()] == [EventKind.REFUSED]
    assert {s.category for s in record.scopes.all()} == {"qualifications", "contact"}
    assert record.valid_until is None
    assert record.notes == "Asked at intake"
    calum = sign_in(personas.college_worker)
    assert "N5 English" not in _qualifications_section(calum, morag)

    receipt = kirsty.get(receipt_url)
    html = receipt.content.decode()
    assert "Nothing will be shared" in html  # the confirmation
    assert "Record of refusal" in html
    assert '<strong class="ds_tag ds_tag--red">Refused</strong>' in html
    assert "What you were asked to share" in html
    assert "How to withdraw" not in html

    listing = kirsty.get(reverse("web:consent_list", kwargs={"client_id": morag.pk})).content.decode()
    assert "Refused on" in listing
    assert '<strong class="ds_tag ds_tag--red">Refused</strong>' in listing
    assert "nothing is shared" in listing
    assert reverse("web:consent_withdraw", kwargs={"client_id": morag.pk, "record_id": record.pk}) not in listing


def test_a_refused_record_cannot_be_withdrawn_on_the_page(kirsty, personas, morag, sharing):
    _refuse(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    url = reverse("web:consent_withdraw", kwargs={"client_id": morag.pk, "record_id": record.pk})
    assert "The client refused this consent" in kirsty.get(url).content.decode()
    response = kirsty.post(url, {"scope": [str(s.pk) for s in record.scopes.all()]})
    assert response.status_code == 422
    assert not record.events.filter(kind=EventKind.WITHDRAWN).exists()


def test_a_refusal_with_no_boxes_ticked_is_refused_naming_the_scopes(kirsty, personas, morag, sharing):
    response = _refuse(kirsty, personas, morag, scope=[])
    assert response.status_code == 422
    assert 'href="#f-scope-0"' in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_refusal_without_a_method_is_refused_naming_the_method(kirsty, personas, morag, sharing):
    response = _refuse(kirsty, personas, morag, method="")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-method-0"' in html
    # The answer and what was ticked are kept.
    assert 'value="refused" checked' in html
    assert f'value="{personas.college.pk}:qualifications" checked' in html
    assert not ConsentRecord.objects.exists()


def test_without_an_answer_every_mistake_is_named_and_nothing_saved(kirsty, personas, morag, sharing):
    response = _give(kirsty, personas, morag, decision="", purpose="", scope=[])
    html = response.content.decode()
    assert response.status_code == 422
    for anchor in ("f-decision-0", "f-purpose", "f-scope-0"):
        assert f'href="#{anchor}"' in html
    assert "Choose whether the client agreed or refused." in html
    assert not ConsentRecord.objects.exists()


def test_a_signed_refusal_keeps_its_scan(kirsty, personas, morag, sharing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("no.pdf", b"%PDF-1.4\nrefused\n%%EOF\n", content_type="application/pdf")
    response = _refuse(kirsty, personas, morag, method="paper_form", evidence=scan)
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.evidence_content_type == "application/pdf"
    assert [e.kind for e in record.events.all()] == [EventKind.REFUSED]


def test_a_refused_record_exports_as_refused(kirsty, personas, morag, sharing):
    _refuse(kirsty, personas, morag)
    record = ConsentRecord.objects.get()
    kwargs = {"client_id": morag.pk, "record_id": record.pk}
    fhir = json.loads(kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": "fhir"})).content)
    assert fhir["status"] == "not-done"
    assert "provision" not in fhir
    iso = kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": "iso27560"})).content.decode()
    assert "dpv:ConsentRefused" in iso
    # Every Kantara receipt says its purposes were consented to: a refusal has none, and says why.
    receipt = kirsty.get(reverse("web:consent_receipt", kwargs=kwargs)).content.decode()
    assert reverse("web:consent_export", kwargs=kwargs | {"fmt": "kantara"}) not in receipt
    assert reverse("web:consent_export", kwargs=kwargs | {"fmt": "fhir"}) in receipt
    kantara = kirsty.get(reverse("web:consent_export", kwargs=kwargs | {"fmt": "kantara"}), follow=True)
    assert kantara.redirect_chain[-1][0] == reverse("web:consent_receipt", kwargs=kwargs)
    assert "the client refused" in kantara.content.decode()
