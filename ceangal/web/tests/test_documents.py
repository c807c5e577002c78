"""Uploading documents and downloading them: checked files only, streamed through the decision
point, never from a public address."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from ceangal.clients import models as cm
from ceangal.policy.purposes import Purpose
from ceangal.policy.selectors import client_record

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a letter from the jobcentre\n%%EOF\n"


def upload(browser, client_id, content: bytes, name: str = "letter.pdf", **fields: str):
    data: dict[str, object] = {"title": "Jobcentre letter", "kind": "letter", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return browser.post(f"/clients/{client_id}/documents/upload/", data)


def test_the_upload_form_is_multipart_with_a_labelled_file_input(kirsty, morag):
    html = kirsty.get(f"/clients/{morag.pk}/documents/upload/").content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert '<label class="ds_label" for="f-file">File</label>' in html
    assert 'type="file"' in html


def test_a_pdf_is_uploaded_and_downloads_as_an_attachment_with_its_own_name(kirsty, personas, morag):
    response = upload(kirsty, morag.pk, PDF)

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{morag.pk}/#section-documents"
    record = client_record(
        actor=personas.council_worker, client_id=morag.pk, purpose=Purpose.SUPPORT_COORDINATION, sections=["documents"]
    )
    document = record.sections[0].items[0]
    page = kirsty.get(f"/clients/{morag.pk}/").content.decode()
    assert f'href="/clients/{morag.pk}/documents/{document.id}/download/"' in page
    assert "letter.pdf" in page

    download = kirsty.get(f"/clients/{morag.pk}/documents/{document.id}/download/")

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert download["Cache-Control"] == "no-store"


def test_another_organisation_cannot_download_it(sign_in, kirsty, personas, morag):
    upload(kirsty, morag.pk, PDF)
    document = cm.Document.objects.get()

    response = sign_in(personas.college_worker).get(f"/clients/{morag.pk}/documents/{document.pk}/download/")

    assert response.status_code == 404


@override_settings(CEANGAL_UPLOAD_MAX_BYTES=10)
def test_a_file_too_large_is_refused_naming_the_file_field(kirsty, morag):
    response = upload(kirsty, morag.pk, PDF)

    html = response.content.decode()
    assert response.status_code == 422
    assert '<a href="#f-file">File: ' in html
    assert "files must be" in html
    assert 'value="Jobcentre letter"' in html
    assert not cm.Document.objects.exists()


def test_a_program_disguised_as_a_pdf_is_refused(kirsty, morag):
    response = upload(kirsty, morag.pk, b"MZ\x90\x00\x03\x00\x00\x00", name="invoice.pdf")

    html = response.content.decode()
    assert response.status_code == 422
    assert '<a href="#f-file">File: The file must be a PDF' in html
    assert not cm.Document.objects.exists()


def test_no_file_and_no_title_are_both_reported(kirsty, morag):
    response = kirsty.post(f"/clients/{morag.pk}/documents/upload/", {"title": "", "kind": ""})

    html = response.content.decode()
    assert response.status_code == 422
    for anchor in ("f-title", "f-kind-0", "f-file"):
        assert f'href="#{anchor}"' in html
    assert not cm.Document.objects.exists()
