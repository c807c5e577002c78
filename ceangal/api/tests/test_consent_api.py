"""Recording, reading, withdrawing and exporting a client's consent through the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.agreements.services import NoticeTerms, notice_create
from ceangal.api.tests.conftest import API, ApiCaller, Multipart, problem
from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.testing.factories import (
    Personas,
    make_agreement,
    make_client,
    make_notice,
    make_organisation,
    make_staff,
)

Caller = Callable[[StaffMember], ApiCaller]
VALIDATION = "https://ceangal.scot/problems/validation-error"
PURPOSE = "support_coordination"
PDF = b"%PDF-1.4\nsigned\n%%EOF\n"


@dataclass
class SharedCase:
    """A council client the college also works with, under an active council-college agreement and a
    published notice; the council holds one qualification."""

    client: cm.Client
    worker: ApiCaller
    college: ApiCaller

    @property
    def url(self) -> str:
        return f"{API}/clients/{self.client.pk}/consents"


@pytest.fixture
def case(personas: Personas, as_key: Caller) -> SharedCase:
    make_agreement([personas.council_dpo, personas.college_dpo])
    make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "National 5 English", "scqf_level": "SCQF05"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    return SharedCase(client=client, worker=as_key(personas.council_worker), college=as_key(personas.college_worker))


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _scope(organisation_id: int, category: str, purpose: str = PURPOSE) -> dict[str, Any]:
    return {"recipient_organisation_id": organisation_id, "purpose": purpose, "category": category}


def _consent(scopes: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "scopes": scopes,
        "method": "verbal_witnessed",
        "witness_name": "Tam Person",
        "valid_until": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
    }
    return body | overrides


def _give(case: SharedCase, personas: Personas, *categories: str) -> str:
    response = case.worker.post(case.url, _consent([_scope(personas.college.pk, c) for c in categories]))
    assert response.status_code == 201, response.content
    return str(_json(response)["id"])


# --- recording and reading --------------------------------------------------------------------


def test_a_key_worker_records_consent_against_the_published_notice(case: SharedCase, personas: Personas) -> None:
    response = case.worker.post(
        case.url,
        _consent(
            [_scope(personas.college.pk, "identity"), _scope(personas.college.pk, "qualifications")],
            notes="Agreed at the first meeting.",
        ),
    )
    assert response.status_code == 201, response.content
    body = _json(response)
    assert body["location"] == case.url == response["Location"]

    [record] = _json(case.worker.get(case.url))
    assert record["id"] == body["id"]
    assert record["in_force"] is True
    assert record["state"] == "Given"
    assert record["organisation"] == personas.council.name
    assert {(s["recipient"], s["category"], s["in_force"]) for s in record["scopes"]} == {
        (personas.college.name, "identity", True),
        (personas.college.name, "qualifications", True),
    }
    assert [e["event"] for e in record["events"]] == ["Given"]
    assert ConsentRecord.objects.get(pk=body["id"]).notice.status == "published"


def test_consent_may_name_a_kind_of_partner(case: SharedCase, personas: Personas) -> None:
    make_notice(personas.council_dpo, recipient_types=["college"])  # the newest published notice
    response = case.worker.post(
        case.url, _consent([{"recipient_type": "college", "purpose": PURPOSE, "category": "identity"}])
    )
    assert response.status_code == 201, response.content
    [record] = _json(case.worker.get(case.url))
    assert record["scopes"][0]["recipient"] == "Any college partner"


def test_consent_wider_than_the_notice_is_refused_by_row(case: SharedCase, personas: Personas) -> None:
    make_notice(personas.council_dpo, categories=["identity", "qualifications"])
    response = case.worker.post(
        case.url, _consent([_scope(personas.college.pk, "health"), _scope(personas.college.pk, "identity")])
    )
    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == VALIDATION
    assert set(body["errors"]) == {"scopes[0]"}
    assert "does not cover 'health'" in body["errors"]["scopes[0]"][0]
    assert not ConsentRecord.objects.exists()


def test_a_partner_that_is_not_party_to_an_agreement_is_refused_by_row(case: SharedCase, personas: Personas) -> None:
    stranger = make_organisation(personas.partnership, "No Agreement Ltd")
    make_notice(personas.council_dpo)  # names every partner, the stranger too
    response = case.worker.post(
        case.url, _consent([_scope(personas.college.pk, "identity"), _scope(stranger.pk, "identity")])
    )
    assert response.status_code == 422
    errors = problem(response)["errors"]
    assert set(errors) == {"scopes[1]"}
    assert "not a party" in errors["scopes[1]"][0]
    assert not ConsentRecord.objects.exists()


def test_an_unknown_organisation_id_is_refused_by_row(case: SharedCase, personas: Personas) -> None:
    response = case.worker.post(
        case.url, _consent([_scope(personas.college.pk, "identity"), _scope(999999, "contact")])
    )
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"scopes[1]"}


def test_every_other_mistake_is_named_at_once(case: SharedCase, personas: Personas) -> None:
    response = case.worker.post(
        case.url,
        _consent(
            [_scope(personas.college.pk, "identity")],
            method="telepathy",
            valid_until=None,
            expressed_by="neighbour",
        ),
    )
    assert response.status_code == 422
    assert {"method", "valid_until", "expressed_by"} <= set(problem(response)["errors"])


def _qualifications_shown(caller: ApiCaller, client: cm.Client) -> bool:
    record = _json(caller.get(f"{API}/clients/{client.pk}"))
    return bool(next(s for s in record["sections"] if s["key"] == "qualifications")["items"])


def test_a_signed_paper_form_counts_once_its_scan_is_sent(case: SharedCase, personas: Personas) -> None:
    response = case.worker.post(
        case.url, _consent([_scope(personas.college.pk, "qualifications")], method="paper_form", witness_name="")
    )
    assert response.status_code == 201, response.content
    record_id = _json(response)["id"]
    [listed] = _json(case.worker.get(case.url))
    assert listed["state"] == "Awaiting the signed form"
    assert listed["in_force"] is False
    assert not _qualifications_shown(case.college, case.client)

    evidence_url = f"{API}/consents/{record_id}/evidence"
    assert case.worker.get(evidence_url).status_code == 404  # nothing attached yet
    bad = case.worker.call("POST", evidence_url, Multipart({"file": SimpleUploadedFile("s.pdf", b"GIF89a")}))
    assert bad.status_code == 422
    assert "evidence" in problem(bad)["errors"]
    # Only the recording organisation attaches it.
    assert (
        case.college.call("POST", evidence_url, Multipart({"file": SimpleUploadedFile("s.pdf", PDF)})).status_code
        == 403
    )

    attached = case.worker.call("POST", evidence_url, Multipart({"file": SimpleUploadedFile("scan.pdf", PDF)}))
    assert attached.status_code == 200, attached.content
    body = _json(attached)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["media_type"] == "application/pdf"
    assert body["state"] == "given"
    assert _qualifications_shown(case.college, case.client)

    download = case.college.get(body["evidence_url"])  # the college may read the record
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-SHA256"] == body["sha256"]
    assert b"".join(download.streaming_content) == PDF

    again = case.worker.call("POST", evidence_url, Multipart({"file": SimpleUploadedFile("other.pdf", PDF + b" ")}))
    assert again.status_code == 422
    assert "never replaced" in problem(again)["errors"]["evidence"][0]


def test_a_named_dpo_reviews_consent_records_audited_and_in_the_ledger(
    case: SharedCase, personas: Personas, as_key: Caller
) -> None:
    record_id = _json(case.worker.post(case.url, _consent([_scope(personas.college.pk, "qualifications")])))["id"]
    dpo = as_key(personas.college_dpo)
    [row] = _json(dpo.get(f"{API}/consents"))
    assert row["id"] == record_id
    assert row["client_reference"] == case.client.reference
    assert row["recorded_here"] is False
    assert "client_name" not in row
    assert _json(dpo.get(f"{API}/consents?state=withdrawn")) == []
    assert _json(dpo.get(f"{API}/consents?expiring=true")) == []
    assert dpo.get(f"{API}/consents?state=bogus").status_code == 422

    reviewed = _json(dpo.get(f"{API}/consents/{record_id}"))
    assert reviewed["client_reference"] == case.client.reference
    assert reviewed["client_name"]
    assert reviewed["consent"]["id"] == record_id
    assert "sections" not in reviewed
    entry = LedgerEntry.objects.get(actor_staff_id=personas.college_dpo.pk)
    assert (entry.purpose, entry.channel, entry.categories) == ("consent_review", "api", ["identity"])
    assert AuditEvent.objects.filter(action="consent.reviewed_by_dpo", object_id=record_id).exists()

    # A DPO whose organisation the record does not name, and anyone not a DPO, get 404 and 403.
    stranger = as_key(make_staff(personas.outsider_org, Role.DPO))
    assert stranger.get(f"{API}/consents/{record_id}").status_code == 404
    assert _json(stranger.get(f"{API}/consents")) == []
    assert case.worker.get(f"{API}/consents/{record_id}").status_code == 404
    assert case.worker.get(f"{API}/consents").status_code == 403


def test_without_a_published_notice_consent_cannot_be_recorded(personas: Personas, as_key: Caller) -> None:
    make_agreement([personas.council_dpo, personas.college_dpo])
    client = make_client(personas.council_worker)
    response = as_key(personas.council_worker).post(
        f"{API}/clients/{client.pk}/consents", _consent([_scope(personas.college.pk, "identity")])
    )
    assert response.status_code == 422
    assert "notice_id" in problem(response)["errors"]


def test_a_draft_notice_cannot_be_consented_to(case: SharedCase, personas: Personas) -> None:
    draft = notice_create(
        actor=personas.council_dpo,
        terms=NoticeTerms(
            title="Draft",
            body="Not yet given to anyone.",
            purposes=[PURPOSE],
            categories=["identity"],
            controllers=[personas.council],
            recipients=[personas.college],
            retention="Six years.",
            rights="You may complain to the ICO.",
        ),
    )
    response = case.worker.post(case.url, _consent([_scope(personas.college.pk, "identity")], notice_id=draft.pk))
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"notice_id"}


def test_an_analyst_cannot_record_consent(case: SharedCase, personas: Personas, as_key: Caller) -> None:
    response = as_key(personas.analyst).post(case.url, _consent([_scope(personas.college.pk, "identity")]))
    assert response.status_code == 403
    problem(response)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_outsider_gets_the_same_404_as_for_a_client_that_does_not_exist(
    case: SharedCase, personas: Personas, as_key: Caller, method: str
) -> None:
    outsider = as_key(personas.outsider)
    body = _consent([_scope(personas.college.pk, "identity")]) if method == "POST" else None
    forbidden = outsider.call(method, case.url, body)
    missing = outsider.call(method, f"{API}/clients/{uuid.uuid4()}/consents", body)
    assert forbidden.status_code == missing.status_code == 404
    assert problem(forbidden) == problem(missing)


def test_an_outsider_cannot_withdraw_or_export_a_record(case: SharedCase, personas: Personas, as_key: Caller) -> None:
    record_id = _give(case, personas, "identity")
    outsider = as_key(personas.outsider)
    for response, random in (
        (
            outsider.post(f"{case.url}/{record_id}/withdraw", {"scope_ids": None}),
            outsider.post(f"{API}/clients/{uuid.uuid4()}/consents/{record_id}/withdraw", {"scope_ids": None}),
        ),
        (
            outsider.get(f"{case.url}/{record_id}/export/kantara"),
            outsider.get(f"{API}/clients/{uuid.uuid4()}/consents/{record_id}/export/kantara"),
        ),
    ):
        assert response.status_code == random.status_code == 404
        assert problem(response) == problem(random)
    assert _json(case.worker.get(case.url))[0]["in_force"] is True


def test_a_record_of_another_client_is_not_found_under_this_one(case: SharedCase, personas: Personas) -> None:
    record_id = _give(case, personas, "identity")
    other = make_client(personas.council_worker)
    response = case.worker.get(f"{API}/clients/{other.pk}/consents/{record_id}/export/fhir")
    assert response.status_code == 404
    problem(response)


# --- withdrawal -------------------------------------------------------------------------------


def _qualifications(caller: ApiCaller, client: cm.Client) -> dict[str, Any]:
    record = _json(caller.get(f"{API}/clients/{client.pk}"))
    return next(s for s in record["sections"] if s["key"] == "qualifications")


def test_withdrawing_a_row_stops_the_partner_seeing_it_at_once(case: SharedCase, personas: Personas) -> None:
    record_id = _give(case, personas, "identity", "qualifications")
    assert [i["values"]["title"] for i in _qualifications(case.college, case.client)["items"]] == ["National 5 English"]

    [record] = _json(case.worker.get(case.url))
    row = next(s["id"] for s in record["scopes"] if s["category"] == "qualifications")
    response = case.worker.post(f"{case.url}/{record_id}/withdraw", {"scope_ids": [row], "note": "Client asked."})
    assert response.status_code == 200, response.content
    withdrawn = _json(response)
    assert (withdrawn["record_id"], withdrawn["scope_ids"]) == (record_id, [row])

    section = _qualifications(case.college, case.client)
    assert section["items"] == []
    assert "withdrawn their consent" in section["withheld"][0]
    # The rest of the record still stands, and the council still sees its own qualification.
    [record] = _json(case.worker.get(case.url))
    assert {s["category"]: s["in_force"] for s in record["scopes"]} == {"identity": True, "qualifications": False}
    assert record["events"][-1]["event"] == "Withdrawn (some rows)"
    assert _qualifications(case.worker, case.client)["items"]


def test_withdrawing_the_whole_record(case: SharedCase, personas: Personas) -> None:
    record_id = _give(case, personas, "identity", "qualifications")
    response = case.worker.post(f"{case.url}/{record_id}/withdraw", {"scope_ids": None})
    assert response.status_code == 200, response.content
    assert _json(response)["scope_ids"] is None
    [record] = _json(case.worker.get(case.url))
    assert (record["state"], record["in_force"]) == ("Withdrawn", False)
    assert _qualifications(case.college, case.client)["items"] == []


@pytest.mark.parametrize("scope_ids", [[], [999999]])
def test_withdrawing_no_rows_or_rows_of_another_record_is_refused(
    case: SharedCase, personas: Personas, scope_ids: list[int]
) -> None:
    record_id = _give(case, personas, "identity")
    response = case.worker.post(f"{case.url}/{record_id}/withdraw", {"scope_ids": scope_ids})
    assert response.status_code == 422
    assert "scope_ids" in problem(response)["errors"]
    assert _json(case.worker.get(case.url))[0]["in_force"] is True


# --- exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media_type", "keys"),
    [
        ("iso27560", "application/json", {"@context", "@id", "@type", "dpv:hasProcess", "dpv:hasConsentStatus"}),
        ("kantara", "application/json", {"version", "consentReceiptID", "piiControllers", "services", "policyUrl"}),
        ("fhir", "application/fhir+json", {"resourceType", "id", "status", "subject", "provision"}),
    ],
)
def test_exports_are_json_in_each_standards_shape(
    case: SharedCase, personas: Personas, fmt: str, media_type: str, keys: set[str]
) -> None:
    record_id = _give(case, personas, "identity", "health")
    response = case.worker.get(f"{case.url}/{record_id}/export/{fmt}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == media_type
    exported = _json(response)
    assert keys <= set(exported), sorted(exported)
    if fmt == "iso27560":
        assert exported["@type"] == "dpv:ConsentRecord"
    if fmt == "kantara":
        assert exported["consentReceiptID"] == record_id
    if fmt == "fhir":
        assert (exported["resourceType"], exported["id"]) == ("Consent", record_id)


def test_an_unknown_export_format_is_named(case: SharedCase, personas: Personas) -> None:
    record_id = _give(case, personas, "identity")
    response = case.worker.get(f"{case.url}/{record_id}/export/pdf")
    assert response.status_code == 422
    assert "path.fmt" in problem(response)["errors"]


def test_a_record_the_standard_cannot_describe_is_a_409_naming_what_is_missing(
    case: SharedCase, personas: Personas
) -> None:
    record_id = _give(case, personas, "identity")
    # The notice's controllers must have an address for a conforming receipt.
    type(personas.council).objects.filter(pk=personas.council.pk).update(address="")
    response = case.worker.get(f"{case.url}/{record_id}/export/kantara")
    assert response.status_code == 409
    body = problem(response)
    assert body["type"] == "https://ceangal.scot/problems/export-incomplete"
    assert "address" in body["detail"]


# --- refusal ----------------------------------------------------------------------------------


def _refusal(scopes: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    return {"scopes": scopes, "method": "verbal_witnessed"} | overrides


def test_a_key_worker_records_a_refusal_which_shares_nothing(case: SharedCase, personas: Personas) -> None:
    response = case.worker.post(
        f"{case.url}/refusals",
        _refusal([_scope(personas.college.pk, "qualifications")], notes="Asked at the first meeting."),
    )
    assert response.status_code == 201, response.content
    body = _json(response)
    assert body["location"] == case.url == response["Location"]
    assert not _qualifications_shown(case.college, case.client)

    [record] = _json(case.worker.get(case.url))
    assert record["id"] == body["id"]
    assert (record["state"], record["refused"], record["in_force"]) == ("Refused", True, False)
    assert record["valid_until"] is None
    assert [(s["category"], s["in_force"]) for s in record["scopes"]] == [("qualifications", False)]
    assert [e["event"] for e in record["events"]] == ["Refused"]
    assert AuditEvent.objects.filter(action="consent.refused", object_id=body["id"]).exists()


def test_a_refusal_cannot_be_withdrawn(case: SharedCase, personas: Personas) -> None:
    record_id = _json(case.worker.post(f"{case.url}/refusals", _refusal([_scope(personas.college.pk, "identity")])))[
        "id"
    ]
    response = case.worker.post(f"{case.url}/{record_id}/withdraw", {"scope_ids": None})
    assert response.status_code == 422
    assert "nothing to withdraw" in problem(response)["errors"]["record"][0]
    assert _json(case.worker.get(case.url))[0]["state"] == "Refused"


def test_a_refusal_leaves_earlier_consent_in_force_and_reads_apart_from_it(
    case: SharedCase, personas: Personas
) -> None:
    given = _give(case, personas, "qualifications")
    response = case.worker.post(f"{case.url}/refusals", _refusal([_scope(personas.college.pk, "health")]))
    assert response.status_code == 201, response.content
    records = {r["id"]: r for r in _json(case.worker.get(case.url))}
    assert (records[given]["refused"], records[given]["in_force"]) == (False, True)
    assert records[_json(response)["id"]]["refused"] is True
    assert _qualifications_shown(case.college, case.client)


def test_every_mistake_in_a_refusal_is_named_at_once_and_nothing_saved(case: SharedCase, personas: Personas) -> None:
    make_notice(personas.council_dpo, categories=["identity"])
    response = case.worker.post(
        f"{case.url}/refusals",
        _refusal([_scope(personas.college.pk, "health")], method="telepathy", expressed_by="neighbour"),
    )
    assert response.status_code == 422
    assert problem(response)["type"] == VALIDATION
    assert {"scopes[0]", "method", "expressed_by"} <= set(problem(response)["errors"])
    assert not ConsentRecord.objects.exists()


def test_a_refusal_with_no_rows_is_refused(case: SharedCase) -> None:
    response = case.worker.post(f"{case.url}/refusals", _refusal([]))
    assert response.status_code == 422
    assert "scopes" in problem(response)["errors"]
    assert not ConsentRecord.objects.exists()


def test_an_analyst_cannot_record_a_refusal(case: SharedCase, personas: Personas, as_key: Caller) -> None:
    response = as_key(personas.analyst).post(
        f"{case.url}/refusals", _refusal([_scope(personas.college.pk, "identity")])
    )
    assert response.status_code == 403
    problem(response)
    assert not ConsentRecord.objects.exists()


def test_a_refused_record_exports_as_refused(case: SharedCase, personas: Personas) -> None:
    record_id = _json(case.worker.post(f"{case.url}/refusals", _refusal([_scope(personas.college.pk, "identity")])))[
        "id"
    ]
    fhir = _json(case.worker.get(f"{case.url}/{record_id}/export/fhir"))
    assert fhir["status"] == "not-done"
    assert "provision" not in fhir
    iso = json.dumps(_json(case.worker.get(f"{case.url}/{record_id}/export/iso27560")))
    assert "dpv:ConsentRefused" in iso
    kantara = case.worker.get(f"{case.url}/{record_id}/export/kantara")
    assert kantara.status_code == 409
    assert "the client refused" in problem(kantara)["detail"]
