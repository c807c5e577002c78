"""The permission matrix: every operation in the OpenAPI document, for every kind of caller.

The operations come from the schema itself, so a new endpoint is in the matrix the moment it
exists; it only needs a request in REQUESTS (a test fails until it has one), and, if only a data
protection officer may use it, an entry in DPO_ONLY.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ceangal.agreements.models import AgreementVersion, PrivacyNotice
from ceangal.agreements.services import (
    AgreementTerms,
    NoticeTerms,
    PurposeTerms,
    agreement_create,
    notice_create,
)
from ceangal.api.api import api
from ceangal.api.tests.conftest import API, ApiCaller, CouncilCase, Multipart, issue_key, problem
from ceangal.clients import models as cm
from ceangal.clients.holds import hold_place
from ceangal.clients.notices import notices_send
from ceangal.clients.services import client_register
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.directory.hsds import export_document
from ceangal.directory.models import Service
from ceangal.directory.tests.factories import make_service
from ceangal.notifications.models import WebhookSubscription
from ceangal.notifications.webhooks import subscription_create
from ceangal.partners.models import ApiKey, StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.services import api_key_revoke
from ceangal.policy.breakglass import break_glass_open
from ceangal.policy.models import BreakGlassGrant
from ceangal.referrals.models import Referral
from ceangal.referrals.services import referral_accept, referral_create, referral_request_info
from ceangal.rights.actions import request_object, request_restrict
from ceangal.rights.models import AccessPack, RightsRequest
from ceangal.rights.services import request_verify_identity
from ceangal.rights.tests.factories import log_request, received_request, verified_request
from ceangal.rights.tests.packs_world import gathered_pack
from ceangal.testing.factories import Personas, identity_data, make_agreement, make_notice, make_staff

SCHEMA = api.get_openapi_schema(path_prefix=API + "/")
PDF = b"%PDF-1.4\n%%EOF\n"
OPERATIONS = sorted((method.upper(), path) for path, ops in SCHEMA["paths"].items() for method in ops)


@dataclass
class MatrixCase(CouncilCase):
    """The council's client, and the sharing documents an operation may need, made when first asked for."""

    personas: Personas

    @cached_property
    def agreement(self) -> AgreementVersion:
        """Active, between the council and the college."""
        return make_agreement([self.personas.council_dpo, self.personas.college_dpo])

    @cached_property
    def draft_agreement(self) -> AgreementVersion:
        return agreement_create(actor=self.personas.council_dpo, title="Referrals", terms=_terms(self.personas))

    @cached_property
    def notice(self) -> PrivacyNotice:
        return make_notice(self.personas.council_dpo)

    @cached_property
    def draft_notice(self) -> PrivacyNotice:
        return notice_create(actor=self.personas.council_dpo, terms=_notice_terms(self.personas))

    @cached_property
    def consent(self) -> ConsentRecord:
        self.agreement  # noqa: B018 - the college must be a party for consent to name it
        return consent_give(
            actor=self.personas.council_worker,
            client=cm.Client.objects.get(pk=self.client_id),
            notice=self.notice,
            scopes=[ScopeChoice("support_coordination", "qualifications", self.personas.college)],
            method="verbal_witnessed",
            witness_name="Tam",
            valid_until=timezone.localdate() + dt.timedelta(days=365),
        )

    def _paper_consent(self, evidence: SimpleUploadedFile | None) -> ConsentRecord:
        self.agreement  # noqa: B018 - the college must be a party for consent to name it
        return consent_give(
            actor=self.personas.council_worker,
            client=cm.Client.objects.get(pk=self.client_id),
            notice=self.notice,
            scopes=[ScopeChoice("support_coordination", "qualifications", self.personas.college)],
            method="paper_form",
            evidence=evidence,
            valid_until=timezone.localdate() + dt.timedelta(days=365),
        )

    @cached_property
    def paper_consent(self) -> ConsentRecord:
        """Signed on paper; the scan is still to be attached."""
        return self._paper_consent(None)

    @cached_property
    def evidenced_consent(self) -> ConsentRecord:
        """Signed on paper, with the scan."""
        return self._paper_consent(SimpleUploadedFile("scan.pdf", PDF))

    @cached_property
    def service(self) -> Service:
        """A directory service of the council."""
        return make_service(self.personas.council_admin)

    @cached_property
    def duplicate_id(self) -> uuid.UUID:
        """A second council client, the same person registered twice, for the merge."""
        return client_register(actor=self.personas.council_worker, identity=identity_data(given_name="Morag")).pk

    @cached_property
    def hsds_document(self) -> dict[str, Any]:
        """The directory as HSDS JSON, holding only the council's service."""
        self.service  # noqa: B018 - the document must hold it
        return export_document(self.personas.partnership)

    @cached_property
    def college_service(self) -> Service:
        """A college service open to anyone, needing the client's identity and contact details."""
        return make_service(
            self.personas.college_leader,
            name="College Taster Days",
            min_age=None,
            max_age=None,
            local_authorities=[],
            postcode_areas=[],
            categories_needed=["identity", "contact"],
        )

    def _referral(self, *, send: bool) -> Referral:
        return referral_create(
            actor=self.personas.council_worker,
            client_id=self.client_id,
            service_id=self.college_service.pk,
            reason="Wants to try college.",
            send=send,
        )

    @cached_property
    def draft_referral(self) -> Referral:
        return self._referral(send=False)

    @cached_property
    def sent_referral(self) -> Referral:
        return self._referral(send=True)

    @cached_property
    def asked_referral(self) -> Referral:
        """Sent, and the college asked a question."""
        referral = self._referral(send=True)
        return referral_request_info(actor=self.personas.college_worker, referral=referral, question="Mornings?")

    @cached_property
    def accepted_referral(self) -> Referral:
        referral = self._referral(send=True)
        return referral_accept(actor=self.personas.college_worker, referral=referral)

    @cached_property
    def webhook(self) -> WebhookSubscription:
        """The council's webhook; its receiver is a closed port, so a ping reaches nobody."""
        subscription, _secret = subscription_create(
            actor=self.personas.council_admin, url="http://127.0.0.1:9/hook", events=["referral.created"]
        )
        return subscription

    @cached_property
    def grant(self) -> BreakGlassGrant:
        return break_glass_open(
            actor=self.personas.college_worker,
            client_id=self.client_id,
            categories=["contact"],
            ground="safeguarding",
            reason="The client told us of a risk of harm this morning.",
        )


def _terms(personas: Personas) -> AgreementTerms:
    today = timezone.localdate()
    return AgreementTerms(
        summary="To refer clients between the council and the college.",
        frequency="ad_hoc",
        retention="Six years after support ends.",
        retention_months=72,
        on_end="destroy",
        starts_on=today,
        review_on=today + dt.timedelta(days=365),
        parties=[personas.council, personas.college],
        purposes=[PurposeTerms("referral", "public_task", ["identity", "contact"])],
    )


def _notice_terms(personas: Personas) -> NoticeTerms:
    return NoticeTerms(
        title="How we use your information",
        body="We share what you agree to.",
        purposes=["support_coordination"],
        categories=["identity"],
        controllers=[personas.council],
        recipients=[personas.college],
        retention="Six years.",
        rights="You may complain to the ICO.",
    )


def _terms_body(case: MatrixCase) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "summary": "To refer clients between the council and the college.",
        "frequency": "ad_hoc",
        "retention": "Six years after support ends.",
        "retention_months": 72,
        "on_end": "destroy",
        "starts_on": today.isoformat(),
        "review_on": (today + dt.timedelta(days=365)).isoformat(),
        "parties": [case.personas.council.pk, case.personas.college.pk],
        "purposes": [{"purpose": "referral", "lawful_basis": "public_task", "categories": ["identity"]}],
    }


SERVICE_BODY: dict[str, Any] = {
    "name": "Work Clubs",
    "description": "Weekly job search sessions with an adviser.",
    "stages": ["PS4"],
    "email": "workclubs@example.org",
    "locations": [{"name": "Kirkcaldy Library", "postcode": "KY1 1YG"}],
}


def _working(case: MatrixCase, kind: str) -> RightsRequest:
    """A request of `kind` whose client's identity the council's DPO has verified."""
    logged = log_request(case.personas.council_worker, case.client_id, kind=kind)
    return request_verify_identity(actor=case.personas.council_dpo, request=logged, method="photo_id")


def _restricted(case: MatrixCase) -> RightsRequest:
    request = _working(case, "restriction")
    # A test may ask twice: the client's one restriction stands from the first time.
    if not cm.ProcessingRestriction.objects.filter(client_id=case.client_id, lifted_at__isnull=True).exists():
        request_restrict(actor=case.personas.council_dpo, request=request, reason="Accuracy contested.")
    return request


def _objected(case: MatrixCase) -> dict[str, Any]:
    request = _working(case, "objection")
    # A test may ask twice: each time an objection to a purpose not yet objected to.
    taken = set(cm.Objection.objects.filter(client_id=case.client_id).values_list("purpose", flat=True))
    purpose = next(p for p in ("evaluation", "promotion", "progress_monitoring") if p not in taken)
    objection = request_object(actor=case.personas.council_dpo, request=request, purpose=purpose)
    return {"request_id": request.pk, "_objection": objection.pk}


def _notice_to_council(case: MatrixCase) -> dict[str, Any]:
    [notice] = notices_send(
        client=cm.Client.objects.get(pk=case.client_id),
        organisation_ids=[case.personas.council.pk],
        kind=cm.NoticeKind.RESTRICTION,
        request_id=None,
    )
    return {"notice_id": notice.pk}


def _first_flag(pack: AccessPack) -> dict[str, Any]:
    flag = pack.flags.order_by("pk").first()
    assert flag is not None, "the request's own words are flagged"
    return {"request_id": pack.request_id, "flag_id": flag.pk}


# One valid request per operation: (path parameters, JSON body). `client_id` is filled in by the test.
# A parameter the path does not name (`_`) only makes what the operation should find.
Request = Callable[[MatrixCase], tuple[dict[str, Any], Any]]
REQUESTS: dict[tuple[str, str], Request] = {
    ("GET", "/reference"): lambda case: ({}, None),
    ("GET", "/reference/{key}"): lambda case: ({"key": "local_authority"}, None),
    ("GET", "/clients"): lambda case: ({}, None),
    ("POST", "/clients"): lambda case: ({}, {"identity": identity_data()}),
    ("GET", "/clients/{client_id}"): lambda case: ({}, None),
    ("GET", "/clients/{client_id}/sections/{key}"): lambda case: ({"key": "qualifications"}, None),
    ("PUT", "/clients/{client_id}/sections/{key}"): lambda case: (
        {"key": "contact"},
        {"version": None, "data": {"email": "morag@example.org"}},
    ),
    ("POST", "/clients/{client_id}/sections/{key}/items"): lambda case: (
        {"key": "qualifications"},
        {"data": {"title": "Higher Maths", "scqf_level": "SCQF06"}},
    ),
    ("PATCH", "/clients/{client_id}/sections/{key}/items/{item_id}"): lambda case: (
        {"key": "qualifications", "item_id": case.qualification_id},
        {"version": 1, "data": {"verified": True}},
    ),
    ("GET", "/clients/{client_id}/sections/{key}/items/{item_id}/history"): lambda case: (
        {"key": "qualifications", "item_id": case.qualification_id},
        None,
    ),
    ("GET", "/clients/{client_id}/consents"): lambda case: ({}, None),
    ("POST", "/clients/{client_id}/consents"): lambda case: (
        {"_": case.agreement, "__": case.notice},
        {
            "scopes": [
                {
                    "recipient_organisation_id": case.personas.college.pk,
                    "purpose": "support_coordination",
                    "category": "identity",
                }
            ],
            "method": "verbal_witnessed",
            "witness_name": "Tam",
            "until_support_ends": True,
        },
    ),
    ("POST", "/clients/{client_id}/consents/refusals"): lambda case: (
        {"_": case.agreement, "__": case.notice},
        {
            "scopes": [
                {
                    "recipient_organisation_id": case.personas.college.pk,
                    "purpose": "support_coordination",
                    "category": "health",
                }
            ],
            "method": "online",
        },
    ),
    ("POST", "/clients/{client_id}/consents/{record_id}/withdraw"): lambda case: (
        {"record_id": case.consent.pk},
        {"scope_ids": None, "note": "The client asked."},
    ),
    ("GET", "/clients/{client_id}/consents/{record_id}/export/{fmt}"): lambda case: (
        {"record_id": case.consent.pk, "fmt": "fhir"},
        None,
    ),
    ("GET", "/clients/{client_id}/services"): lambda case: ({}, None),
    ("POST", "/clients/{client_id}/break-glass"): lambda case: (
        {},
        {"categories": ["contact"], "ground": "safeguarding", "reason": "The client told us of a risk of harm today."},
    ),
    ("GET", "/agreements"): lambda case: ({"_": case.agreement}, None),
    ("POST", "/agreements"): lambda case: ({}, {"title": "Referrals", **_terms_body(case)}),
    ("GET", "/agreements/{version_id}"): lambda case: ({"version_id": case.agreement.pk}, None),
    ("POST", "/agreements/{version_id}/versions"): lambda case: (
        {"version_id": case.agreement.pk},
        _terms_body(case),
    ),
    ("POST", "/agreements/{version_id}/sign"): lambda case: ({"version_id": case.draft_agreement.pk}, None),
    ("POST", "/agreements/{version_id}/status"): lambda case: (
        {"version_id": case.agreement.pk},
        {"status": "suspended", "reason": "Under review after a complaint."},
    ),
    ("GET", "/notices"): lambda case: ({"_": case.notice}, None),
    ("POST", "/notices"): lambda case: (
        {},
        {
            "title": "How we use your information",
            "body": "We share what you agree to.",
            "purposes": ["support_coordination"],
            "categories": ["identity"],
            "controllers": [case.personas.council.pk],
            "recipients": [case.personas.college.pk],
            "retention": "Six years.",
            "rights": "You may complain to the ICO.",
        },
    ),
    ("GET", "/notices/{notice_id}"): lambda case: ({"notice_id": case.notice.pk}, None),
    ("POST", "/notices/{notice_id}/publish"): lambda case: ({"notice_id": case.draft_notice.pk}, None),
    ("GET", "/break-glass"): lambda case: ({"_": case.grant}, None),
    ("POST", "/break-glass/{grant_id}/review"): lambda case: (
        {"grant_id": case.grant.pk},
        {"outcome": "justified", "note": "Checked with the team leader."},
    ),
    ("GET", "/ledger"): lambda case: ({}, None),
    ("GET", "/ledger/export.csv"): lambda case: ({}, None),
    ("POST", "/consents/{record_id}/evidence"): lambda case: (
        {"record_id": case.paper_consent.pk},
        Multipart({"file": SimpleUploadedFile("scan.pdf", PDF)}),
    ),
    ("GET", "/consents/{record_id}/evidence"): lambda case: ({"record_id": case.evidenced_consent.pk}, None),
    ("GET", "/consents"): lambda case: ({"_": case.consent}, None),
    ("GET", "/consents/{record_id}"): lambda case: ({"record_id": case.consent.pk}, None),
    ("GET", "/directory"): lambda case: ({"_": case.service}, None),
    ("POST", "/directory"): lambda case: ({}, SERVICE_BODY),
    ("GET", "/directory/hsds"): lambda case: ({"_": case.service}, None),
    ("POST", "/directory/hsds"): lambda case: ({}, case.hsds_document),
    ("GET", "/directory/{service_id}"): lambda case: ({"service_id": case.service.pk}, None),
    ("PUT", "/directory/{service_id}"): lambda case: ({"service_id": case.service.pk}, SERVICE_BODY),
    ("POST", "/directory/{service_id}/retire"): lambda case: (
        {"service_id": case.service.pk},
        {"reason": "Funding ended."},
    ),
    ("GET", "/me/notification-preferences"): lambda case: ({}, None),
    ("PUT", "/me/notification-preferences"): lambda case: ({}, {"preferences": {"new_message": False}}),
    ("GET", "/webhooks/events"): lambda case: ({}, None),
    ("GET", "/webhooks"): lambda case: ({"_": case.webhook}, None),
    ("POST", "/webhooks"): lambda case: (
        {},
        {"url": "https://crm.example.org/ceangal", "events": ["referral.created"], "description": "CRM"},
    ),
    ("GET", "/webhooks/{webhook_id}"): lambda case: ({"webhook_id": case.webhook.pk}, None),
    ("DELETE", "/webhooks/{webhook_id}"): lambda case: ({"webhook_id": case.webhook.pk}, None),
    ("POST", "/webhooks/{webhook_id}/secret"): lambda case: ({"webhook_id": case.webhook.pk}, None),
    ("POST", "/webhooks/{webhook_id}/ping"): lambda case: ({"webhook_id": case.webhook.pk}, None),
    ("GET", "/webhooks/{webhook_id}/deliveries"): lambda case: ({"webhook_id": case.webhook.pk}, None),
    ("GET", "/referrals"): lambda case: ({"_": case.sent_referral}, None),
    ("POST", "/referrals"): lambda case: (
        {},
        {"client_id": str(case.client_id), "service_id": case.college_service.pk, "reason": "Wants to try college."},
    ),
    ("GET", "/referrals/{referral_id}"): lambda case: ({"referral_id": case.sent_referral.pk}, None),
    ("GET", "/referrals/{referral_id}/preview"): lambda case: ({"referral_id": case.draft_referral.pk}, None),
    ("POST", "/referrals/{referral_id}/send"): lambda case: ({"referral_id": case.draft_referral.pk}, {}),
    ("POST", "/referrals/{referral_id}/accept"): lambda case: ({"referral_id": case.sent_referral.pk}, {}),
    ("POST", "/referrals/{referral_id}/decline"): lambda case: (
        {"referral_id": case.sent_referral.pk},
        {"reason": "no_capacity"},
    ),
    ("POST", "/referrals/{referral_id}/request-information"): lambda case: (
        {"referral_id": case.sent_referral.pk},
        {"question": "Can they attend in the mornings?"},
    ),
    ("POST", "/referrals/{referral_id}/give-information"): lambda case: (
        {"referral_id": case.asked_referral.pk},
        {"answer": "Yes, from nine."},
    ),
    ("POST", "/referrals/{referral_id}/withdraw"): lambda case: (
        {"referral_id": case.sent_referral.pk},
        {"reason": "The client found work."},
    ),
    ("POST", "/referrals/{referral_id}/start"): lambda case: (
        {"referral_id": case.accepted_referral.pk},
        {"started_on": timezone.localdate().isoformat()},
    ),
    ("POST", "/referrals/{referral_id}/complete"): lambda case: (
        {"referral_id": case.accepted_referral.pk},
        {"note": "Finished the course."},
    ),
    ("GET", "/referrals/{referral_id}/messages"): lambda case: ({"referral_id": case.sent_referral.pk}, None),
    ("GET", "/messages"): lambda case: ({"_": f"?client_id={case.client_id}"}, None),
    ("POST", "/messages"): lambda case: (
        {},
        {
            "referral_id": str(case.sent_referral.pk),
            "to_organisation_id": case.personas.college.pk,
            "body": "Please call her after two.",
        },
    ),
    ("POST", "/clients/search"): lambda case: ({}, {"ni_number": "AB123456C"}),
    ("PUT", "/clients/{client_id}/discoverable"): lambda case: ({}, {"discoverable": True, "note": "Agreed."}),
    ("POST", "/clients/{client_id}/merge"): lambda case: (
        {},
        {"duplicate_id": str(case.duplicate_id), "reason": "Registered twice."},
    ),
    ("GET", "/provision-gaps"): lambda case: ({}, None),
    ("POST", "/provision-gaps"): lambda case: ({}, {"description": "No evening ESOL class in Levenmouth."}),
    ("GET", "/rights-requests"): lambda case: ({"_": received_request(case.personas, case.client_id)}, None),
    ("POST", "/rights-requests"): lambda case: (
        {},
        {
            "client_id": str(case.client_id),
            "kind": "access",
            "channel": "letter",
            "received_on": timezone.localdate().isoformat(),
        },
    ),
    ("GET", "/rights-requests/{request_id}"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        None,
    ),
    ("POST", "/rights-requests/{request_id}/await-identity"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"note": "Asked for photo ID."},
    ),
    ("POST", "/rights-requests/{request_id}/verify-identity"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"method": "photo_id"},
    ),
    ("POST", "/rights-requests/{request_id}/await-clarification"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"question": "Which years do you mean?"},
    ),
    ("POST", "/rights-requests/{request_id}/resume"): lambda case: (
        {"request_id": verified_request(case.personas, case.client_id).pk},
        {},
    ),
    ("POST", "/rights-requests/{request_id}/extend"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"months": 2, "reason": "It spans six partners' records."},
    ),
    ("POST", "/rights-requests/{request_id}/complete"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"note": "Pack sent."},
    ),
    ("POST", "/rights-requests/{request_id}/refuse"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"exemption": "manifestly_excessive", "note": "The fifth identical request this month."},
    ),
    ("POST", "/rights-requests/{request_id}/acknowledge"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id, kind="complaint").pk},
        {"note": "Letter sent."},
    ),
    ("POST", "/rights-requests/{request_id}/withdraw"): lambda case: (
        {"request_id": received_request(case.personas, case.client_id).pk},
        {"note": "She rang to say she no longer needs it."},
    ),
    ("POST", "/rights-requests/{request_id}/pack"): lambda case: (
        {"request_id": verified_request(case.personas, case.client_id).pk},
        None,
    ),
    ("GET", "/rights-requests/{request_id}/pack"): lambda case: (
        {"request_id": gathered_pack(case.personas, case.client_id).request_id},
        None,
    ),
    ("POST", "/rights-requests/{request_id}/pack/flags/{flag_id}"): lambda case: (
        _first_flag(gathered_pack(case.personas, case.client_id)),
        {"decision": "redact", "reason": "Names another person."},
    ),
    ("POST", "/rights-requests/{request_id}/pack/release"): lambda case: (
        {"request_id": gathered_pack(case.personas, case.client_id, decided=True).request_id},
        {"complete": True},
    ),
    ("GET", "/rights-requests/{request_id}/pack/{fmt}"): lambda case: (
        {"request_id": gathered_pack(case.personas, case.client_id).request_id, "fmt": "json"},
        None,
    ),
    ("POST", "/rights-requests/{request_id}/rectify"): lambda case: (
        {"request_id": _working(case, "rectification").pk},
        {"section": "qualifications", "item_id": case.qualification_id, "data": {"title": "N5 Maths"}, "version": 1},
    ),
    ("GET", "/rights-requests/{request_id}/erasure-plan"): lambda case: (
        {"request_id": _working(case, "erasure").pk},
        None,
    ),
    ("POST", "/rights-requests/{request_id}/erase"): lambda case: (
        {"request_id": _working(case, "erasure").pk},
        {"exemptions": []},
    ),
    ("POST", "/rights-requests/{request_id}/restrict"): lambda case: (
        {"request_id": _working(case, "restriction").pk},
        {"reason": "Accuracy contested."},
    ),
    ("POST", "/rights-requests/{request_id}/restriction/lift"): lambda case: (
        {"request_id": _restricted(case).pk},
        {"client_told_on": timezone.localdate().isoformat()},
    ),
    ("POST", "/rights-requests/{request_id}/objection"): lambda case: (
        {"request_id": _working(case, "objection").pk},
        {"purpose": "evaluation", "grounds": "I do not want to be evaluated."},
    ),
    ("POST", "/rights-requests/{request_id}/objection/compelling-grounds"): lambda case: (
        (objected := _objected(case)),
        {"objection_id": objected["_objection"], "grounds": "A statutory duty to evaluate."},
    ),
    ("GET", "/legal-holds"): lambda case: ({}, None),
    ("POST", "/legal-holds"): lambda case: (
        {},
        {"client_id": str(case.client_id), "reason": "Tribunal claim", "reference": "ET/1"},
    ),
    ("POST", "/legal-holds/{hold_id}/lift"): lambda case: (
        {
            "hold_id": hold_place(
                actor=case.personas.council_dpo,
                client=cm.Client.objects.get(pk=case.client_id),
                reason="Tribunal claim",
            ).pk
        },
        {"note": "Settled."},
    ),
    ("GET", "/recipient-notices"): lambda case: ({}, None),
    ("POST", "/recipient-notices/{notice_id}/read"): lambda case: (_notice_to_council(case), None),
}

# Steps only the organisation a referral was sent to may take: the college answers the council.
RECIPIENT_STEPS: set[tuple[str, str]] = {
    ("POST", "/referrals/{referral_id}/accept"),
    ("POST", "/referrals/{referral_id}/decline"),
    ("POST", "/referrals/{referral_id}/request-information"),
    ("POST", "/referrals/{referral_id}/start"),
    ("POST", "/referrals/{referral_id}/complete"),
}

# Operations that name a client or a referral in their query or body rather than their path: an
# outsider gets 404, as for one that does not exist.
NAMED_IN_QUERY_OR_BODY: set[tuple[str, str]] = {("GET", "/messages"), ("POST", "/messages"), ("POST", "/referrals")}
# Logging a rights request names its client in the body.
NAMED_IN_QUERY_OR_BODY |= {("POST", "/rights-requests")}
# A notice is its recipient organisation's own: to anyone else it is 404, as one that does not exist.
NAMED_IN_QUERY_OR_BODY |= {("POST", "/recipient-notices/{notice_id}/read")}

# Merging duplicate records: a team leader of an organisation working with both clients.
TEAM_LEADER_ONLY: set[tuple[str, str]] = {("POST", "/clients/{client_id}/merge")}

# Publishing and changing directory services: the owning organisation's admin or team leader.
SERVICE_MANAGERS_ONLY: set[tuple[str, str]] = {
    ("POST", "/directory"),
    ("POST", "/directory/hsds"),
    ("PUT", "/directory/{service_id}"),
    ("POST", "/directory/{service_id}/retire"),
}

# An organisation's webhooks: its organisation admins only. Other roles get 403; another
# organisation's admin gets 404 for a subscription that is not theirs.
ORG_ADMIN_ONLY: set[tuple[str, str]] = {
    ("GET", "/webhooks"),
    ("POST", "/webhooks"),
    ("GET", "/webhooks/{webhook_id}"),
    ("DELETE", "/webhooks/{webhook_id}"),
    ("POST", "/webhooks/{webhook_id}/secret"),
    ("POST", "/webhooks/{webhook_id}/ping"),
    ("GET", "/webhooks/{webhook_id}/deliveries"),
}

# Operations only a data protection officer may use; everyone else is refused (403, or 404 where
# even the thing's existence is the DPO's business).
DPO_ONLY: set[tuple[str, str]] = {
    ("POST", "/agreements"),
    ("POST", "/agreements/{version_id}/versions"),
    ("POST", "/agreements/{version_id}/sign"),
    ("POST", "/agreements/{version_id}/status"),
    ("POST", "/notices"),
    ("POST", "/notices/{notice_id}/publish"),
    ("GET", "/break-glass"),
    ("POST", "/break-glass/{grant_id}/review"),
    ("GET", "/ledger"),
    ("GET", "/ledger/export.csv"),
    ("GET", "/consents"),
    ("GET", "/consents/{record_id}"),
    # Only the DPO works a rights request once it is logged.
    ("POST", "/rights-requests/{request_id}/await-identity"),
    ("POST", "/rights-requests/{request_id}/verify-identity"),
    ("POST", "/rights-requests/{request_id}/await-clarification"),
    ("POST", "/rights-requests/{request_id}/resume"),
    ("POST", "/rights-requests/{request_id}/extend"),
    ("POST", "/rights-requests/{request_id}/complete"),
    ("POST", "/rights-requests/{request_id}/refuse"),
    ("POST", "/rights-requests/{request_id}/acknowledge"),
    ("POST", "/rights-requests/{request_id}/withdraw"),
    # Only the DPO gathers, reviews and releases a copy.
    ("POST", "/rights-requests/{request_id}/pack"),
    ("GET", "/rights-requests/{request_id}/pack"),
    ("POST", "/rights-requests/{request_id}/pack/flags/{flag_id}"),
    ("POST", "/rights-requests/{request_id}/pack/release"),
    ("GET", "/rights-requests/{request_id}/pack/{fmt}"),
    # Only the DPO corrects, erases, restricts, records objections and places legal holds.
    ("POST", "/rights-requests/{request_id}/rectify"),
    ("GET", "/rights-requests/{request_id}/erasure-plan"),
    ("POST", "/rights-requests/{request_id}/erase"),
    ("POST", "/rights-requests/{request_id}/restrict"),
    ("POST", "/rights-requests/{request_id}/restriction/lift"),
    ("POST", "/rights-requests/{request_id}/objection"),
    ("POST", "/rights-requests/{request_id}/objection/compelling-grounds"),
    ("GET", "/legal-holds"),
    ("POST", "/legal-holds"),
    ("POST", "/legal-holds/{hold_id}/lift"),
}

# Operations on a consent record by its own id: it is opened through its client (or, for a DPO,
# because it names their organisation), so to an outsider it is the same 404 as an unknown record.
RECORD_BOUND: set[tuple[str, str]] = {
    ("POST", "/consents/{record_id}/evidence"),
    ("GET", "/consents/{record_id}/evidence"),
}

# Break-glass exists to open the record of a client your organisation does not work with, so it
# answers outsiders (audited, and reviewed by the DPO); test_breakglass_api covers it.
NOT_ENGAGEMENT_BOUND: set[tuple[str, str]] = {("POST", "/clients/{client_id}/break-glass")}


def _is_client_path(path: str) -> bool:
    return "{client_id}" in path


def _is_dpo_only(method: str, path: str) -> bool:
    return (method, path.removeprefix(API)) in DPO_ONLY


def _is_service_manager_only(method: str, path: str) -> bool:
    return (method, path.removeprefix(API)) in SERVICE_MANAGERS_ONLY


def _is_referral_path(path: str) -> bool:
    return "{referral_id}" in path


def _is_rights_request_path(path: str) -> bool:
    return "{request_id}" in path


def _is_org_admin_only(method: str, path: str) -> bool:
    return (method, path.removeprefix(API)) in ORG_ADMIN_ONLY


def _permitted(personas: Personas, method: str, path: str) -> StaffMember:
    if _is_org_admin_only(method, path):
        return personas.council_admin
    if (method, path.removeprefix(API)) in RECIPIENT_STEPS:
        return personas.college_worker
    if _is_service_manager_only(method, path):
        return personas.council_leader
    if (method, path.removeprefix(API)) in TEAM_LEADER_ONLY:
        return personas.council_leader
    return personas.council_dpo if _is_dpo_only(method, path) else personas.council_worker


def _request(method: str, path: str, case: MatrixCase, client_id: object | None = None) -> tuple[str, Any]:
    params, body = REQUESTS[(method, path.removeprefix(API))](case)
    params = {"client_id": client_id or case.client_id, **params}
    query = params.get("_")
    return path.format(**params) + (query if isinstance(query, str) else ""), body


@pytest.fixture
def matrix_case(personas: Personas, council_case: CouncilCase) -> MatrixCase:
    return MatrixCase(council_case.client_id, council_case.qualification_id, personas)


def test_every_dpo_only_operation_exists() -> None:
    assert {(m, p.removeprefix(API)) for m, p in OPERATIONS} >= (
        DPO_ONLY | NOT_ENGAGEMENT_BOUND | RECORD_BOUND | SERVICE_MANAGERS_ONLY | ORG_ADMIN_ONLY
    )


def test_every_operation_has_a_request_in_the_matrix() -> None:
    assert OPERATIONS, "the schema lists no operations"
    missing = {(m, p.removeprefix(API)) for m, p in OPERATIONS} - set(REQUESTS)
    assert not missing, f"add these operations to REQUESTS: {sorted(missing)}"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_gets_401(method: str, path: str, matrix_case: MatrixCase, anonymous: ApiCaller) -> None:
    url, body = _request(method, path, matrix_case)
    response = anonymous.call(method, url, body)
    assert response.status_code == 401
    assert problem(response)["type"] == "https://ceangal.scot/problems/authentication-required"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("via", ["session", "key"])
def test_permitted_staff_succeed(
    method: str,
    path: str,
    via: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_session: Callable[[StaffMember], ApiCaller],
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    caller = (as_session if via == "session" else as_key)(_permitted(personas, method, path))
    url, body = _request(method, path, matrix_case)
    response = caller.call(method, url, body)
    assert 200 <= response.status_code < 300, response.content
    if response["Content-Type"].startswith("text/csv"):
        assert response.content.decode().startswith("at,"), response.content
    elif response["Content-Type"] == "application/pdf":
        assert b"".join(response.streaming_content) == PDF
    else:
        json.loads(response.content)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        op
        for op in OPERATIONS
        if _is_client_path(op[1]) and (op[0], op[1].removeprefix(API)) not in NOT_ENGAGEMENT_BOUND
    ],
)
def test_outsider_sees_the_same_404_as_for_a_client_that_does_not_exist(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    outsider = as_key(personas.outsider)
    url, body = _request(method, path, matrix_case)
    forbidden = outsider.call(method, url, body)
    url, body = _request(method, path, matrix_case, client_id=uuid.uuid4())
    missing = outsider.call(method, url, body)
    assert forbidden.status_code == missing.status_code == 404
    assert problem(forbidden) == problem(missing)


def _is_record_bound(method: str, path: str) -> bool:
    return (method, path.removeprefix(API)) in RECORD_BOUND


# Operations on a consent record, a referral or a rights request by its own id, and the path
# parameter naming it.
ID_BOUND = (
    [(*op, "record_id") for op in OPERATIONS if _is_record_bound(*op)]
    + [(*op, "referral_id") for op in OPERATIONS if _is_referral_path(op[1])]
    + [(*op, "request_id") for op in OPERATIONS if _is_rights_request_path(op[1])]
)


@pytest.mark.parametrize(("method", "path", "key"), ID_BOUND)
def test_outsider_sees_the_same_404_as_for_a_record_referral_or_request_that_does_not_exist(
    method: str,
    path: str,
    key: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    outsider = as_key(personas.outsider)
    url, body = _request(method, path, matrix_case)
    forbidden = outsider.call(method, url, body)
    params, body = REQUESTS[(method, path.removeprefix(API))](matrix_case)
    missing = outsider.call(method, path.format(**{**params, key: uuid.uuid4()}), body)
    assert forbidden.status_code == missing.status_code == 404
    assert problem(forbidden) == problem(missing)


@pytest.mark.parametrize(
    ("method", "path"), [op for op in OPERATIONS if (op[0], op[1].removeprefix(API)) in NAMED_IN_QUERY_OR_BODY]
)
def test_outsider_gets_404_for_a_client_or_referral_named_in_the_query_or_body(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(personas.outsider).call(method, url, body)
    assert response.status_code == 404, response.content
    problem(response)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        op
        for op in OPERATIONS
        if not _is_client_path(op[1])
        and not _is_referral_path(op[1])
        and not _is_rights_request_path(op[1])
        and (op[0], op[1].removeprefix(API)) not in NAMED_IN_QUERY_OR_BODY
        and not _is_dpo_only(*op)
        and not _is_record_bound(*op)
        and not _is_service_manager_only(*op)
        and not _is_org_admin_only(*op)
    ],
)
def test_outsider_may_use_operations_that_name_no_client(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(personas.outsider).call(method, url, body)
    assert 200 <= response.status_code < 300
    if method == "GET" and path == f"{API}/clients":
        assert json.loads(response.content) == [], "an outsider's caseload must not hold the council's client"


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _is_dpo_only(*op)])
@pytest.mark.parametrize("who", ["council_worker", "council_leader", "council_admin", "outsider"])
def test_only_a_dpo_may_use_dpo_operations(
    method: str,
    path: str,
    who: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(getattr(personas, who)).call(method, url, body)
    assert response.status_code in (403, 404), response.content
    problem(response)


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _is_service_manager_only(*op)])
@pytest.mark.parametrize("who", ["council_worker", "council_dpo", "analyst", "outsider"])
def test_only_the_owning_organisations_admin_or_leader_may_change_its_services(
    method: str,
    path: str,
    who: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    matrix_case.service  # noqa: B018 - there is a service to (not) change
    url, body = _request(method, path, matrix_case)
    response = as_key(getattr(personas, who)).call(method, url, body)
    assert response.status_code == 403, response.content
    problem(response)
    service = Service.objects.get()
    assert (service.name, service.active) == ("Youth Employability Hub", True)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", f"{API}/directory/{{service_id}}", 403),
        ("POST", f"{API}/directory/{{service_id}}/retire", 403),
        # The college's leader may import, but only the college's services: the file is refused.
        ("POST", f"{API}/directory/hsds", 422),
    ],
)
def test_another_organisations_leader_may_not_change_its_services(
    method: str,
    path: str,
    status: int,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(personas.college_leader).call(method, url, body)
    assert response.status_code == status, response.content
    problem(response)
    service = Service.objects.get()
    assert (service.name, service.active) == ("Youth Employability Hub", True)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_inactive_staff_are_refused(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_session: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_session(personas.inactive).call(method, url, body)
    assert response.status_code in (401, 403)
    problem(response)


def test_inactive_staff_keys_are_refused(personas: Personas) -> None:
    secret = issue_key(personas.inactive)
    response = ApiCaller(Client(), {"Authorization": f"Bearer {secret}"}).get(f"{API}/clients")
    assert response.status_code == 401
    problem(response)


def test_staff_whose_account_is_deactivated_after_sign_in_are_refused(
    personas: Personas, as_session: Callable[[StaffMember], ApiCaller]
) -> None:
    caller = as_session(personas.council_worker)
    StaffMember.objects.filter(pk=personas.council_worker.pk).update(active=False)
    response = caller.get(f"{API}/clients")
    assert response.status_code == 401
    assert "not active" in problem(response)["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        op
        for op in OPERATIONS
        if _is_client_path(op[1]) and (op[0], op[1].removeprefix(API)) not in NOT_ENGAGEMENT_BOUND
    ],
)
def test_staff_with_lapsed_training_are_told_to_renew_it(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(personas.untrained).call(method, url, body)
    # Their organisation works with the client, so saying why reveals nothing new.
    assert response.status_code == 403
    assert "training" in problem(response)["detail"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_revoked_key_gets_401(method: str, path: str, personas: Personas, matrix_case: MatrixCase) -> None:
    secret = issue_key(personas.council_worker)
    api_key_revoke(key=ApiKey.objects.get(staff_member=personas.council_worker), by=personas.council_worker.user)
    url, body = _request(method, path, matrix_case)
    response = ApiCaller(Client(), {"Authorization": f"Bearer {secret}"}).call(method, url, body)
    assert response.status_code == 401
    assert "revoked" in problem(response)["detail"]


def test_expired_and_unknown_keys_get_401(personas: Personas) -> None:
    secret = issue_key(personas.council_worker)
    ApiKey.objects.filter(staff_member=personas.council_worker).update(expires_at=timezone.now())
    for token in (secret, "cgl_00000000_not-a-key", "not-even-the-format"):
        response = ApiCaller(Client(), {"Authorization": f"Bearer {token}"}).get(f"{API}/clients")
        assert response.status_code == 401
        problem(response)


def test_a_bad_key_is_refused_even_beside_a_good_session(
    personas: Personas, as_session: Callable[[StaffMember], ApiCaller]
) -> None:
    caller = as_session(personas.council_worker)
    caller.headers = {"Authorization": "Bearer cgl_00000000_not-a-key"}
    assert caller.get(f"{API}/clients").status_code == 401


def test_a_user_without_a_staff_record_gets_401(django_user_model: Any, anonymous: ApiCaller) -> None:
    user = django_user_model.objects.create_user(username="visitor", email="visitor@example.org", password="x")
    anonymous.client.force_login(user)
    response = anonymous.get(f"{API}/clients")
    assert response.status_code == 401
    assert "not a staff member" in problem(response)["detail"]


def test_session_writes_need_the_csrf_token_but_key_writes_do_not(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.council_worker.user)
    body = json.dumps({"identity": identity_data()})
    refused = browser.post(f"{API}/clients", body, content_type="application/json")
    assert refused.status_code == 403
    assert problem(refused)["type"] == "https://ceangal.scot/problems/csrf-failed"

    browser.get(f"{API}/docs")  # sets the CSRF cookie, as the docs page does for "Try it out"
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(f"{API}/clients", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content

    partner = as_key(personas.council_worker)
    partner.client = Client(enforce_csrf_checks=True)
    assert partner.post(f"{API}/clients", {"identity": identity_data()}).status_code == 201


def test_anonymous_writes_get_401_not_a_csrf_error() -> None:
    response = Client(enforce_csrf_checks=True).post(f"{API}/clients", "{}", content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _is_org_admin_only(*op)])
@pytest.mark.parametrize("who", ["council_worker", "council_leader", "council_dpo", "analyst", "outsider"])
def test_only_an_organisation_admin_may_use_webhook_operations(
    method: str,
    path: str,
    who: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    matrix_case.webhook  # noqa: B018 - there is a webhook to (not) change
    url, body = _request(method, path, matrix_case)
    response = as_key(getattr(personas, who)).call(method, url, body)
    assert response.status_code == 403, response.content
    problem(response)
    assert WebhookSubscription.objects.get().active


@pytest.mark.parametrize(
    ("method", "path"), [op for op in OPERATIONS if _is_org_admin_only(*op) and "{webhook_id}" in op[1]]
)
def test_another_organisations_admin_gets_the_same_404_as_for_a_webhook_that_does_not_exist(
    method: str,
    path: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    college_admin = as_key(make_staff(personas.college, Role.ORG_ADMIN, first_name="Cara"))
    url, body = _request(method, path, matrix_case)
    forbidden = college_admin.call(method, url, body)
    missing = college_admin.call(method, path.format(webhook_id=matrix_case.webhook.pk + 1000), body)
    assert forbidden.status_code == missing.status_code == 404
    assert problem(forbidden) == problem(missing)
    assert WebhookSubscription.objects.get().active


@pytest.mark.parametrize(
    ("method", "path"), [op for op in OPERATIONS if (op[0], op[1].removeprefix(API)) in TEAM_LEADER_ONLY]
)
@pytest.mark.parametrize("who", ["council_worker", "council_dpo", "council_admin"])
def test_only_a_team_leader_may_merge(
    method: str,
    path: str,
    who: str,
    personas: Personas,
    matrix_case: MatrixCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, matrix_case)
    response = as_key(getattr(personas, who)).call(method, url, body)
    assert response.status_code == 403, response.content
    problem(response)
    assert not cm.Client.objects.filter(merged_into__isnull=False).exists()
