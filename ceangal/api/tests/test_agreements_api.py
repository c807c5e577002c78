"""The agreements register and privacy notices through the API: DPOs draft, sign and change them;
everyone in the partnership reads them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ceangal.agreements.models import AgreementVersion, PrivacyNotice, SharingAgreement
from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.testing.factories import (
    Personas,
    make_agreement,
    make_notice,
    make_organisation,
    make_partnership,
    make_staff,
)

Caller = Callable[[StaffMember], ApiCaller]
VALIDATION = "https://ceangal.scot/problems/validation-error"
NOT_PERMITTED = "https://ceangal.scot/problems/not-permitted"


@pytest.fixture
def dpo(personas: Personas, as_key: Caller) -> ApiCaller:
    return as_key(personas.council_dpo)


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _terms(personas: Personas, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    terms: dict[str, Any] = {
        "summary": "To coordinate support for shared clients.",
        "frequency": "monthly",
        "retention": "While the client is supported and six years after.",
        "retention_months": 72,
        "on_end": "destroy",
        "starts_on": today.isoformat(),
        "review_on": (today + dt.timedelta(days=365)).isoformat(),
        "parties": [personas.council.pk, personas.college.pk],
        "purposes": [
            {
                "purpose": "support_coordination",
                "lawful_basis": "public_task",
                "categories": ["identity", "health"],
                "article9_condition": "A9-2-g",
            }
        ],
    }
    return terms | overrides


def _create(caller: ApiCaller, personas: Personas, **overrides: Any) -> Any:
    return caller.post(f"{API}/agreements", {"title": "Support coordination", **_terms(personas, **overrides)})


# --- the register and its lifecycle -----------------------------------------------------------


def test_a_dpo_drafts_an_agreement_and_each_party_signs_it_into_force(
    personas: Personas, dpo: ApiCaller, as_key: Caller
) -> None:
    response = _create(dpo, personas, reference="fife-support")
    assert response.status_code == 201, response.content
    draft = _json(response)
    assert response["Location"] == f"{API}/agreements/{draft['id']}"
    assert draft["status"] == "draft"
    assert draft["number"] == 1
    assert draft["reference"] == "fife-support"
    assert {p["organisation"]["id"]: p["signed_by"] for p in draft["parties"]} == {
        personas.council.pk: None,
        personas.college.pk: None,
    }
    [purpose] = draft["purposes"]
    assert purpose["lawful_basis"] == "public_task"
    assert purpose["article9_condition"] == "A9-2-g"
    assert purpose["categories"] == ["health", "identity"]

    signed = _json(dpo.post(f"{API}/agreements/{draft['id']}/sign"))
    assert signed["status"] == "draft"
    council = next(p for p in signed["parties"] if p["organisation"]["id"] == personas.council.pk)
    assert council["signed_by"] == str(personas.council_dpo.user)
    assert council["signed_at"]

    response = as_key(personas.college_dpo).post(f"{API}/agreements/{draft['id']}/sign")
    assert response.status_code == 200, response.content
    assert _json(response)["status"] == "active"

    # The register is readable by everyone in the partnership, not only DPOs.
    register = _json(as_key(personas.council_worker).get(f"{API}/agreements"))
    [listed] = [v for v in register if v["id"] == draft["id"]]
    assert listed["status"] == "active"
    assert all(p["signed_at"] for p in listed["parties"])
    assert listed["starts_on"] == timezone.localdate().isoformat()
    assert _json(as_key(personas.council_worker).get(f"{API}/agreements/{draft['id']}"))["id"] == draft["id"]


def test_signing_twice_is_refused_by_name(personas: Personas, dpo: ApiCaller) -> None:
    draft = _json(_create(dpo, personas))
    dpo.post(f"{API}/agreements/{draft['id']}/sign")
    response = dpo.post(f"{API}/agreements/{draft['id']}/sign")
    assert response.status_code == 422
    assert "signed_by" in problem(response)["errors"]


def test_a_new_version_is_a_draft_beside_the_live_one(personas: Personas, dpo: ApiCaller, as_key: Caller) -> None:
    live = make_agreement([personas.council_dpo, personas.college_dpo])
    response = dpo.post(f"{API}/agreements/{live.pk}/versions", _terms(personas, frequency="quarterly"))
    assert response.status_code == 201, response.content
    new = _json(response)
    assert (new["number"], new["status"], new["frequency"]) == (2, "draft", "quarterly")
    assert new["agreement_id"] == live.agreement_id
    dpo.post(f"{API}/agreements/{new['id']}/sign")
    as_key(personas.college_dpo).post(f"{API}/agreements/{new['id']}/sign")
    live.refresh_from_db()
    assert live.status == "ended"
    assert _json(dpo.get(f"{API}/agreements/{new['id']}"))["status"] == "active"


def test_a_dpo_suspends_and_resumes_a_live_version_with_a_reason(personas: Personas, dpo: ApiCaller) -> None:
    live = make_agreement([personas.council_dpo, personas.college_dpo])
    url = f"{API}/agreements/{live.pk}/status"
    refused = dpo.post(url, {"status": "suspended", "reason": " "})
    assert refused.status_code == 422
    assert set(problem(refused)["errors"]) == {"reason"}

    suspended = _json(dpo.post(url, {"status": "suspended", "reason": "A breach is being investigated."}))
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "A breach is being investigated.")
    resumed = dpo.post(url, {"status": "active", "reason": "Investigation closed."})
    assert _json(resumed)["status"] == "active"


# --- every mistake named ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"purposes": [{"purpose": "support_coordination", "lawful_basis": "", "categories": ["identity"]}]},
            "purposes[0].lawful_basis",
        ),
        (
            {"purposes": [{"purpose": "support_coordination", "categories": ["identity"]}]},
            "purposes[0].lawful_basis",
        ),
        (
            {"purposes": [{"purpose": "support_coordination", "lawful_basis": "consent", "categories": ["health"]}]},
            "purposes[0].article9_condition",
        ),
        (
            {"purposes": [{"purpose": "referral", "lawful_basis": "public_task", "categories": ["convictions"]}]},
            "purposes[0].article10_condition",
        ),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"parties": []}, "parties"),
        ({"purposes": []}, "purposes"),
        ({"frequency": "hourly"}, "frequency"),
        ({"starts_on": "next tuesday"}, "starts_on"),
    ],
)
def test_bad_terms_are_named_and_nothing_is_saved(
    personas: Personas, dpo: ApiCaller, overrides: dict[str, Any], field: str
) -> None:
    response = _create(dpo, personas, **overrides)
    assert response.status_code == 422, response.content
    body = problem(response)
    assert body["type"] == VALIDATION
    assert field in body["errors"], body["errors"]
    assert not SharingAgreement.objects.exists()


def test_every_mistake_is_named_at_once(personas: Personas, dpo: ApiCaller) -> None:
    response = _create(
        dpo,
        personas,
        ends_on="2000-01-01",
        purposes=[{"purpose": "support_coordination", "categories": ["health"]}],
    )
    assert {"ends_on", "purposes[0].lawful_basis", "purposes[0].article9_condition"} <= set(problem(response)["errors"])


def test_a_party_from_another_partnership_is_named(personas: Personas, dpo: ApiCaller) -> None:
    elsewhere = make_organisation(make_partnership("Another partnership"), "Far Away Council")
    response = _create(dpo, personas, parties=[personas.council.pk, elsewhere.pk])
    assert response.status_code == 422
    errors = problem(response)["errors"]
    assert str(elsewhere.pk) in errors["parties"][0]
    assert not SharingAgreement.objects.exists()


# --- who may do what --------------------------------------------------------------------------


def test_only_a_dpo_drafts_signs_or_changes_agreements(personas: Personas, as_key: Caller) -> None:
    worker = as_key(personas.council_worker)
    response = _create(worker, personas)
    assert response.status_code == 403
    assert problem(response)["type"] == NOT_PERMITTED
    live = make_agreement([personas.council_dpo, personas.college_dpo])
    for url, body in (
        (f"{API}/agreements/{live.pk}/versions", _terms(personas)),
        (f"{API}/agreements/{live.pk}/status", {"status": "suspended", "reason": "Because I can."}),
    ):
        response = worker.post(url, body)
        assert response.status_code == 403, url
        problem(response)
    assert AgreementVersion.objects.get(pk=live.pk).status == "active"


def test_a_dpo_whose_organisation_is_not_a_party_cannot_sign(
    personas: Personas, dpo: ApiCaller, as_key: Caller
) -> None:
    draft = _json(_create(dpo, personas))
    response = as_key(make_staff(personas.outsider_org, Role.DPO)).post(f"{API}/agreements/{draft['id']}/sign")
    assert response.status_code == 403
    problem(response)


def test_another_partnerships_agreement_is_not_found(personas: Personas, dpo: ApiCaller) -> None:
    other = make_partnership("Another partnership")
    dpos = [make_staff(make_organisation(other, name), Role.DPO) for name in ("Far Council", "Far College")]
    theirs = make_agreement(dpos)
    for response in (
        dpo.get(f"{API}/agreements/{theirs.pk}"),
        dpo.post(f"{API}/agreements/{theirs.pk}/sign"),
        dpo.post(f"{API}/agreements/{theirs.pk}/status", {"status": "suspended", "reason": "Not mine to end."}),
    ):
        assert response.status_code == 404
        assert problem(response)["type"] == "https://ceangal.scot/problems/not-found"
    assert theirs.pk not in {v["id"] for v in _json(dpo.get(f"{API}/agreements"))}


# --- privacy notices --------------------------------------------------------------------------


def _notice_body(personas: Personas, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "How the partnership uses your information",
        "body": "We share what you agree to, with the partners you choose.",
        "purposes": ["support_coordination", "referral"],
        "categories": ["identity", "contact", "qualifications"],
        "controllers": [personas.council.pk, personas.college.pk],
        "recipients": [personas.college.pk],
        "recipient_types": ["sds"],
        "retention": "Six years after support ends.",
        "rights": "You can see, correct or withdraw at any time, and complain to the ICO.",
    }
    return body | overrides


def test_a_dpo_drafts_and_publishes_a_notice(personas: Personas, dpo: ApiCaller, as_key: Caller) -> None:
    response = dpo.post(f"{API}/notices", _notice_body(personas))
    assert response.status_code == 201, response.content
    draft = _json(response)
    assert response["Location"] == f"{API}/notices/{draft['id']}"
    assert (draft["status"], draft["version"]) == ("draft", 1)
    assert [o["id"] for o in draft["recipients"]] == [personas.college.pk]
    assert draft["recipient_types"] == ["sds"]

    published = _json(dpo.post(f"{API}/notices/{draft['id']}/publish"))
    assert published["status"] == "published"
    assert published["published_at"]

    again = dpo.post(f"{API}/notices/{draft['id']}/publish")
    assert again.status_code == 422
    assert "status" in problem(again)["errors"]

    worker = as_key(personas.council_worker)
    assert [n["id"] for n in _json(worker.get(f"{API}/notices"))] == [draft["id"]]
    assert _json(worker.get(f"{API}/notices/{draft['id']}"))["title"] == draft["title"]


def test_bad_notices_are_named(personas: Personas, dpo: ApiCaller) -> None:
    response = dpo.post(
        f"{API}/notices", _notice_body(personas, title="", purposes=["gossip"], recipients=[], recipient_types=[])
    )
    assert response.status_code == 422
    assert {"title", "purposes", "recipients"} <= set(problem(response)["errors"])
    elsewhere = make_organisation(make_partnership("Another partnership"), "Far Away Council")
    response = dpo.post(f"{API}/notices", _notice_body(personas, controllers=[elsewhere.pk]))
    assert response.status_code == 422
    assert "controllers" in problem(response)["errors"]
    assert not PrivacyNotice.objects.exists()


def test_only_a_dpo_drafts_or_publishes_notices(personas: Personas, as_key: Caller) -> None:
    worker = as_key(personas.council_worker)
    response = worker.post(f"{API}/notices", _notice_body(personas))
    assert response.status_code == 403
    problem(response)
    notice = make_notice(personas.council_dpo)
    response = worker.post(f"{API}/notices/{notice.pk}/publish")
    assert response.status_code == 403
    problem(response)


def test_an_unknown_notice_is_not_found(dpo: ApiCaller) -> None:
    response = dpo.get(f"{API}/notices/999999")
    assert response.status_code == 404
    problem(response)
