"""Access packs: gathering from every organisation, third-party flags and the DPO's decisions,
release (refused until every flag is decided, then audited), redaction in every format, the task's
progress and failure, portability's consent-only content, and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from ceangal.audit.models import AuditEvent
from ceangal.consent.services import consent_withdraw
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.ledger.models import LedgerEntry
from ceangal.referrals.services import referral_draft
from ceangal.rights import pack_render, pack_services, packs
from ceangal.rights.models import AccessPack, FlagReason, PackStatus, RequestStatus
from ceangal.rights.services import request_await_identity
from ceangal.rights.tests.factories import log_request
from ceangal.rights.tests.packs_world import (
    CONTACT_NOTE,
    EXPERIENCE_TEXT,
    MESSAGE_BODY,
    OTHER_CLIENT_TEXT,
    THIRD_ORG_TEXT,
    PackWorld,
    make_pack_world,
    ready_request,
)
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(personas: Personas) -> PackWorld:
    return make_pack_world(personas)


def _generated(personas: Personas, pw: PackWorld, capture: Any, *, kind: str = "access") -> AccessPack:
    request = ready_request(personas, pw.client, kind=kind)
    with capture(execute=True):
        pack = pack_services.pack_generate(actor=personas.council_dpo, request=request)
    pack.refresh_from_db()
    return pack


def _decide_all(personas: Personas, pack: AccessPack, *, redact: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for flag in pack.flags.all():
        pack_services.flag_decide(
            actor=personas.council_dpo,
            flag=flag,
            decision="redact" if flag.key in redact else "release",
            reason="Checked with the supplying organisation.",
        )


def _all_values(content: packs.Content) -> str:
    return json.dumps(content, ensure_ascii=False)


# -- assembly ------------------------------------------------------------------------------------


def test_the_pack_gathers_from_every_organisation_with_provenance(personas: Personas, pw: PackWorld) -> None:
    request = ready_request(personas, pw.client)
    content = packs.pack_assemble(request)
    assert content["schema_version"] == packs.SCHEMA_VERSION
    assert content["organisations_searched"] == ["Elsewhere Trust", "Fife College", "Fife Council Employability"]
    experience = next(p for p in content["parts"] if p["key"] == "section:experience")
    by_supplier = {item["supplied_by"]: item for item in experience["items"]}
    assert set(by_supplier) == {"Fife College", "Elsewhere Trust"}
    college = by_supplier["Fife College"]
    assert {"label": "Recorded by", "value": "a key worker at Fife College"} in college["provenance"]
    assert {"name": "kind", "label": "Kind of experience", "value": "Paid work"} in college["fields"] or any(
        f["value"] == "Paid work" for f in college["fields"]
    )
    text = _all_values(content)
    for expected in (CONTACT_NOTE, EXPERIENCE_TEXT, THIRD_ORG_TEXT, MESSAGE_BODY):
        assert expected in text
    # Another client's data never appears.
    assert OTHER_CLIENT_TEXT not in text
    assert pw.other.reference not in text


def test_consents_referrals_and_disclosures_are_in_words(personas: Personas, pw: PackWorld) -> None:
    content = packs.pack_assemble(ready_request(personas, pw.client))
    parts = {p["key"]: p for p in content["parts"]}
    (consent,) = parts["consents"]["items"]
    agreed = next(f["value"] for f in consent["fields"] if f["name"] == "scopes")
    assert "Fife College, for referral to another service: contact details" in agreed
    assert [e["what"] for e in consent["timeline"]] == ["Given"]
    (referral,) = parts["referrals"]["items"]
    assert "Fife College" in referral["title"]
    assert [e["what"] for e in referral["timeline"]][:2] == ["Drafted", "Sent"]
    assert "Accepted" in [e["what"] for e in referral["timeline"]]
    disclosures = parts["disclosures"]["items"]
    assert disclosures, "the college's read is in the ledger"
    fields = {f["name"]: f["value"] for f in disclosures[-1]["fields"]}
    assert fields["who"] == "a key worker at Fife College"
    assert fields["purpose"] == "Coordinating the client's support"
    assert "Contact details" in fields["what"]
    # Staff are named by role and organisation only.
    assert personas.college_worker.user.first_name not in _all_values(content)


def test_assembly_reports_progress_organisation_by_organisation(personas: Personas, pw: PackWorld) -> None:
    seen: list[tuple[int, int, str]] = []
    packs.pack_assemble(ready_request(personas, pw.client), progress=lambda d, t, s: seen.append((d, t, s)))
    assert [(d, t) for d, t, _s in seen] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert seen[1][2] == "Gathering from organisation 2 of 3"


def test_free_text_and_other_people_are_flagged(personas: Personas, pw: PackWorld) -> None:
    content = packs.pack_assemble(ready_request(personas, pw.client))
    found = {f.text: f for f in packs.find_flags(content)}
    for text in (CONTACT_NOTE, EXPERIENCE_TEXT, THIRD_ORG_TEXT, MESSAGE_BODY):
        assert found[text].reason == FlagReason.FREE_TEXT
    assert found["Tam Person"].reason == FlagReason.OTHER_PERSON
    assert "Safe contact notes" in found[CONTACT_NOTE].where


# -- the task ------------------------------------------------------------------------------------


def test_the_task_gathers_stores_encrypted_and_flags(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.READY_FOR_REVIEW
    assert pack.done == pack.total == 4
    assert pack.generated_at is not None
    stored = default_storage.open(pack.files["source"]["name"]).read()
    assert CONTACT_NOTE.encode() not in stored
    assert b"Morag" not in stored
    assert CONTACT_NOTE in pack_services.pack_source(pack)["parts"][1]["items"][0]["fields"][1]["value"]
    assert pack.flags.count() >= 7
    assert AuditEvent.objects.filter(action="rights_request.pack_generated", client_id=pw.client.pk).exists()
    # The pack is not a disclosure to staff: no ledger entry for it.
    assert not LedgerEntry.objects.filter(channel="rights").exists()


def test_a_failure_marks_the_pack_failed_with_a_message(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pack_services, "_store", broken)
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    assert pack.status == PackStatus.FAILED
    assert "could not be made" in pack.error
    assert "disk full" not in pack.error
    assert AuditEvent.objects.filter(action="rights_request.pack_failed").exists()


def test_regenerating_replaces_an_unreleased_pack(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    first = _generated(personas, pw, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = pack_services.pack_generate(actor=personas.council_dpo, request=first.request)
    assert not AccessPack.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(first.files["source"]["name"])
    second.refresh_from_db()
    assert second.status == PackStatus.READY_FOR_REVIEW


# -- decisions and release -------------------------------------------------------------------------


def test_release_is_refused_until_every_flag_is_decided(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    first = pack.flags.order_by("pk").first()
    assert first is not None
    with pytest.raises(InvalidInput) as refused:
        pack_services.pack_release(actor=personas.council_dpo, pack=pack)
    assert list(refused.value.errors) == [f"flag-{first.pk}"]
    assert "Decide every flag" in refused.value.errors[f"flag-{first.pk}"][0]
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY_FOR_REVIEW
    assert not AuditEvent.objects.filter(action="rights_request.pack_released").exists()


def test_a_decision_needs_a_choice_and_a_reason(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    flag = _generated(personas, pw, django_capture_on_commit_callbacks).flags.first()
    assert flag is not None
    with pytest.raises(InvalidInput) as bad:
        pack_services.flag_decide(actor=personas.council_dpo, flag=flag, decision="maybe", reason=" ")
    assert set(bad.value.errors) == {"decision", "reason"}
    flag.refresh_from_db()
    assert flag.decision == ""


def test_release_redacts_in_every_format_audits_and_completes(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    redact = {f.key for f in pack.flags.all() if f.text in (CONTACT_NOTE, MESSAGE_BODY)}
    assert len(redact) == 2
    _decide_all(personas, pack, redact=redact)
    released = pack_services.pack_release(actor=personas.council_dpo, pack=pack, complete=True)
    assert released.status == PackStatus.RELEASED
    assert set(released.files) == {"source", "html", "pdf", "json"}
    html = pack_services._load(released.files["html"]).decode()
    data = pack_services._load(released.files["json"]).decode()
    for text in (html, data):
        assert CONTACT_NOTE not in text
        assert MESSAGE_BODY not in text
        assert packs.WITHHELD in text
        assert EXPERIENCE_TEXT in text
    assert '"flag"' not in data
    assert json.loads(data)["schema_version"] == 1
    audit = AuditEvent.objects.get(action="rights_request.pack_released")
    assert audit.detail["sha256"] == {fmt: released.files[fmt]["sha256"] for fmt in ("html", "pdf", "json")}
    request = released.request
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert "pack_released" in [e.kind for e in request.events.all()]
    # A released pack is never changed: no more decisions, no second release.
    with pytest.raises(InvalidInput):
        pack_services.flag_decide(actor=personas.council_dpo, flag=pack.flags.first(), decision="redact", reason="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        pack_services.pack_release(actor=personas.council_dpo, pack=released)


def test_the_pdf_carries_the_redaction_and_page_numbers(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    redact = {f.key for f in pack.flags.all() if f.text == CONTACT_NOTE}
    _decide_all(personas, pack, redact=redact)
    content = packs.apply_decisions(pack_services.pack_source(pack), redact)
    # Uncompressed, the text-based PDF's strings can be read from its bytes.
    pdf = pack_render.render_pdf(content, compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"Withheld: would reveal information about another person" in pdf
    assert CONTACT_NOTE.encode("latin-1") not in pdf
    assert EXPERIENCE_TEXT.encode("latin-1") in pdf
    assert b"Page 1 of" in pdf


@override_settings(CEANGAL_PACK_FONT="")
def test_text_outside_latin1_is_transliterated_for_the_built_in_pdf_font() -> None:
    assert pack_render.latin1("Łukasz Wróbel \u2013 Màiri Nic Dhòmhnaill ☃") == "Lukasz Wróbel - Màiri Nic Dhòmhnaill ?"
    content = {
        "title": "Your information",
        "client": {"reference": "CG-1"},
        "generated_at": "now",
        "organisations_searched": [],
        "parts": [{"title": "Żaneta", "intro": "", "items": []}],
        "your_rights": [],
    }
    assert b"Zaneta" in pack_render.render_pdf(content, compress=False)


def test_the_dpo_only_may_generate_decide_and_release(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    request = ready_request(personas, pw.client)
    for actor in (personas.council_worker, personas.college_leader, personas.council_admin):
        with pytest.raises(NotPermitted):
            pack_services.pack_generate(actor=actor, request=request)
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    flag = pack.flags.first()
    assert flag is not None
    with pytest.raises(NotPermitted):
        pack_services.flag_decide(actor=personas.council_worker, flag=flag, decision="release", reason="ok")
    with pytest.raises(NotPermitted):
        pack_services.pack_release(actor=personas.college_leader, pack=pack)


# -- bad input -------------------------------------------------------------------------------------


def test_no_pack_before_identity_is_verified(personas: Personas, pw: PackWorld) -> None:
    request = log_request(personas.council_dpo, pw.client.pk)
    with pytest.raises(InvalidInput) as refused:
        pack_services.pack_generate(actor=personas.council_dpo, request=request)
    assert refused.value.errors == {"status": ["Verify the client's identity before gathering their information."]}
    request = request_await_identity(actor=personas.council_dpo, request=request)
    with pytest.raises(InvalidInput):
        pack_services.pack_generate(actor=personas.council_dpo, request=request)
    assert not AccessPack.objects.exists()


def test_no_pack_for_another_kind_of_request(personas: Personas, pw: PackWorld) -> None:
    request = log_request(personas.council_dpo, pw.client.pk, kind="erasure")
    with pytest.raises(InvalidInput) as refused:
        pack_services.pack_generate(actor=personas.council_dpo, request=request)
    assert list(refused.value.errors) == ["kind"]


def test_an_unknown_format_is_refused(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pack = _generated(personas, pw, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput) as refused:
        pack_services.pack_preview(actor=personas.council_dpo, pack=pack, fmt="docx")
    assert list(refused.value.errors) == ["format"]
    assert pack_services.pack_preview(actor=personas.council_dpo, pack=pack, fmt="html").startswith(b"<!DOCTYPE html>")


# -- portability -----------------------------------------------------------------------------------


def test_portability_holds_only_what_the_client_gave_on_consent(
    personas: Personas, pw: PackWorld, django_capture_on_commit_callbacks: Any
) -> None:
    request = ready_request(personas, pw.client, kind="portability")
    content = packs.pack_assemble(request)
    keys = [p["key"] for p in content["parts"]]
    # The council's consent covers identity, contact, qualifications and experience; the health item
    # the council holds is not covered, and what the college and the third organisation hold is on
    # no consent of theirs.
    assert keys == ["section:identity", "section:contact", "section:qualifications"]
    text = _all_values(content)
    assert EXPERIENCE_TEXT not in text
    assert THIRD_ORG_TEXT not in text
    assert "consents" not in keys
    assert "disclosures" not in keys
    csv_text = pack_render.render_csv(content)
    assert csv_text.splitlines()[0] == "section,field,value,supplied_by,recorded_on"
    assert "Contact details,Email address,morag@example.org,Fife Council Employability," in csv_text
    assert pack_render.formats_for("portability") == ("json", "csv")


def test_portability_after_consent_is_withdrawn_holds_nothing(personas: Personas, pw: PackWorld) -> None:
    assert pw.world.consent is not None
    consent_withdraw(record=pw.world.consent, actor=personas.council_worker, note="Client asked.")
    content = packs.pack_assemble(ready_request(personas, pw.client, kind="portability"))
    assert content["parts"] == []


def test_a_draft_referral_is_held_so_it_is_in_the_copy(personas: Personas, pw: PackWorld) -> None:
    referral_draft(
        actor=personas.council_worker,
        client_id=pw.client.pk,
        service_id=pw.world.service.pk,
        reason="A second referral, not sent yet.",
    )
    content = packs.pack_assemble(ready_request(personas, pw.client))
    referrals = next(p for p in content["parts"] if p["key"] == "referrals")["items"]
    statuses = sorted(next(f["value"] for f in item["fields"] if f["name"] == "status") for item in referrals)
    assert statuses == ["Accepted", "Draft"]
