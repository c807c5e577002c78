"""Properties of the pure decision, over generated actors and clients."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ceangal.policy.decision import ActorFacts, ClientFacts, Reason, decide
from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
ORGS = st.integers(min_value=1, max_value=6)

actors = st.builds(
    ActorFacts,
    staff_id=st.integers(1, 100),
    organisation_id=ORGS,
    organisation_name=st.just("Org"),
    active=st.booleans(),
    training_expires_on=st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))),
    clearance=st.frozensets(st.sampled_from(list(Sensitivity))),
)
clients = st.builds(
    ClientFacts,
    client_id=st.uuids(),
    live_engagement_organisation_ids=st.frozensets(ORGS),
    suppliers=st.dictionaries(st.sampled_from(list(DataCategory)), st.frozensets(ORGS, min_size=1)),
    organisation_names=st.just({}),
)
categories = st.lists(st.sampled_from(list(DataCategory)), max_size=13)


@settings(max_examples=400)
@given(actors, clients, categories)
def test_never_widens_and_every_denial_has_a_reason(actor, client, requested):
    decision = decide(actor, client, requested, "support_coordination", NOW)
    assert set(decision.permitted) | set(decision.denied) == set(requested)
    assert not set(decision.permitted) & set(decision.denied)
    for category, denial in decision.denied.items():
        assert denial.category == category
        assert denial.message.startswith(str(category.label))


@settings(max_examples=400)
@given(actors, clients, categories)
def test_nothing_permitted_without_activity_training_clearance_and_relationship(actor, client, requested):
    decision = decide(actor, client, requested, "support_coordination", NOW)
    for category in decision.permitted:
        assert actor.active
        assert actor.training_expires_on is not None
        assert actor.training_expires_on >= NOW.date()
        assert sensitivity_of(category) in actor.clearance
        assert actor.organisation_id in client.live_engagement_organisation_ids


@settings(max_examples=300)
@given(actors, clients, categories)
def test_other_partners_items_stay_hidden_until_an_agreement_exists(actor, client, requested):
    decision = decide(actor, client, requested, "support_coordination", NOW)
    for category, grant in decision.permitted.items():
        assert grant.own_items
        assert grant.from_organisations == frozenset()
        others = client.suppliers.get(category, frozenset()) - {actor.organisation_id}
        withheld = decision.withheld_suppliers.get(category, ())
        assert len(withheld) == len(others)
        assert all(d.reason == Reason.NO_AGREEMENT for d in withheld)


@settings(max_examples=300)
@given(actors, clients, categories, ORGS)
def test_a_new_engagement_never_removes_access(actor, client, requested, extra_org):
    before = decide(actor, client, requested, "support_coordination", NOW)
    wider = ClientFacts(
        client.client_id,
        client.live_engagement_organisation_ids | {extra_org},
        client.suppliers,
        client.organisation_names,
    )
    after = decide(actor, wider, requested, "support_coordination", NOW)
    assert set(before.permitted) <= set(after.permitted)


@given(actors, clients, categories)
def test_training_expiry_is_judged_against_the_time_given(actor, client, requested):
    if actor.training_expires_on is None:
        return
    day_after = dt.datetime.combine(actor.training_expires_on + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    later = decide(actor, client, requested, "support_coordination", day_after)
    assert later.permitted == {}


def test_reasons_are_sentences_a_key_worker_understands():
    actor = ActorFacts(1, 1, "Fife College", True, dt.date(2027, 1, 1), frozenset({Sensitivity.STANDARD}))
    client = ClientFacts("c", frozenset({2}))
    decision = decide(actor, client, [DataCategory.HEALTH, DataCategory.IDENTITY], "support_coordination", NOW)
    assert decision.denied[DataCategory.HEALTH].reason == Reason.NOT_CLEARED
    assert "not cleared" in decision.denied[DataCategory.HEALTH].message
    assert decision.denied[DataCategory.IDENTITY].message == "Identity: Fife College is not working with this client."
