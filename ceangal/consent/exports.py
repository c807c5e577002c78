"""Export a consent record in three standard shapes: ISO/IEC TS 27560 (DPV JSON-LD), Kantara v1.1, FHIR R5.

Pure functions over `receipts.ConsentDocument`: no database, no settings, no clock (time is an
argument where it matters). Each returns a JSON-serialisable dict. docs/consent-exports.md maps every
field and lists the gaps.

A record missing something a standard makes mandatory raises `IncompleteConsentRecord` naming the
fields, rather than exporting a receipt that does not conform.
"""

from __future__ import annotations

import base64
import calendar
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from ceangal.consent.receipts import VALID_STATES, ConsentDocument, ConsentEventView, Party, ScopeRow

JSON = dict[str, Any]

DPV_27560_RECORD = "https://w3id.org/dpv/schema/dpv-27560#record"
KANTARA_VERSION = "KI-CR-v1.1.0"

# Code systems and identifiers minted by Ceangal. They are URIs we control; a FHIR CodeSystem
# resource for each can be published later without changing exported records.
CEANGAL_NS = "https://ceangal.scot/ns/"
CLIENT_REF_SYSTEM = f"{CEANGAL_NS}client-ref"
PARTY_SYSTEM = f"{CEANGAL_NS}organisation"
PURPOSE_SYSTEM = f"{CEANGAL_NS}purpose"
CATEGORY_SYSTEM = f"{CEANGAL_NS}data-category"
SENSITIVITY_SYSTEM = f"{CEANGAL_NS}sensitivity"
METHOD_SYSTEM = f"{CEANGAL_NS}consent-method"
CONSENT_CATEGORY_SYSTEM = f"{CEANGAL_NS}consent-category"
# FHIR R5 Attachment.hash is defined as SHA-1 (base64). We keep SHA-256 only, so it travels in this
# extension instead of being passed off as a SHA-1 in `hash`.
EVIDENCE_SHA256_EXTENSION = f"{CEANGAL_NS}fhir/StructureDefinition/attachment-sha256"

PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"

JSONLD_CONTEXT: JSON = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "loc": "https://w3id.org/dpv/loc#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "ceangal": CEANGAL_NS,
}

# DPV has no UK GDPR concepts (legal-gb defines only the ICO, the DPA and the GDPR), so the EU GDPR
# article concepts are reused with jurisdiction GB-SCT: the UK GDPR keeps the same article numbers.
LAWFUL_BASES: dict[str, str] = {
    "consent": "eu-gdpr:A6-1-a",
    "contract": "eu-gdpr:A6-1-b",
    "legal_obligation": "eu-gdpr:A6-1-c",
    "vital_interests": "eu-gdpr:A6-1-d",
    "public_task": "eu-gdpr:A6-1-e-public-interest",
    "official_authority": "eu-gdpr:A6-1-e-official-authority",
    "legitimate_interests": "eu-gdpr:A6-1-f",
}
ARTICLE9_CONDITIONS: dict[str, str] = {
    "explicit_consent": "eu-gdpr:A9-2-a",
    "employment_social_security": "eu-gdpr:A9-2-b",
    "substantial_public_interest": "eu-gdpr:A9-2-g",
    "health_social_care": "eu-gdpr:A9-2-h",
    "archiving_research_statistics": "eu-gdpr:A9-2-j",
}
LEGAL_BASIS_LABELS: dict[str, str] = {
    "eu-gdpr:A6-1-a": "UK GDPR Art 6(1)(a) consent",
    "eu-gdpr:A6-1-b": "UK GDPR Art 6(1)(b) contract",
    "eu-gdpr:A6-1-c": "UK GDPR Art 6(1)(c) legal obligation",
    "eu-gdpr:A6-1-d": "UK GDPR Art 6(1)(d) vital interests",
    "eu-gdpr:A6-1-e-public-interest": "UK GDPR Art 6(1)(e) public task",
    "eu-gdpr:A6-1-e-official-authority": "UK GDPR Art 6(1)(e) official authority",
    "eu-gdpr:A6-1-f": "UK GDPR Art 6(1)(f) legitimate interests",
    "eu-gdpr:A9-2-a": "UK GDPR Art 9(2)(a) explicit consent",
    "eu-gdpr:A9-2-b": "UK GDPR Art 9(2)(b) employment and social security",
    "eu-gdpr:A9-2-g": "UK GDPR Art 9(2)(g) substantial public interest",
    "eu-gdpr:A9-2-h": "UK GDPR Art 9(2)(h) health or social care",
    "eu-gdpr:A9-2-j": "UK GDPR Art 9(2)(j) archiving, research or statistics",
}
CONSENT_STATES: dict[str, str] = {
    # Signed on paper, but the scan is not yet attached: Ceangal cannot show it was given.
    "pending": "dpv:ConsentUnknown",
    "given": "dpv:ConsentGiven",
    "renewed": "dpv:RenewedConsentGiven",
    "refused": "dpv:ConsentRefused",
    "withdrawn": "dpv:ConsentWithdrawn",
    "expired": "dpv:ConsentExpired",
    "invalidated": "dpv:ConsentInvalidated",
}
FHIR_STATUSES: dict[str, str] = {
    # R5 "draft": awaiting use, not yet to be acted upon.
    "pending": "draft",
    "given": "active",
    "renewed": "active",
    "withdrawn": "inactive",
    "expired": "inactive",
    "refused": "not-done",
    "invalidated": "entered-in-error",
}
SENSITIVITY_TYPES: dict[str, list[str]] = {
    "standard": ["dpv:PersonalData"],
    "sensitive": ["dpv:PersonalData", "dpv:SensitivePersonalData"],
    "special_category": ["dpv:PersonalData", "dpv:SensitivePersonalData", "dpv:SpecialCategoryPersonalData"],
    # Art 10 data is not special category, but it is sensitive and restricted.
    "criminal_offence": ["dpv:PersonalData", "dpv:SensitivePersonalData"],
}
# HL7 v3 Confidentiality: N normal, R restricted, V very restricted.
CONFIDENTIALITY: dict[str, tuple[str, str]] = {
    "standard": ("N", "normal"),
    "sensitive": ("R", "restricted"),
    "special_category": ("R", "restricted"),
    "criminal_offence": ("V", "very restricted"),
}
EXPRESSED_BY: dict[str, str] = {
    "client": "dpv:DataSubject",
    "guardian": "dpv:GuardianOfDataSubject",
    "appointee": "dpv:Representative",
}
STORAGE_LOCATIONS: dict[str, str] = {"United Kingdom": "loc:GB", "UK": "loc:GB", "Scotland": "loc:GB-SCT"}


class IncompleteConsentRecord(ValueError):
    """The record lacks fields the target standard makes mandatory; `missing` names them."""

    def __init__(self, standard: str, missing: list[str]) -> None:
        self.standard = standard
        self.missing = missing
        super().__init__(f"cannot export to {standard}: missing {', '.join(missing)}")


# -- shared helpers ---------------------------------------------------------------------------------


def _iso(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("consent times must be timezone-aware")
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def iso_duration(start: date, end: date) -> str:
    """The ISO 8601 duration from `start` to `end` in years, months and days, e.g. "P1Y" or "P6M14D"."""
    if end < start:
        raise ValueError("validity ends before it starts")
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) > end:
        months -= 1
    days = (end - _add_months(start, months)).days
    years, months = divmod(months, 12)
    parts = "".join(f"{value}{unit}" for value, unit in ((years, "Y"), (months, "M"), (days, "D")) if value)
    return f"P{parts or '0D'}"


def legal_bases(row: ScopeRow) -> list[str]:
    """DPV legal basis concepts for a scope row: its Art 6 basis, then its Art 9 condition if any."""
    try:
        bases = [LAWFUL_BASES[row.lawful_basis]]
    except KeyError:
        raise ValueError(f"unmapped lawful basis {row.lawful_basis!r}") from None
    if row.condition:
        condition = ARTICLE9_CONDITIONS.get(row.condition) or f"eu-gdpr:{row.condition}"
        if condition not in LEGAL_BASIS_LABELS:
            raise ValueError(f"unmapped Article 9 condition {row.condition!r}")
        bases.append(condition)
    return bases


def _party_iri(identifier: str) -> str:
    return f"{PARTY_SYSTEM}/{identifier}"


def _process_iri(doc: ConsentDocument, index: int) -> str:
    return f"urn:uuid:{doc.record_id}#scope-{index}"


def _recipients(doc: ConsentDocument) -> list[ScopeRow]:
    """One scope row per distinct recipient, in first-seen order."""
    seen: dict[str, ScopeRow] = {}
    for row in doc.scopes:
        seen.setdefault(row.recipient_identifier, row)
    return list(seen.values())


def _tel_uri(phone: str, country_code: str = "44") -> str:
    """An RFC 3966 global number, e.g. "0131 496 0000" -> "tel:+44-131-496-0000"."""
    groups = re.findall(r"\d+", phone)
    if not groups:
        return ""
    if phone.strip().startswith("+"):
        return "tel:+" + "-".join(groups)
    if groups[0].startswith("0"):
        groups[0] = groups[0][1:]
        if not groups[0]:
            groups = groups[1:]
    return "tel:+" + "-".join([country_code, *groups])


def _require(standard: str, checks: Iterable[tuple[str, object]]) -> None:
    missing = [name for name, value in checks if value in ("", None, (), [])]
    if missing:
        raise IncompleteConsentRecord(standard, missing)


def _common_checks(doc: ConsentDocument) -> list[tuple[str, object]]:
    checks: list[tuple[str, object]] = [
        ("record_id", doc.record_id),
        ("client_ref", doc.client_ref),
        ("jurisdiction", doc.jurisdiction),
        ("language", doc.language),
        ("notice_url", doc.notice_url),
        ("controllers", doc.controllers),
        ("scopes", doc.scopes),
    ]
    for position, party in enumerate(doc.controllers):
        checks += [(f"controllers[{position}].name", party.name), (f"controllers[{position}].address", party.address)]
        checks.append((f"controllers[{position}].email or phone", party.email or party.phone))
    return checks


# -- ISO/IEC TS 27560 as DPV JSON-LD --------------------------------------------------------------------


def _duration(doc: ConsentDocument) -> JSON | list[JSON]:
    """validity_duration: a period from valid_from, "until support ends", or both (whichever is first)."""
    durations: list[JSON] = []
    if doc.valid_until is not None:
        durations.append(
            {
                "@type": "dpv:TemporalDuration",
                "rdf:value": iso_duration(doc.valid_from, doc.valid_until),
                "dct:temporal": f"{_iso(doc.valid_from)}/{_iso(doc.valid_until)}",
            }
        )
    if doc.until_support_ends:
        durations.append(
            {"@type": "dpv:UntilEventDuration", "rdf:value": "until the client's employability support ends"}
        )
    if not durations:
        # Not best practice, and said plainly rather than hidden.
        durations.append({"@type": "dpv:EndlessDuration", "rdf:value": f"from {_iso(doc.valid_from)}, no end set"})
    return durations[0] if len(durations) == 1 else durations


def _indicated_by(doc: ConsentDocument, event: ConsentEventView) -> str | JSON:
    """entity_id: who expressed the event. Giving, renewing and refusing are the client's (or their
    guardian's or appointee's) acts even when staff record them; other events name whoever acted."""
    if event.by in EXPRESSED_BY:
        return EXPRESSED_BY[event.by]
    if event.kind in {"pending", "given", "renewed", "refused"} or not event.by:
        return EXPRESSED_BY.get(doc.expressed_by, doc.expressed_by)
    return {"@type": "dpv:Entity", "dct:identifier": event.by}


def _iso_event(doc: ConsentDocument, event: ConsentEventView) -> JSON:
    record: JSON = {
        # event_state and event_type: the DPV status plus the kind of consent it concerns.
        "@type": [CONSENT_STATES[event.kind], "dpv:ExplicitlyExpressedConsent"],
        "dpv:isIndicatedAtTime": _iso(event.at),
        "dpv:isIndicatedBy": _indicated_by(doc, event),
    }
    if event.kind != "refused":
        # A refusal grants nothing, so it has no period of validity to state.
        record["dpv:hasDuration"] = _duration(doc)
    if event.kind in VALID_STATES:
        record["dpv:hasIndicationMethod"] = doc.method_label
        record["dpv:hasNotice"] = {"@id": doc.notice_url}
    if event.scope_indexes:
        record["dpv:hasProcess"] = [{"@id": _process_iri(doc, index)} for index in event.scope_indexes]
    if event.note:
        record["rdfs:comment"] = event.note
    return record


def _iso_party(party: Party) -> JSON:
    types = ["dpv:Organisation", "dpv:DataController"]
    if party.role == "joint_controller":
        types.append("dpv:JointDataController")
    contacts = [value for value in (party.email and f"mailto:{party.email}", _tel_uri(party.phone), party.url) if value]
    return {
        "@id": _party_iri(party.identifier),
        "@type": types,
        "dct:identifier": party.identifier,
        "dpv:hasName": party.name,
        "dpv:hasAddress": party.address,
        "dpv:hasContact": contacts,
        "dct:type": party.organisation_type or party.role,
    }


def _iso_recipient(row: ScopeRow) -> JSON:
    return {
        "@id": _party_iri(row.recipient_identifier),
        "@type": ["dpv:Organisation", "dpv:Recipient", "dpv:ThirdParty"],
        "dct:identifier": row.recipient_identifier,
        "dpv:hasName": row.recipient_name,
        "dct:type": row.recipient_type,
    }


def _iso_rights(doc: ConsentDocument) -> list[str]:
    bases = {row.lawful_basis for row in doc.scopes}
    rights = ["eu-gdpr:A15", "eu-gdpr:A16", "eu-gdpr:A17", "eu-gdpr:A18"]
    if "consent" in bases:
        rights += ["eu-gdpr:A7-3", "eu-gdpr:A20"]  # withdrawal and portability exist only for consent
    if bases & {"public_task", "official_authority", "legitimate_interests"}:
        rights.append("eu-gdpr:A21")
    return [*rights, "eu-gdpr:A77"]


def _retention(doc: ConsentDocument) -> JSON:
    kind = "dpv:TemporalDuration" if re.fullmatch(r"P[0-9YMWD]+", doc.retention) else "dpv:UntilEventDuration"
    return {"@type": "dpv:StorageDuration", "dpv:hasDuration": {"@type": kind, "rdf:value": doc.retention}}


def _iso_process(doc: ConsentDocument, index: int, row: ScopeRow) -> JSON:
    withdrawal = doc.withdrawal_of(index)
    state = "withdrawn" if withdrawal else doc.state
    return {
        "@id": _process_iri(doc, index),
        "@type": "dpv:Process",
        "dpv:hasPurpose": {
            "@type": "dpv:Purpose",
            "dct:identifier": row.purpose,
            "skos:broader": row.purpose_dpv,  # purpose_type
            "dct:description": row.purpose_label,
        },
        "dpv:hasLegalBasis": legal_bases(row),
        "dpv:hasPersonalData": {
            "@type": SENSITIVITY_TYPES[row.sensitivity],  # sensitive and special flags
            "dct:identifier": row.category,
            "skos:broader": SENSITIVITY_TYPES[row.sensitivity][-1],  # pii_type
            "dct:description": row.category_label,
            "dpv:hasNecessity": "dpv:Required",
            "ceangal:sensitivity": row.sensitivity,
        },
        "dpv:hasDataSource": "dpv:DataSubject",
        "dpv:hasDataController": [_party_iri(party.identifier) for party in doc.controllers],
        "dpv:hasRecipient": _party_iri(row.recipient_identifier),
        "dpv:hasStorageCondition": [
            {
                "@type": "dpv:StorageLocation",
                "dpv:hasLocation": STORAGE_LOCATIONS.get(doc.storage_location, doc.storage_location),
                "dct:description": doc.storage_location,
            },
            _retention(doc),
        ],
        "dpv:hasConsentControl": {"@type": "dpv:WithdrawConsent", "dct:description": doc.withdrawal_method},
        "dpv:hasConsentStatus": CONSENT_STATES[state],
    }


def to_iso27560(doc: ConsentDocument) -> JSON:
    """The record as an ISO/IEC TS 27560 consent record in the DPVCG's dpv-27560 JSON-LD profile."""
    _require(
        "ISO/IEC TS 27560",
        [
            *_common_checks(doc),
            ("notice_id", doc.notice_id),
            ("storage_location", doc.storage_location),
            ("retention", doc.retention),
            ("withdrawal_method", doc.withdrawal_method),
            ("events", doc.events),
        ],
    )
    joint = [party for party in doc.controllers if party.role == "joint_controller"]
    record: JSON = {
        "@context": JSONLD_CONTEXT,
        "@id": f"urn:uuid:{doc.record_id}",
        "@type": "dpv:ConsentRecord",
        "dct:conformsTo": DPV_27560_RECORD,
        "dct:identifier": doc.record_id,
        "dct:created": _iso(doc.recorded_at),
        "dct:creator": doc.recorded_by,
        "dpv:hasDataSubject": {"@type": "dpv:DataSubject", "dct:identifier": doc.client_ref},
        "dpv:hasJurisdiction": f"loc:{doc.jurisdiction}",
        "dpv:hasNotice": {
            "@id": doc.notice_url,
            "@type": "dpv:ConsentNotice",
            "dct:identifier": doc.notice_id,
            "dct:title": doc.notice_title,
            "dct:hasVersion": str(doc.notice_version),
            "dct:language": doc.language,
        },
        "dct:language": doc.language,
        "dpv:hasService": doc.service,
        "dpv:hasDataController": [_party_iri(party.identifier) for party in doc.controllers],
        "dpv:hasEntity": [
            *(_iso_party(party) for party in doc.controllers),
            *(_iso_recipient(row) for row in _recipients(doc)),
        ],
        "dpv:hasProcess": [_iso_process(doc, index, row) for index, row in enumerate(doc.scopes)],
        "dpv:hasRight": _iso_rights(doc),
        "dpv:hasAuthority": {"@type": "dpv:DataProtectionAuthority", "dpv:hasName": doc.authority},
        "dpv:hasConsentStatus": [_iso_event(doc, event) for event in doc.ordered_events],
    }
    if joint and len(doc.controllers) > 1:
        record["dpv:hasJointDataControllers"] = {
            "@type": "dpv:JointDataControllers",
            "dpv:hasDataController": [_party_iri(party.identifier) for party in doc.controllers],
        }
    if doc.rights_url:
        record["dpv:hasNotice"] = [
            record["dpv:hasNotice"],
            {"@id": doc.rights_url, "@type": "dpv:RightExerciseNotice"},
        ]
    return record


# -- Kantara Consent Receipt v1.1 ---------------------------------------------------------------------


def _kantara_controller(doc: ConsentDocument, party: Party) -> JSON:
    controller: JSON = {
        "piiController": party.name,
        "onBehalf": False,
        # Party has no named contact person; the contact point is the data protection mailbox.
        "contact": party.email or party.phone,
        "address": {"streetAddress": party.address, "addressCountry": doc.jurisdiction.split("-")[0]},
        "email": party.email,
        "phone": _tel_uri(party.phone),
    }
    if party.url:
        controller["piiControllerUrl"] = party.url
    return controller


def _kantara_purpose(doc: ConsentDocument, row: ScopeRow) -> JSON:
    termination = doc.retention or "see policyUrl"
    if doc.valid_until is not None:
        termination = f"consent valid until {_iso(doc.valid_until)}; data kept: {termination}"
    elif doc.until_support_ends:
        termination = f"consent valid until support ends; data kept: {termination}"
    return {
        "purpose": row.purpose_label,
        "purposeCategory": [row.purpose_dpv, row.purpose],
        "consentType": "EXPLICIT",
        "piiCategory": [row.category_label],
        # The notice lists the primary purpose first; so do the scope rows.
        "primaryPurpose": row.purpose == doc.scopes[0].purpose,
        "termination": termination,
        "thirdPartyDisclosure": True,
        "thirdPartyName": row.recipient_name,
    }


def to_kantara(doc: ConsentDocument) -> JSON:
    """The record as a Kantara Consent Receipt v1.1.0.

    Kantara has no consent state: the receipt lists the sharing in force after the latest given or
    renewed event and any partial withdrawals, stamped with the time of the latest given or renewed
    event. A consumer needing the state reads the ISO 27560 or FHIR export.

    A refusal has no Kantara receipt: every receipt says its purposes were consented to, so one
    for a refusal would tell the client the opposite of what they said. It is refused as
    incomplete, naming the exports that can record a refusal.
    """
    if any(event.kind == "refused" for event in doc.events):
        raise IncompleteConsentRecord(
            "Kantara Consent Receipt v1.1",
            ["consent given (the client refused; the ISO/IEC TS 27560 and FHIR R5 exports record a refusal)"],
        )
    checks = _common_checks(doc)
    for position, party in enumerate(doc.controllers):
        checks += [(f"controllers[{position}].email", party.email), (f"controllers[{position}].phone", party.phone)]
    _require("Kantara Consent Receipt v1.1", [*checks, ("method_label", doc.method_label)])
    in_force = [doc.scopes[index] for index in doc.in_force_scope_indexes()]
    sensitive = sorted({row.category_label for row in in_force if row.sensitivity != "standard"})
    receipt: JSON = {
        "version": KANTARA_VERSION,
        "jurisdiction": doc.jurisdiction,
        "consentTimestamp": int(doc.consented_at.timestamp()),
        "collectionMethod": doc.method_label,
        "consentReceiptID": doc.record_id,
        "language": doc.language,
        "piiPrincipalId": doc.client_ref,
        "piiControllers": [_kantara_controller(doc, party) for party in doc.controllers],
        "policyUrl": doc.notice_url,
        "services": [{"service": doc.service, "purposes": [_kantara_purpose(doc, row) for row in in_force]}],
        "sensitive": bool(sensitive),
    }
    if sensitive:
        receipt["spiCat"] = sensitive
    return receipt


# -- HL7 FHIR R5 Consent ------------------------------------------------------------------------------


def _coding(system: str, code: str, display: str = "") -> JSON:
    coding: JSON = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _org_reference(identifier: str, name: str) -> JSON:
    return {"type": "Organization", "identifier": {"system": PARTY_SYSTEM, "value": identifier}, "display": name}


def _gdpr_coding(basis: str) -> JSON:
    return _coding(JSONLD_CONTEXT["eu-gdpr"].rstrip("#"), basis.removeprefix("eu-gdpr:"), LEGAL_BASIS_LABELS[basis])


def _fhir_provision(doc: ConsentDocument, index: int, row: ScopeRow) -> JSON:
    code, display = CONFIDENTIALITY[row.sensitivity]
    provision: JSON = {
        "actor": [
            {
                "role": {"coding": [_coding(PARTICIPATION_TYPE, "IRCP", "information recipient")]},
                "reference": _org_reference(row.recipient_identifier, row.recipient_name),
            }
        ],
        "action": [{"coding": [_coding(CONSENT_ACTION, "disclose", "Disclose")]}],
        "purpose": [
            _coding(PURPOSE_SYSTEM, row.purpose, row.purpose_label),
            _coding(JSONLD_CONTEXT["dpv"].rstrip("#"), row.purpose_dpv.removeprefix("dpv:")),
        ],
        "code": [{"coding": [_coding(CATEGORY_SYSTEM, row.category, row.category_label)], "text": row.category_label}],
        "securityLabel": [
            _coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", code, display),
            _coding(SENSITIVITY_SYSTEM, row.sensitivity),
        ],
    }
    withdrawal = doc.withdrawal_of(index)
    if withdrawal is not None:
        # Nested provisions negate their parent: this row is denied from the withdrawal onwards.
        provision["provision"] = [
            {
                "period": {"start": _iso(withdrawal.at)},
                "actor": provision["actor"],
                "action": provision["action"],
                "purpose": provision["purpose"],
                "code": provision["code"],
            }
        ]
    return provision


def fhir_status(doc: ConsentDocument, at: datetime | None = None) -> str:
    """R5 Consent.status; given or renewed but outside its period at `at` is inactive."""
    state = doc.state_at(at)
    if at is not None and state in VALID_STATES and not doc.within_period(at):
        return "inactive"
    return FHIR_STATUSES[state]


def to_fhir_r5(doc: ConsentDocument, *, at: datetime | None = None) -> JSON:
    """The record as an HL7 FHIR R5 Consent resource.

    R5 reads `decision` as the base rule and each level of `provision` as a negation of the level
    above. Sharing is opt-in, so the base is "deny" and each scope row is a permit provision; a row
    taken out by a partial withdrawal keeps its permit with a nested (deny) provision from the
    withdrawal onwards. A refused record has no permits.
    """
    # Verbal and online consent have no evidence file: the attachment is then left out.
    _require("FHIR R5 Consent", list(_common_checks(doc)))
    bases = list(dict.fromkeys(basis for row in doc.scopes for basis in legal_bases(row)))
    grantor: JSON = {"identifier": {"system": CLIENT_REF_SYSTEM, "value": doc.client_ref}, "display": doc.client_ref}
    if doc.expressed_by != "client":
        grantor = {"type": "RelatedPerson", "display": f"{doc.expressed_by} of {doc.client_ref}"}
    period: JSON = {"start": _iso(doc.valid_from)}
    if doc.valid_until is not None:
        period["end"] = _iso(doc.valid_until)
    attachment: JSON = {"contentType": doc.evidence_media_type, "creation": _iso(doc.recorded_at)}
    if doc.evidence_sha256:
        digest = base64.b64encode(bytes.fromhex(doc.evidence_sha256)).decode("ascii")
        attachment["extension"] = [{"url": EVIDENCE_SHA256_EXTENSION, "valueBase64Binary": digest}]
    refused = doc.state_at(at) == "refused"
    resource: JSON = {
        "resourceType": "Consent",
        "id": doc.record_id,
        "language": doc.language,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{doc.record_id}"}],
        "status": fhir_status(doc, at),
        "category": [
            {"coding": [_coding("http://loinc.org", "64292-6", "Release of information consent Document")]},
            {"coding": [_coding(CONSENT_CATEGORY_SYSTEM, "information-sharing", "Information sharing consent")]},
        ],
        "subject": {"identifier": {"system": CLIENT_REF_SYSTEM, "value": doc.client_ref}, "display": doc.client_ref},
        "date": doc.consented_at.astimezone(UTC).date().isoformat(),
        "period": period,
        "grantor": [grantor],
        "grantee": [_org_reference(row.recipient_identifier, row.recipient_name) for row in _recipients(doc)],
        "manager": [{"display": doc.service}],
        "controller": [_org_reference(party.identifier, party.name) for party in doc.controllers],
        **({"sourceAttachment": [attachment]} if doc.evidence_media_type else {}),
        "regulatoryBasis": [{"coding": [_gdpr_coding(basis)], "text": LEGAL_BASIS_LABELS[basis]} for basis in bases],
        "policyBasis": {"url": doc.notice_url},
        "verification": [
            {
                "verified": True,
                "verificationType": {
                    "coding": [_coding(METHOD_SYSTEM, doc.method, doc.method_label)],
                    "text": doc.method_label,
                },
                "verifiedBy": {"display": doc.recorded_by},
                "verificationDate": [_iso(doc.recorded_at)],
            }
        ],
        "decision": "deny",
    }
    if not refused:
        resource["provision"] = [_fhir_provision(doc, index, row) for index, row in enumerate(doc.scopes)]
    return resource
