"""The three standard exports of a consent record: every mandatory field present, JSON-clean, states mapped."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from datetime import UTC, date, datetime

import pytest

from ceangal.consent.exports import (
    IncompleteConsentRecord,
    iso_duration,
    to_fhir_r5,
    to_iso27560,
    to_kantara,
)
from ceangal.consent.receipts import ConsentDocument, ConsentEventView, Party, ScopeRow

EVIDENCE = b"%PDF-1.7 signed consent form"
GIVEN_AT = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 5, 20, 14, 0, tzinfo=UTC)

# ISO/IEC TS 27560 mandatory fields (standards.md section (a), confirmed against the DPVCG guide's
# mapping table) and where the DPV JSON-LD export carries each one. "*" walks every list item.
ISO27560_MANDATORY: dict[str, tuple[str, ...]] = {
    "schema_version": ("dct:conformsTo",),
    "record_id": ("dct:identifier",),
    "pii_principal_id": ("dpv:hasDataSubject", "dct:identifier"),
    "jurisdiction": ("dpv:hasJurisdiction",),
    "privacy_notice": ("dpv:hasNotice", "*", "@id"),
    "language": ("dct:language",),
    "pii_controllers": ("dpv:hasDataController",),
    "party_id": ("dpv:hasEntity", "*", "dct:identifier"),
    "party_name": ("dpv:hasEntity", "*", "dpv:hasName"),
    "party_type": ("dpv:hasEntity", "*", "dct:type"),
    "purpose": ("dpv:hasProcess", "*", "dpv:hasPurpose", "dct:description"),
    "pii_information": ("dpv:hasProcess", "*", "dpv:hasPersonalData"),
    "pii_type": ("dpv:hasProcess", "*", "dpv:hasPersonalData", "skos:broader"),
    "storage_locations": ("dpv:hasProcess", "*", "dpv:hasStorageCondition", "*", "@type"),
    "retention_period": ("dpv:hasProcess", "*", "dpv:hasStorageCondition", "*", "dpv:hasDuration"),
    "recipient_third_parties": ("dpv:hasProcess", "*", "dpv:hasRecipient"),
    "withdrawal_method": ("dpv:hasProcess", "*", "dpv:hasConsentControl", "dct:description"),
    "event_time": ("dpv:hasConsentStatus", "*", "dpv:isIndicatedAtTime"),
    "validity_duration": ("dpv:hasConsentStatus", "*", "dpv:hasDuration"),
    "entity_id": ("dpv:hasConsentStatus", "*", "dpv:isIndicatedBy"),
    "event_type": ("dpv:hasConsentStatus", "*", "@type"),
    "event_state": ("dpv:hasConsentStatus", "*", "@type"),
}
# Controllers only: party address and contact are mandatory for them (recipients are named by the DSA).
ISO27560_CONTROLLER_MANDATORY = ("dct:identifier", "dpv:hasName", "dpv:hasAddress", "dpv:hasContact", "dct:type")
# Also required by standards.md's data model ("we require it"), though optional in ISO 27560.
ISO27560_REQUIRED_BY_US: dict[str, tuple[str, ...]] = {
    "lawful_basis": ("dpv:hasProcess", "*", "dpv:hasLegalBasis"),
    "purpose_type": ("dpv:hasProcess", "*", "dpv:hasPurpose", "skos:broader"),
    "collection_method": ("dpv:hasProcess", "*", "dpv:hasDataSource"),
    "privacy_rights": ("dpv:hasRight",),
    "authority_party": ("dpv:hasAuthority", "dpv:hasName"),
    "service": ("dpv:hasService",),
}

# Kantara Consent Receipt v1.1.0: fields the specification marks required.
KANTARA_REQUIRED = (
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
)
KANTARA_CONTROLLER_REQUIRED = ("piiController", "contact", "address", "email", "phone")
KANTARA_SERVICE_REQUIRED = ("service", "purposes")
KANTARA_PURPOSE_REQUIRED = ("purpose", "purposeCategory", "consentType", "piiCategory", "termination")

# FHIR R5 Consent elements that standards.md maps our record to.
FHIR_MAPPED = (
    "resourceType",
    "id",
    "identifier",
    "language",
    "status",
    "category",
    "subject",
    "date",
    "period",
    "grantor",
    "grantee",
    "manager",
    "controller",
    "sourceAttachment",
    "regulatoryBasis",
    "policyBasis",
    "verification",
    "decision",
    "provision",
)


def values_at(node: object, path: tuple[str, ...]) -> list[object]:
    """Every value found by following `path`; "*" fans out over a list (or a single object)."""
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if head == "*":
        items = node if isinstance(node, list) else [node]
        return [value for item in items for value in values_at(item, rest)]
    if isinstance(node, dict) and head in node:
        return values_at(node[head], rest)
    return []


def non_empty(value: object) -> bool:
    return value not in (None, "", [], {})


def party(name: str, identifier: str, role: str, organisation_type: str) -> Party:
    return Party(
        name=name,
        identifier=identifier,
        role=role,
        organisation_type=organisation_type,
        address=f"{name}, 1 High Street, Kirkwall KW15 1AA",
        email=f"dpo@{identifier.lower()}.example",
        phone="01856 873535",
        url=f"https://{identifier.lower()}.example",
    )


def scope(recipient: str, recipient_id: str, purpose: str, category: str, sensitivity: str, **basis: str) -> ScopeRow:
    return ScopeRow(
        recipient_name=recipient,
        recipient_identifier=recipient_id,
        recipient_type="third_sector",
        purpose=purpose,
        purpose_label=purpose.replace("_", " ").capitalize(),
        purpose_dpv="dpv:ServiceProvision",
        category=category,
        category_label=category.replace("_", " ").capitalize(),
        sensitivity=sensitivity,
        lawful_basis=basis.get("lawful_basis", "public_task"),
        condition=basis.get("condition", ""),
    )


@pytest.fixture
def document() -> ConsentDocument:
    """Two joint controllers; three rows, one special category; given, then one row withdrawn."""
    return ConsentDocument(
        record_id="6f1c2a9e-4b7d-4e0a-9c3f-2d8e5b1a7c40",
        client_ref="CG-7K2M9Q",
        notice_id="nolb-orkney-privacy",
        notice_version=3,
        notice_url="https://ceangal.example/notices/nolb-orkney-privacy/3",
        notice_title="No One Left Behind: how we use your information",
        controllers=(
            party("Orkney Islands Council", "OIC", "joint_controller", "local_authority"),
            party("Scottish Government", "SG", "joint_controller", "central_government"),
        ),
        scopes=(
            scope("Voluntary Action Orkney", "VAO", "support_coordination", "contact_details", "standard"),
            scope(
                "Orkney Health Support",
                "OHS",
                "support_coordination",
                "health",
                "special_category",
                condition="substantial_public_interest",
            ),
            scope(
                "Training Works", "TW", "training_referral", "employment_history", "standard", lawful_basis="consent"
            ),
        ),
        method="paper_form",
        method_label="Paper form signed in person",
        expressed_by="client",
        recorded_by="keyworker:OIC-0042",
        recorded_at=GIVEN_AT,
        valid_from=date(2026, 3, 2),
        valid_until=date(2027, 3, 2),
        until_support_ends=True,
        evidence_sha256=hashlib.sha256(EVIDENCE).hexdigest(),
        evidence_media_type="application/pdf",
        events=(
            ConsentEventView(kind="given", at=GIVEN_AT, by="client"),
            ConsentEventView(
                kind="withdrawn",
                at=WITHDRAWN_AT,
                by="client",
                note="No longer wants training referrals",
                scope_indexes=(2,),
            ),
        ),
        retention="6 years after support ends",
        withdrawal_method="Tell your keyworker, phone 01856 873535 or use the link in your receipt",
        rights_url="https://ceangal.example/your-rights",
    )


def with_events(doc: ConsentDocument, *kinds: str) -> ConsentDocument:
    events = tuple(
        ConsentEventView(kind=kind, at=datetime(2026, 3, 2 + step, 9, tzinfo=UTC), by="client")
        for step, kind in enumerate(kinds)
    )
    return dataclasses.replace(doc, events=events)


# -- ISO/IEC TS 27560 -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", [*ISO27560_MANDATORY, *ISO27560_REQUIRED_BY_US])
def test_iso27560_has_every_mandatory_field(document, field):
    path = {**ISO27560_MANDATORY, **ISO27560_REQUIRED_BY_US}[field]
    found = values_at(to_iso27560(document), path)
    assert found, f"{field} missing at {path}"
    assert all(non_empty(value) for value in found), f"{field} empty at {path}"


def test_iso27560_controllers_have_mandatory_party_fields(document):
    record = to_iso27560(document)
    controllers = [entity for entity in record["dpv:hasEntity"] if "dpv:DataController" in entity["@type"]]
    assert len(controllers) == 2
    for controller in controllers:
        assert all(non_empty(controller.get(key)) for key in ISO27560_CONTROLLER_MANDATORY), controller
    assert record["dpv:hasJointDataControllers"]["@type"] == "dpv:JointDataControllers"


def test_iso27560_uses_the_dpv_27560_profile_and_event_states(document):
    record = to_iso27560(document)
    assert record["dct:conformsTo"] == "https://w3id.org/dpv/schema/dpv-27560#record"
    assert record["@type"] == "dpv:ConsentRecord"
    states = [event["@type"][0] for event in record["dpv:hasConsentStatus"]]
    assert states == ["dpv:ConsentGiven", "dpv:ConsentWithdrawn"]
    partial = record["dpv:hasConsentStatus"][1]
    assert partial["dpv:hasProcess"] == [{"@id": f"urn:uuid:{document.record_id}#scope-2"}]
    per_row = [process["dpv:hasConsentStatus"] for process in record["dpv:hasProcess"]]
    assert per_row == ["dpv:ConsentGiven", "dpv:ConsentGiven", "dpv:ConsentWithdrawn"]


def test_iso27560_maps_lawful_basis_per_purpose(document):
    processes = to_iso27560(document)["dpv:hasProcess"]
    assert processes[0]["dpv:hasLegalBasis"] == ["eu-gdpr:A6-1-e-public-interest"]
    assert processes[1]["dpv:hasLegalBasis"] == ["eu-gdpr:A6-1-e-public-interest", "eu-gdpr:A9-2-g"]
    assert processes[2]["dpv:hasLegalBasis"] == ["eu-gdpr:A6-1-a"]
    special = processes[1]["dpv:hasPersonalData"]["@type"]
    assert "dpv:SpecialCategoryPersonalData" in special
    assert "dpv:SensitivePersonalData" in special


def test_iso27560_validity_is_a_duration_and_until_support_ends(document):
    duration = to_iso27560(document)["dpv:hasConsentStatus"][0]["dpv:hasDuration"]
    assert duration[0] == {
        "@type": "dpv:TemporalDuration",
        "rdf:value": "P1Y",
        "dct:temporal": "2026-03-02/2027-03-02",
    }
    assert duration[1]["@type"] == "dpv:UntilEventDuration"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 2), date(2027, 3, 2), "P1Y"),
        (date(2026, 1, 31), date(2026, 2, 28), "P1M"),  # xsd:duration adds months clamped to month end
        (date(2026, 1, 15), date(2026, 7, 29), "P6M14D"),
        (date(2026, 3, 2), date(2026, 3, 2), "P0D"),
    ],
)
def test_iso_duration(start, end, expected):
    assert iso_duration(start, end) == expected


def test_unmapped_lawful_basis_fails_loudly(document):
    odd = dataclasses.replace(document.scopes[0], lawful_basis="because")
    with pytest.raises(ValueError, match="unmapped lawful basis"):
        to_iso27560(dataclasses.replace(document, scopes=(odd,)))


def test_missing_mandatory_fields_are_named(document):
    with pytest.raises(IncompleteConsentRecord) as raised:
        to_iso27560(dataclasses.replace(document, retention="", withdrawal_method=""))
    assert raised.value.missing == ["retention", "withdrawal_method"]


# -- Kantara v1.1 ------------------------------------------------------------------------------------


def test_kantara_has_every_required_field(document):
    receipt = to_kantara(document)
    assert all(non_empty(receipt.get(key)) or receipt.get(key) is False for key in KANTARA_REQUIRED)
    for controller in receipt["piiControllers"]:
        assert all(non_empty(controller.get(key)) for key in KANTARA_CONTROLLER_REQUIRED), controller
    for service in receipt["services"]:
        assert all(non_empty(service.get(key)) for key in KANTARA_SERVICE_REQUIRED)
        for purpose in service["purposes"]:
            assert all(non_empty(purpose.get(key)) for key in KANTARA_PURPOSE_REQUIRED), purpose
            assert isinstance(purpose["thirdPartyDisclosure"], bool)
            if purpose["thirdPartyDisclosure"]:
                assert purpose["thirdPartyName"]
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert "publicKey" not in receipt


def test_kantara_timestamp_is_integer_epoch_seconds(document):
    stamp = to_kantara(document)["consentTimestamp"]
    assert type(stamp) is int
    assert stamp == int(GIVEN_AT.timestamp())


def test_kantara_sensitive_needs_spi_categories(document):
    receipt = to_kantara(document)
    assert receipt["sensitive"] is True
    assert receipt["spiCat"] == ["Health"]
    plain = dataclasses.replace(document, scopes=(document.scopes[0],), events=document.events[:1])
    receipt = to_kantara(plain)
    assert receipt["sensitive"] is False
    assert "spiCat" not in receipt


def test_kantara_lists_only_sharing_still_in_force(document):
    purposes = to_kantara(document)["services"][0]["purposes"]
    assert [purpose["thirdPartyName"] for purpose in purposes] == ["Voluntary Action Orkney", "Orkney Health Support"]
    assert all(purpose["consentType"] == "EXPLICIT" for purpose in purposes)


def test_kantara_phone_is_an_rfc3966_uri_and_address_is_structured(document):
    controller = to_kantara(document)["piiControllers"][0]
    assert controller["phone"] == "tel:+44-1856-873535"
    assert controller["address"]["addressCountry"] == "GB"
    assert controller["address"]["streetAddress"]


# -- FHIR R5 -----------------------------------------------------------------------------------------


def test_fhir_has_every_mapped_element(document):
    resource = to_fhir_r5(document)
    assert all(non_empty(resource.get(key)) for key in FHIR_MAPPED), [k for k in FHIR_MAPPED if not resource.get(k)]
    assert resource["resourceType"] == "Consent"
    assert resource["date"] == "2026-03-02"
    assert resource["period"] == {"start": "2026-03-02", "end": "2027-03-02"}


@pytest.mark.parametrize(
    ("kinds", "status"),
    [
        (("given",), "active"),
        (("given", "renewed"), "active"),
        (("given", "withdrawn"), "inactive"),
        (("given", "expired"), "inactive"),
        (("refused",), "not-done"),
        (("given", "invalidated"), "entered-in-error"),
    ],
)
def test_fhir_status_follows_the_latest_state(document, kinds, status):
    assert to_fhir_r5(with_events(document, *kinds))["status"] == status


def test_fhir_given_but_past_its_period_is_inactive(document):
    later = datetime(2027, 6, 1, tzinfo=UTC)
    assert to_fhir_r5(document, at=later)["status"] == "inactive"
    assert to_fhir_r5(document, at=WITHDRAWN_AT)["status"] == "active"


def test_fhir_partial_withdrawal_is_a_nested_exception(document):
    resource = to_fhir_r5(document)
    assert resource["decision"] == "deny"  # opt-in: each scope row is a permit exception
    provisions = resource["provision"]
    assert len(provisions) == 3
    assert "provision" not in provisions[0]
    assert "provision" not in provisions[1]
    assert provisions[2]["provision"][0]["period"] == {"start": "2026-05-20T14:00:00Z"}
    assert provisions[1]["securityLabel"][0]["code"] == "R"
    assert provisions[1]["code"][0]["coding"][0]["code"] == "health"


def test_iso27560_records_a_refusal_with_no_period_of_validity(document):
    [status] = to_iso27560(with_events(document, "refused"))["dpv:hasConsentStatus"]
    assert status["@type"][0] == "dpv:ConsentRefused"
    assert "dpv:hasDuration" not in status
    assert "dpv:hasIndicationMethod" not in status  # only consent given carries how it was given


def test_kantara_has_no_receipt_for_a_refusal(document):
    with pytest.raises(IncompleteConsentRecord) as caught:
        to_kantara(with_events(document, "refused"))
    assert "the client refused" in caught.value.missing[0]


def test_fhir_refused_record_permits_nothing(document):
    resource = to_fhir_r5(with_events(document, "refused"))
    assert resource["decision"] == "deny"
    assert "provision" not in resource


def test_fhir_evidence_hash_is_sha256_in_an_extension_not_attachment_hash(document):
    attachment = to_fhir_r5(document)["sourceAttachment"][0]
    assert "hash" not in attachment  # R5 Attachment.hash is defined as SHA-1
    (extension,) = attachment["extension"]
    assert base64.b64decode(extension["valueBase64Binary"]) == hashlib.sha256(EVIDENCE).digest()


def test_fhir_regulatory_basis_names_each_lawful_basis_once(document):
    codes = [basis["coding"][0]["code"] for basis in to_fhir_r5(document)["regulatoryBasis"]]
    assert codes == ["A6-1-e-public-interest", "A9-2-g", "A6-1-a"]


def test_fhir_validates_against_the_r5_consent_model(document):
    consent = pytest.importorskip("fhir.resources.consent")
    for kinds in (("given",), ("refused",), ("given", "withdrawn")):
        resource = to_fhir_r5(with_events(document, *kinds))
        consent.Consent.model_validate(resource)
    consent.Consent.model_validate(to_fhir_r5(document))


# -- all three -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [to_iso27560, to_kantara, to_fhir_r5])
def test_exports_round_trip_through_json(document, export):
    exported = export(document)
    assert json.loads(json.dumps(exported)) == exported


def test_state_and_validity(document):
    assert document.state == "given"  # a partial withdrawal leaves the rest in force
    assert document.in_force_scope_indexes() == (0, 1)
    assert document.is_valid(WITHDRAWN_AT)
    assert not document.is_valid(datetime(2026, 3, 1, tzinfo=UTC))
    assert not document.is_valid(datetime(2027, 3, 3, tzinfo=UTC))
    withdrawn = with_events(document, "given", "withdrawn")
    assert withdrawn.state == "withdrawn"
    assert not withdrawn.is_valid(datetime(2026, 6, 1, tzinfo=UTC))
    assert withdrawn.is_valid(datetime(2026, 3, 2, 12, tzinfo=UTC))  # before the withdrawal
