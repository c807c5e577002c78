"""Properties of the full decision over generated partnerships: agreements, consents, break-glass."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ceangal.policy.decision import (
    ActorFacts,
    AgreementFacts,
    AgreementPurposeFacts,
    BasisKind,
    BreakGlassFacts,
    ClientFacts,
    ConsentEventFacts,
    ConsentFacts,
    Reason,
    ScopeFacts,
    decide,
)
from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
ORGS = st.integers(min_value=1, max_value=5)
PURPOSES = st.sampled_from(["support_coordination", "referral", "progress_monitoring"])
CATS = st.sampled_from(list(DataCategory))
BASES = st.sampled_from(["consent", "public_task"])
ALL_CLEARANCE = frozenset(Sensitivity)

actors = st.builds(
    ActorFacts,
    staff_id=st.integers(1, 5),
    organisation_id=ORGS,
    organisation_name=st.just("Org"),
    active=st.booleans(),
    training_expires_on=st.one_of(
        st.none(), st.just(TODAY + dt.timedelta(days=90)), st.just(TODAY - dt.timedelta(days=1))
    ),
    clearance=st.frozensets(st.sampled_from(list(Sensitivity))),
    organisation_type=st.sampled_from(["college", "third_sector", "local_authority"]),
)


@st.composite
def agreements(draw: st.DrawFn, version_id: int) -> AgreementFacts:
    purposes = draw(
        st.dictionaries(PURPOSES, st.builds(AgreementPurposeFacts, BASES, st.frozensets(CATS, min_size=1)), min_size=1)
    )
    return AgreementFacts(
        version_id=version_id,
        parties=draw(st.frozensets(ORGS, min_size=2, max_size=4)),
        status=draw(st.sampled_from(["active", "active", "suspended", "ended"])),
        starts_on=TODAY - dt.timedelta(days=draw(st.integers(-5, 300))),
        ends_on=draw(
            st.one_of(st.none(), st.just(TODAY + dt.timedelta(days=30)), st.just(TODAY - dt.timedelta(days=2)))
        ),
        purposes=purposes,
    )


@st.composite
def consents(draw: st.DrawFn, record_no: int) -> ConsentFacts:
    n = draw(st.integers(1, 5))
    scopes = tuple(
        ScopeFacts(
            scope_id=record_no * 100 + i,
            recipient_organisation_id=draw(st.one_of(st.none(), ORGS)),
            recipient_type=draw(st.sampled_from(["college", "third_sector"])),
            purpose=draw(PURPOSES),
            category=draw(CATS),
        )
        for i in range(n)
    )
    scopes = tuple(dataclasses.replace(s, recipient_type="") if s.recipient_organisation_id else s for s in scopes)
    events = [ConsentEventFacts("given", NOW - dt.timedelta(days=10))]
    if draw(st.booleans()):
        chosen = draw(st.frozensets(st.sampled_from([s.scope_id for s in scopes])))
        events.append(ConsentEventFacts("withdrawn", NOW - dt.timedelta(days=2), chosen))
    return ConsentFacts(
        record_id=f"r{record_no}",
        organisation_id=draw(ORGS),
        valid_from=TODAY - dt.timedelta(days=10),
        valid_until=draw(
            st.one_of(st.none(), st.just(TODAY + dt.timedelta(days=100)), st.just(TODAY - dt.timedelta(days=1)))
        ),
        until_support_ends=draw(st.booleans()),
        scopes=scopes,
        events=tuple(events),
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[ActorFacts, ClientFacts, list[AgreementFacts]]:
    actor = draw(actors)
    client = ClientFacts(
        client_id="c",
        live_engagement_organisation_ids=draw(st.frozensets(ORGS)),
        suppliers=draw(st.dictionaries(CATS, st.frozensets(ORGS, min_size=1))),
        organisation_names={},
        consents=tuple(draw(consents(i)) for i in range(draw(st.integers(0, 3)))),
        restricted=draw(st.booleans()) and draw(st.booleans()),
        objections=draw(st.frozensets(PURPOSES, max_size=1)),
        referred=draw(st.dictionaries(ORGS, st.frozensets(CATS), max_size=2)),
    )
    found = [draw(agreements(i)) for i in range(draw(st.integers(0, 3)))]
    return actor, client, found


def _consent_covers(client: ClientFacts, actor: ActorFacts, purpose: str, category: DataCategory) -> bool:
    for consent in client.consents:
        for scope in consent.live_scopes(NOW, client.live_engagement_organisation_ids):
            recipient = scope.recipient_organisation_id == actor.organisation_id or (
                scope.recipient_organisation_id is None and scope.recipient_type == actor.organisation_type
            )
            if recipient and scope.purpose == purpose and scope.category == category:
                return True
    return False


@settings(max_examples=500, deadline=None)
@given(worlds(), PURPOSES, st.lists(CATS, max_size=13))
def test_nothing_from_another_partner_without_agreement_and_consent_or_other_basis(world, purpose, requested):
    actor, client, found = world
    decision = decide(actor, client, requested, purpose, NOW, agreements=found)
    assert set(decision.permitted) | set(decision.denied) == set(requested)
    for category, grant in decision.permitted.items():
        assert actor.active
        assert sensitivity_of(category) in actor.clearance
        assert not client.restricted
        assert purpose not in client.objections
        assert actor.organisation_id in client.live_engagement_organisation_ids or (
            purpose == "referral" and category in client.referred.get(actor.organisation_id, frozenset())
        )
        for supplier, basis in grant.bases.items():
            assert supplier in client.suppliers[category]
            agreement = next(a for a in found if a.version_id == basis.agreement_version_id)
            assert agreement.in_force(TODAY)
            assert {supplier, actor.organisation_id} <= agreement.parties
            assert category in agreement.purposes[purpose].categories
            if basis.kind == BasisKind.AGREEMENT_CONSENT:
                assert _consent_covers(client, actor, purpose, category)
            else:
                assert agreement.purposes[purpose].lawful_basis != "consent"


@settings(max_examples=300, deadline=None)
@given(worlds(), PURPOSES, st.lists(CATS, max_size=13))
def test_a_waiting_referral_opens_only_its_packet_and_only_for_the_referral(world, purpose, requested):
    actor, client, found = world
    without = dataclasses.replace(client, referred={})
    before = decide(actor, without, requested, purpose, NOW, agreements=found)
    after = decide(actor, client, requested, purpose, NOW, agreements=found)
    gained = set(after.permitted) - set(before.permitted)
    assert set(before.permitted) <= set(after.permitted)
    if purpose != "referral" or actor.organisation_id in client.live_engagement_organisation_ids:
        assert not gained
    assert gained <= client.referred.get(actor.organisation_id, frozenset())


@settings(max_examples=300, deadline=None)
@given(worlds(), PURPOSES, st.lists(CATS, max_size=13), st.data())
def test_adding_an_agreement_or_consent_never_removes_access(world, purpose, requested, data):
    actor, client, found = world
    before = decide(actor, client, requested, purpose, NOW, agreements=found)
    more_agreements = [*found, data.draw(agreements(99))]
    more_consent = dataclasses.replace(client, consents=(*client.consents, data.draw(consents(99))))
    for after in (
        decide(actor, client, requested, purpose, NOW, agreements=more_agreements),
        decide(actor, more_consent, requested, purpose, NOW, agreements=found),
    ):
        assert set(before.permitted) <= set(after.permitted)
        for category, grant in before.permitted.items():
            assert set(grant.from_organisations) <= set(after.permitted[category].from_organisations)


@settings(max_examples=300, deadline=None)
@given(worlds(), PURPOSES, st.lists(CATS, min_size=1, max_size=13))
def test_withdrawing_consent_removes_exactly_what_it_covered(world, purpose, requested):
    actor, client, found = world
    if not client.consents:
        return
    target = client.consents[0]
    withdrawn = dataclasses.replace(
        target, events=(*target.events, ConsentEventFacts("withdrawn", NOW - dt.timedelta(minutes=1)))
    )
    after_client = dataclasses.replace(client, consents=(withdrawn, *client.consents[1:]))
    before = decide(actor, client, requested, purpose, NOW, agreements=found)
    after = decide(actor, after_client, requested, purpose, NOW, agreements=found)
    assert set(before.permitted) == set(after.permitted)  # own items never depended on consent
    for category, grant in before.permitted.items():
        lost = set(grant.from_organisations) - set(after.permitted[category].from_organisations)
        for supplier in lost:
            assert grant.bases[supplier].consent_record_id == target.record_id
        if lost:
            # The reader is told the client withdrew it, not that they never agreed.
            reasons = [d.reason for d in after.withheld_suppliers[category]]
            assert Reason.CONSENT_WITHDRAWN in reasons
            assert Reason.NO_CONSENT not in reasons
        for supplier, basis in after.permitted[category].bases.items():
            assert basis.consent_record_id != target.record_id
            assert supplier in grant.from_organisations


@settings(max_examples=200, deadline=None)
@given(worlds(), PURPOSES, st.lists(CATS, min_size=1, max_size=13))
def test_expiry_is_judged_by_the_decision_itself(world, purpose, requested):
    actor, client, found = world
    later = NOW + dt.timedelta(days=400)
    decision = decide(actor, client, requested, purpose, later, agreements=found)
    for grant in decision.permitted.values():
        for basis in grant.bases.values():
            consent = (
                next(c for c in client.consents if c.record_id == basis.consent_record_id)
                if basis.consent_record_id
                else None
            )
            if consent is not None:
                assert consent.valid_until is None or consent.valid_until >= later.date()


def test_break_glass_is_narrow_and_expires():
    actor = ActorFacts(7, 1, "Council", True, TODAY + dt.timedelta(days=30), ALL_CLEARANCE)
    client = ClientFacts("c", frozenset({2}), suppliers={DataCategory.HEALTH: frozenset({2})})
    grant = BreakGlassFacts(
        3, 7, frozenset({DataCategory.HEALTH}), NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=3)
    )
    decision = decide(
        actor, client, [DataCategory.HEALTH, DataCategory.CONTACT], "safeguarding", NOW, break_glass=[grant]
    )
    assert decision.permitted[DataCategory.HEALTH].break_glass is not None
    assert decision.permitted[DataCategory.HEALTH].covers(2, 1)
    assert decision.denied[DataCategory.CONTACT].reason == Reason.NO_RELATIONSHIP
    expired = decide(
        actor, client, [DataCategory.HEALTH], "safeguarding", NOW + dt.timedelta(hours=4), break_glass=[grant]
    )
    assert DataCategory.HEALTH in expired.denied
    someone_else = dataclasses.replace(actor, staff_id=8)
    assert (
        DataCategory.HEALTH
        in decide(someone_else, client, [DataCategory.HEALTH], "safeguarding", NOW, break_glass=[grant]).denied
    )


def test_reasons_name_the_partner_and_what_is_missing():
    actor = ActorFacts(1, 1, "Fife College", True, TODAY + dt.timedelta(days=30), ALL_CLEARANCE, "college")
    client = ClientFacts(
        "c", frozenset({1, 2}), suppliers={DataCategory.HEALTH: frozenset({2})}, organisation_names={2: "Fife Council"}
    )
    agreement = AgreementFacts(
        5,
        frozenset({1, 2}),
        "active",
        TODAY - dt.timedelta(days=1),
        None,
        {"support_coordination": AgreementPurposeFacts("consent", frozenset({DataCategory.HEALTH}))},
    )
    no_agreement = decide(actor, client, [DataCategory.HEALTH], "support_coordination", NOW)
    assert "no information sharing agreement lets Fife Council share this with Fife College" in (
        no_agreement.withheld_suppliers[DataCategory.HEALTH][0].message
    )
    no_consent = decide(actor, client, [DataCategory.HEALTH], "support_coordination", NOW, agreements=[agreement])
    assert no_consent.withheld_suppliers[DataCategory.HEALTH][0].message == (
        "Health and disability: the client has not agreed to share this with Fife College."
    )
    rows = (
        ScopeFacts(11, 1, "college", "support_coordination", DataCategory.HEALTH),
        ScopeFacts(12, 1, "college", "support_coordination", DataCategory.QUALIFICATIONS),
    )
    given_ = ConsentEventFacts("given", NOW - dt.timedelta(days=3))
    consent = ConsentFacts("r", 2, TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=300), False, rows, (given_,))
    row_out = ConsentEventFacts("withdrawn", NOW - dt.timedelta(days=1), frozenset({11}))
    for events in ((given_, row_out), (given_, ConsentEventFacts("withdrawn", NOW - dt.timedelta(days=1)))):
        withdrawn = dataclasses.replace(client, consents=(dataclasses.replace(consent, events=events),))
        decision = decide(actor, withdrawn, [DataCategory.HEALTH], "support_coordination", NOW, agreements=[agreement])
        assert decision.withheld_suppliers[DataCategory.HEALTH][0].message == (
            "Health and disability: the client has withdrawn their consent to share this with Fife College."
        )
    # Without the withdrawal the same facts share it.
    kept = dataclasses.replace(client, consents=(consent,))
    shared = decide(actor, kept, [DataCategory.HEALTH], "support_coordination", NOW, agreements=[agreement])
    assert shared.permitted[DataCategory.HEALTH].from_organisations == frozenset({2})
