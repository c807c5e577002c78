from __future__ import annotations

import uuid

import pytest

from ceangal.clients.services import engagement_open, engagement_update, item_add
from ceangal.errors import NotFound, NotPermitted
from ceangal.policy.selectors import caseload, client_record
from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def test_another_organisation_gets_the_same_not_found_as_for_a_missing_client(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(NotFound) as forbidden:
        client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    with pytest.raises(NotFound) as missing:
        client_record(actor=personas.college_worker, client_id=uuid.uuid4(), purpose=PURPOSE)
    with pytest.raises(NotFound):
        client_record(actor=personas.college_worker, client_id="not-a-uuid", purpose=PURPOSE)
    assert str(forbidden.value) == str(missing.value)
    with pytest.raises(NotFound):
        client_record(actor=personas.outsider, client_id=client.pk, purpose=PURPOSE)


def test_lapsed_training_is_explained_to_a_colleague_of_the_same_organisation(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(NotPermitted) as caught:
        client_record(actor=personas.untrained, client_id=client.pk, purpose=PURPOSE)
    assert "training" in str(caught.value)


def test_record_shows_permitted_sections_and_says_why_others_are_hidden(personas):
    client = make_client(personas.council_worker, given_name="Ailsa", family_name="Synthetic")
    record = client_record(actor=personas.council_worker, client_id=client.pk, purpose=PURPOSE)
    assert record.display_name == "Ailsa Synthetic"
    assert record.section("identity").permitted
    convictions = record.section("convictions")
    assert not convictions.permitted
    assert "not cleared" in convictions.reason
    leader_view = client_record(actor=personas.council_leader, client_id=client.pk, purpose=PURPOSE)
    assert leader_view.section("convictions").permitted


def test_items_from_another_partner_are_withheld_with_the_reason(personas):
    client = make_client(personas.council_worker)
    engagement_open(actor=personas.college_worker, client=client)
    item_add(
        actor=personas.college_worker,
        client=client,
        section_key="qualifications",
        data={"title": "HNC", "scqf_level": "SCQF07"},
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 Maths", "scqf_level": "SCQF05"},
    )
    council_view = client_record(actor=personas.council_worker, client_id=client.pk, purpose=PURPOSE).section(
        "qualifications"
    )
    assert [i.values["title"] for i in council_view.items] == ["N5 Maths"]
    assert any("Fife College" in w for w in council_view.withheld)
    college_view = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert [i.values["title"] for i in college_view.section("qualifications").items] == ["HNC"]
    # The college did not supply the identity, so it sees the reference, not the name.
    assert college_view.display_name == client.reference
    assert college_view.section("identity").items == []


def test_closed_engagement_ends_need_to_know(personas):
    client = make_client(personas.council_worker)
    engagement = client.engagements.get()
    engagement_update(
        actor=personas.council_worker,
        engagement=engagement,
        expected_version=1,
        status="closed",
        closure_reason="MOVED_AWAY",
    )
    with pytest.raises(NotFound):
        client_record(actor=personas.council_worker, client_id=client.pk, purpose=PURPOSE)


def test_caseload_is_scoped_to_organisation_and_optionally_to_me(personas):
    mine = make_client(personas.council_worker, given_name="Mine")
    colleague = make_client(personas.council_leader, given_name="Theirs")
    make_client(personas.college_worker, given_name="College")
    org = {row.client_id for row in caseload(actor=personas.council_worker, purpose="support_coordination")}
    assert org == {mine.pk, colleague.pk}
    assert {
        row.client_id for row in caseload(actor=personas.council_worker, purpose="support_coordination", mine_only=True)
    } == {mine.pk}
    assert caseload(actor=personas.outsider, purpose="support_coordination") == []


def test_search_by_name_reference_and_ni_number_within_what_i_may_see(personas):
    client = make_client(personas.council_worker, given_name="Eilidh", family_name="Synthetic", ni_number="AB123456C")
    make_client(personas.college_worker, given_name="Eilidh", family_name="Elsewhere", ni_number="AB654321D")
    for query in ["eilidh", "Eilidh Synthetic", client.reference, "ab 12 34 56 c", "1998-04-12", "KY1 1XX"]:
        found = caseload(actor=personas.council_worker, purpose="support_coordination", query=query)
        assert [r.client_id for r in found] == [client.pk], query
    assert caseload(actor=personas.council_worker, purpose="support_coordination", query="AB654321D") == []
