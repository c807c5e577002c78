"""The pure eligibility and capacity rules."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from ceangal.directory.eligibility import capacity_note, eligibility, is_full, outward_code, postcode_in_areas

FIFE, FALKIRK, GLASGOW = "S12000047", "S12000014", "S12000049"
LABELS = {FIFE: "Fife", FALKIRK: "Falkirk", GLASGOW: "Glasgow City", "UC": "Universal Credit", "PIP": "PIP"}


@dataclass(frozen=True)
class Criteria:
    min_age: int | None = None
    max_age: int | None = None
    local_authorities: tuple[str, ...] = ()
    postcode_areas: tuple[str, ...] = ()
    benefits: tuple[str, ...] = ()
    places_available: int | None = None
    waiting_days: int | None = None
    active: bool = True


YOUTH = Criteria(
    min_age=16, max_age=24, local_authorities=(FIFE, FALKIRK), postcode_areas=("KY1", "FK"), benefits=("UC",)
)


def test_a_client_who_meets_everything_is_eligible():
    assert eligibility(YOUTH, 19, FIFE, "KY1 1XX", {"UC"}, labels=LABELS) == []


def test_each_unmet_criterion_is_a_sentence_naming_it():
    reasons = eligibility(YOUTH, 30, GLASGOW, "G1 1AA", {"PIP"}, labels=LABELS)
    assert reasons == [
        "The service is for people aged up to 24; the client is 30.",
        "The service covers Fife or Falkirk; the client lives in Glasgow City.",
        "The service covers postcodes KY1, FK; the client's postcode is outside them.",
        "The service is for people receiving Universal Credit.",
    ]


def test_too_young():
    assert eligibility(YOUTH, 15) == ["The service is for people aged 16 and over; the client is 15."]


def test_unknown_facts_are_not_held_against_the_client():
    assert eligibility(YOUTH) == []
    assert eligibility(YOUTH, None, None, "", None) == []


def test_a_postcode_that_is_not_one_is_named():
    assert "not a UK postcode" in eligibility(YOUTH, postcode="NOT A CODE")[0]


def test_postcode_areas_and_districts():
    assert outward_code("ky1 1xx") == ("KY", "KY1")
    assert outward_code("EH10 4BF") == ("EH", "EH10")
    assert outward_code("W1A 0AX") == ("W", "W1A")
    assert outward_code("nonsense") is None
    assert postcode_in_areas("KY11 4AB", ["KY"]) is True
    assert postcode_in_areas("KY11 4AB", ["KY1"]) is False
    assert postcode_in_areas("KY1 4AB", ["ky1"]) is True
    assert postcode_in_areas("FK1 1AA", ["KY"]) is False


def test_capacity_notes():
    assert capacity_note(Criteria()) == "Places are not limited."
    assert capacity_note(Criteria(places_available=0, waiting_days=30)) == (
        "No places available at the moment; waiting time about 30 days."
    )
    assert capacity_note(Criteria(places_available=1, waiting_days=1)) == "1 place available; waiting time about 1 day."
    assert capacity_note(Criteria(places_available=4, waiting_days=0)) == "4 places available; no waiting time."
    assert "retired" in capacity_note(Criteria(active=False))
    assert is_full(Criteria(places_available=0))
    assert not is_full(Criteria())
    assert not is_full(Criteria(places_available=2))


ages = st.none() | st.integers(min_value=0, max_value=120)
councils = st.sampled_from([FIFE, FALKIRK, GLASGOW])
criteria = st.builds(
    Criteria,
    min_age=ages,
    max_age=ages,
    local_authorities=st.lists(councils, unique=True).map(tuple),
    postcode_areas=st.lists(st.sampled_from(["KY", "KY1", "FK2", "G"]), unique=True).map(tuple),
    benefits=st.lists(st.sampled_from(["UC", "PIP", "ADP"]), unique=True).map(tuple),
)
facts = st.tuples(
    ages,
    st.none() | councils,
    st.none() | st.sampled_from(["KY1 1XX", "KY11 2AB", "FK2 9ZZ", "G1 1AA", "EH1 1AA"]),
    st.none() | st.frozensets(st.sampled_from(["UC", "PIP", "ADP"])),
)


@given(facts)
def test_a_service_without_criteria_is_open_to_everyone(client):
    assert eligibility(Criteria(), *client) == []


@given(criteria, facts)
def test_dropping_a_criterion_never_adds_a_reason(service, client):
    """Widening a service (removing any one criterion) can only remove reasons."""
    reasons = set(eligibility(service, *client))
    for wider in (
        replace(service, min_age=None),
        replace(service, max_age=None),
        replace(service, local_authorities=()),
        replace(service, postcode_areas=()),
        replace(service, benefits=()),
    ):
        assert set(eligibility(wider, *client)) <= reasons


@given(criteria, facts)
def test_age_reasons_appear_exactly_when_the_age_is_outside_the_range(service, client):
    age = client[0]
    reasons = eligibility(service, *client)
    outside = age is not None and (
        (service.min_age is not None and age < service.min_age)
        or (service.max_age is not None and age > service.max_age)
    )
    assert outside == any("aged" in r for r in reasons)


@given(criteria, facts)
def test_knowing_less_never_adds_a_reason(service, client):
    reasons = set(eligibility(service, *client))
    for index in range(4):
        fewer = list(client)
        fewer[index] = None
        assert set(eligibility(service, *fewer)) <= reasons
