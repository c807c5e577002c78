"""The client's copies on their own pages (/my/copies/): only their own released copies, each
format downloadable (and audited) for CEANGAL_PACK_AVAILABLE_DAYS, then gone with a way to ask
again; the documents released with it, one by one; anyone else's copy, an unreleased one, a
withheld document or an unknown format is 404."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import document_upload
from ceangal.portal.services import printed_code_issue
from ceangal.rights import pack_services
from ceangal.rights.models import AccessPack
from ceangal.rights.tests.packs_world import CONTACT_NOTE, PackWorld, gathered_pack, make_pack_world
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db
COPIES = "/my/copies/"


@pytest.fixture
def pw(personas: Personas) -> PackWorld:
    return make_pack_world(personas)


def _signed_in(personas: Personas, client: cm.Client) -> Browser:
    code = printed_code_issue(actor=personas.council_worker, client_id=client.pk).code
    browser = Browser()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = browser.post(reverse("portal:sign_in_printed"), {"code": code})
    assert response.status_code == 302, response.content.decode()
    return browser


def _released(personas: Personas, client: cm.Client) -> AccessPack:
    pack = gathered_pack(personas, client.pk, decided=True)
    return pack_services.pack_release(actor=personas.council_dpo, pack=pack)


def _download(pack: AccessPack, fmt: str) -> str:
    return reverse("portal:copy_download", kwargs={"pack_id": pack.pk, "fmt": fmt})


def test_the_client_sees_and_downloads_their_released_copy(personas: Personas, pw: PackWorld) -> None:
    assert reverse("portal:copies") == COPIES
    pack = _released(personas, pw.client)
    waiting = gathered_pack(personas, pw.client.pk)
    morag = _signed_in(personas, pw.client)
    page = morag.get(COPIES)
    assert page.status_code == 200
    html = page.content.decode()
    assert _download(pack, "pdf") in html
    assert str(waiting.pk) not in html
    response = morag.get(_download(pack, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["client"]["reference"] == pw.client.reference
    assert CONTACT_NOTE in response.content.decode()
    audit = AuditEvent.objects.get(action="portal.copy_downloaded")
    assert audit.client_id == pw.client.pk
    assert audit.detail == {"format": "json", "sha256": pack.files["json"]["sha256"]}
    # An unreleased copy, an unknown format, the gathered source: not found.
    assert morag.get(_download(waiting, "json")).status_code == 404
    assert morag.get(_download(pack, "docx")).status_code == 404
    assert morag.get(_download(pack, "source")).status_code == 404


def test_another_clients_copy_is_not_found(personas: Personas, pw: PackWorld) -> None:
    pack = _released(personas, pw.client)
    other = _signed_in(personas, pw.other)
    assert str(pack.pk) not in other.get(COPIES).content.decode()
    assert other.get(_download(pack, "html")).status_code == 404
    assert not AuditEvent.objects.filter(action="portal.copy_downloaded").exists()


def test_staff_and_strangers_get_no_copies(personas: Personas, pw: PackWorld) -> None:
    pack = _released(personas, pw.client)
    staff = Browser()
    staff.force_login(personas.council_dpo.user)
    assert staff.get(_download(pack, "html")).status_code == 403
    anonymous = Browser().get(_download(pack, "html"))
    assert anonymous.status_code == 302
    assert anonymous["Location"] == reverse("portal:sign_in")


def test_a_copy_is_available_for_the_set_number_of_days(personas: Personas, pw: PackWorld, settings: object) -> None:
    settings.CEANGAL_PACK_AVAILABLE_DAYS = 30  # type: ignore[attr-defined]
    pack = _released(personas, pw.client)
    morag = _signed_in(personas, pw.client)
    AccessPack.objects.filter(pk=pack.pk).update(released_at=timezone.now() - dt.timedelta(days=29, hours=23))
    assert morag.get(_download(pack, "pdf")).status_code == 200
    AccessPack.objects.filter(pk=pack.pk).update(released_at=timezone.now() - dt.timedelta(days=30, minutes=1))
    assert morag.get(_download(pack, "pdf")).status_code == 404
    html = morag.get(COPIES).content.decode()
    assert "no longer available" in html
    assert "Ask for a new copy" in html
    assert _download(pack, "pdf") not in html


def test_documents_go_with_the_copy_unless_the_dpo_withholds_them(personas: Personas, pw: PackWorld) -> None:
    cv_bytes = b"%PDF-1.4\n% a CV\n"
    letter_bytes = b"%PDF-1.4\n% a letter naming her neighbour\n"
    cv, letter = (
        document_upload(
            actor=personas.council_worker,
            client=pw.client,
            title=title,
            kind="cv",
            upload=SimpleUploadedFile(name, data, content_type="application/pdf"),
        )
        for title, name, data in (("CV", "my cv.pdf", cv_bytes), ("Letter", "letter.pdf", letter_bytes))
    )
    pack = gathered_pack(personas, pw.client.pk)
    for flag in pack.flags.all():
        withhold = flag.key == f"section:documents:{letter.pk}"
        pack_services.flag_decide(
            actor=personas.council_dpo,
            flag=flag,
            decision="redact" if withhold else "release",
            reason="Names another person." if withhold else "Checked.",
        )
    pack = pack_services.pack_release(actor=personas.council_dpo, pack=pack)
    # The released copy holds its own encrypted copy of the CV and nothing of the letter.
    assert set(k for k in pack.files if k.startswith("document-")) == {f"document-{cv.pk}"}
    released = json.loads(pack_services.client_copy_download(client_id=pw.client.pk, pack_id=pack.pk, fmt="json"))
    assert "letter.pdf" not in json.dumps(released)

    morag = _signed_in(personas, pw.client)
    page = morag.get(COPIES).content.decode()
    url = reverse("portal:copy_document", kwargs={"pack_id": pack.pk, "document_id": cv.pk})
    withheld = reverse("portal:copy_document", kwargs={"pack_id": pack.pk, "document_id": letter.pk})
    assert url in page
    assert "Download my cv.pdf" in page
    assert withheld not in page
    response = morag.get(url)
    assert response.status_code == 200
    assert response.content == cv_bytes
    assert response["Content-Disposition"] == 'attachment; filename="my cv.pdf"'
    audit = AuditEvent.objects.get(action="portal.copy_document_downloaded")
    assert audit.detail["document"] == cv.pk
    assert morag.get(withheld).status_code == 404
    # The copy stays whole when the original is deleted later.
    cm.Document.objects.filter(pk=cv.pk).delete()
    assert morag.get(url).content == cv_bytes
    # Nobody else gets it, and a document name is no way into the format download.
    assert _signed_in(personas, pw.other).get(url).status_code == 404
    assert morag.get(_download(pack, f"document-{cv.pk}")).status_code == 404
