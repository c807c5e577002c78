"""Checking before registering: your own clients by fuzzy name, other partners only by name of the
organisation, and only for clients who agreed to be discoverable."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import override_settings

from ceangal.audit.models import AuditEvent
from ceangal.clients.services import client_set_discoverable, clients_merge, engagement_open
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import LedgerEntry
from ceangal.policy.matching import likely_duplicates, merge_preview, search_partnership
from ceangal.testing.factories import (
    make_client,
    make_discoverable_morag,
    make_organisation,
    make_partnership,
    make_staff,
)

pytestmark = pytest.mark.django_db
DOB = dt.date(1998, 4, 12)


@pytest.fixture
def college_client(personas):
    return make_discoverable_morag(personas)


def test_another_partner_is_named_and_nothing_else(personas, college_client):
    result = search_partnership(
        personas.council_worker, given_name="morag", family_name="MCLEOD ", date_of_birth=DOB, postcode="ky11yg"
    )
    assert result.known_elsewhere == ["Fife College"]
    assert result.yours == []
    # The whole answer holds nothing about the client: no id, reference, name, date or postcode.
    text = repr(dataclasses.asdict(result))
    for secret in (str(college_client.pk), college_client.reference, "Morag", "McLeod", "1998", "KY1"):
        assert secret.lower() not in text.lower()


def test_found_by_ni_number_alone(personas, college_client):
    result = search_partnership(personas.council_worker, ni_number="ab 12 34 56 c")
    assert result.known_elsewhere == ["Fife College"]
    assert result.identifiers == ["ni"]


def test_a_client_who_is_not_discoverable_is_not_reported(personas, college_client):
    client_set_discoverable(actor=personas.college_worker, client=college_client, discoverable=False)
    result = search_partnership(personas.council_worker, ni_number="AB123456C")
    assert result.known_elsewhere == []
    assert not result.found


def test_another_partnerships_organisations_are_never_named(personas, college_client):
    other = make_staff(make_organisation(make_partnership("Elsewhere"), "Other Council"))
    assert search_partnership(other, ni_number="AB123456C").known_elsewhere == []


def test_a_near_miss_of_the_partnership_key_finds_nothing_elsewhere(personas, college_client):
    result = search_partnership(
        personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth=DOB, postcode="KY1 1YH"
    )
    assert result.known_elsewhere == []


def test_own_clients_are_found_by_a_name_with_a_typo(personas):
    mine = make_client(personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth="1998-04-12")
    make_client(personas.council_worker, given_name="Iain", family_name="Gray", date_of_birth="1998-04-12")
    result = search_partnership(personas.council_worker, given_name="Morag", family_name="MacLeod", date_of_birth=DOB)
    assert [(match.client_id, match.reference, match.name) for match in result.yours] == [
        (mine.pk, mine.reference, "Morag McLeod")
    ]
    assert result.yours[0].score < 100
    assert not result.yours[0].exact
    # Showing a name is a disclosure: it is in the ledger.
    assert LedgerEntry.objects.filter(client_id=mine.pk, actor_staff_id=personas.council_worker.pk).exists()


def test_own_exact_matches_come_first_and_are_not_reported_as_elsewhere(personas):
    exact = make_client(
        personas.council_worker, given_name="Morag", family_name="Robertson", ni_number="AB123456C", postcode="KY1 1YG"
    )
    client_set_discoverable(actor=personas.council_worker, client=exact, discoverable=True)
    close = make_client(personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth="1998-04-12")
    result = search_partnership(
        personas.council_worker,
        ni_number="AB123456C",
        given_name="Morag",
        family_name="McLeod",
        date_of_birth=DOB,
        postcode="KY1 1YG",
    )
    assert result.known_elsewhere == []
    assert [(match.client_id, match.exact) for match in result.yours] == [(exact.pk, True), (close.pk, False)]
    assert result.yours[0].score == 100


def test_a_match_whose_name_the_searcher_may_not_see_stays_hidden(personas, college_client):
    """The council works with the client too, but the college supplied the name and there is no
    agreement or consent: finding them by that name would confirm what is withheld."""
    engagement_open(actor=personas.council_worker, client=college_client)
    result = search_partnership(personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth=DOB)
    assert result.yours == []
    assert result.known_elsewhere == []


def test_validation_names_each_missing_field(personas):
    with pytest.raises(InvalidInput) as raised:
        search_partnership(personas.council_worker, given_name="Morag")
    assert set(raised.value.errors) == {"family_name", "date_of_birth"}
    with pytest.raises(InvalidInput) as raised:
        search_partnership(personas.council_worker, ni_number="12345", postcode="nowhere", date_of_birth="31-02-1990")
    assert set(raised.value.errors) == {"ni_number", "postcode", "date_of_birth"}
    assert not AuditEvent.objects.filter(action="client.partnership_search").exists()


def test_every_search_is_audited_without_the_identifiers(personas, college_client):
    search_partnership(personas.council_worker, ni_number="AB123456C")
    event = AuditEvent.objects.get(action="client.partnership_search")
    assert event.actor == personas.council_worker.user
    assert event.detail["identifiers"] == ["ni"]
    assert event.detail["known_elsewhere"] == 1
    assert "AB123456C" not in str(event.detail) + str(event.fields) + event.object_id


@override_settings(CEANGAL_MATCH_SEARCHES_PER_HOUR=2)
def test_searches_are_limited_per_hour(personas):
    for _ in range(2):
        search_partnership(personas.council_worker, ni_number="AB123456C")
    with pytest.raises(NotPermitted, match="last hour"):
        search_partnership(personas.council_worker, ni_number="AB123456C")
    # Another staff member is not held back by it.
    search_partnership(personas.council_leader, ni_number="AB123456C")


@pytest.mark.parametrize("who", ["council_dpo", "analyst", "untrained", "inactive"])
def test_only_active_trained_caseworkers_may_search(personas, who):
    with pytest.raises(NotPermitted):
        search_partnership(getattr(personas, who), ni_number="AB123456C")


def test_a_merged_record_is_not_searched(personas):
    keep = make_client(personas.council_worker, given_name="Morag", family_name="McLeod", ni_number="AB123456C")
    duplicate = make_client(personas.council_worker, given_name="Morag", family_name="Mcleod")
    clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    result = search_partnership(personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth=DOB)
    assert [match.client_id for match in result.yours] == [keep.pk]


def test_likely_duplicates_and_preview_for_a_team_leader(personas):
    keep = make_client(personas.council_worker, given_name="Morag", family_name="McLeod")
    twin = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    make_client(personas.council_worker, given_name="Iain", family_name="Gray")
    side, found = likely_duplicates(personas.council_leader, keep.pk)
    assert side.client_id == keep.pk
    assert [match.client_id for match in found] == [twin.pk]
    preview = merge_preview(personas.council_leader, keep.pk, twin.pk)
    assert preview.plan.set_aside == ["identity"]
    assert preview.duplicate.name == "Morag MacLeod"
    with pytest.raises(NotPermitted):
        likely_duplicates(personas.council_worker, keep.pk)
    with pytest.raises(NotFound):
        likely_duplicates(personas.college_leader, keep.pk)
    with pytest.raises(NotFound):
        merge_preview(personas.council_leader, keep.pk, keep.pk)
