"""A refusal grants nothing: the decision counts only given and renewed consent. It cancels nothing
either: consent given before for other rows stays in force, and consent given later counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.services import ScopeChoice, consent_give, consent_refuse
from ceangal.policy.decision import (
    ActorFacts,
    AgreementFacts,
    AgreementPurposeFacts,
    BasisKind,
    ClientFacts,
    ConsentEventFacts,
    ConsentFacts,
    Reason,
    ScopeFacts,
    decide,
)
from ceangal.policy.selectors import client_record
from ceangal.reference.categories import DataCategory, Sensitivity
from ceangal.testing.factories import make_agreement, make_client, make_notice

PURPOSE = "support_coordination"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
COUNCIL, COLLEGE = 1, 2
ACTOR = ActorFacts(
    staff_id=7,
    organisation_id=COLLEGE,
    organisation_name="Fife College",
    active=True,
    training_expires_on=dt.date(2027, 1, 1),
    clearance=frozenset(Sensitivity),
    organisation_type="college",
)
AGREEMENT = AgreementFacts(
    version_id=11,
    parties=frozenset({COUNCIL, COLLEGE}),
    status="active",
    starts_on=dt.date(2026, 1, 1),
    ends_on=None,
    purposes={PURPOSE: AgreementPurposeFacts("consent", frozenset(DataCategory))},
)


def _record(
    record_id: str, kind: str, rows: Sequence[tuple[int, int | None, str, DataCategory]], at: dt.datetime
) -> ConsentFacts:
    return ConsentFacts(
        record_id=record_id,
        organisation_id=COUNCIL,
        valid_from=at.date(),
        # A refusal has no period; a consent here runs for a year.
        valid_until=None if kind == "refused" else at.date() + dt.timedelta(days=365),
        until_support_ends=False,
        scopes=tuple(ScopeFacts(scope_id, org, rtype, PURPOSE, category) for scope_id, org, rtype, category in rows),
        events=(ConsentEventFacts(kind, at),),
    )


def _client(*consents: ConsentFacts) -> ClientFacts:
    return ClientFacts(
        client_id="c1",
        live_engagement_organisation_ids=frozenset({COUNCIL, COLLEGE}),
        suppliers={category: frozenset({COUNCIL}) for category in DataCategory},
        organisation_names={COUNCIL: "Fife Council", COLLEGE: "Fife College"},
        consents=consents,
    )


rows = st.lists(
    st.tuples(
        st.integers(1, 10_000),
        st.sampled_from([COLLEGE, None]),
        st.sampled_from(["college", "third_sector"]),
        st.sampled_from(list(DataCategory)),
    ).map(lambda r: (r[0], r[1], "" if r[1] else r[2], r[3])),
    min_size=1,
    max_size=8,
    unique_by=lambda r: r[0],
)


@settings(max_examples=300)
@given(rows, st.integers(0, 400))
def test_a_refused_record_never_lets_another_partners_items_be_seen(refused_rows, days_ago):
    refusal = _record("refused", "refused", refused_rows, NOW - dt.timedelta(days=days_ago))
    assert refusal.live_scopes(NOW, frozenset({COUNCIL, COLLEGE})) == ()
    decision = decide(ACTOR, _client(refusal), list(DataCategory), PURPOSE, NOW, agreements=[AGREEMENT])
    for category in DataCategory:
        grant = decision.permitted[category]
        assert grant.from_organisations == frozenset()
        assert [d.reason for d in decision.withheld_suppliers[category]] == [Reason.NO_CONSENT]


def test_consent_given_after_a_refusal_for_the_same_row_counts():
    asked = [(1, COLLEGE, "", DataCategory.QUALIFICATIONS)]
    refusal = _record("refused", "refused", asked, NOW - dt.timedelta(days=10))
    later = _record("given", "given", [(2, COLLEGE, "", DataCategory.QUALIFICATIONS)], NOW - dt.timedelta(days=1))
    decision = decide(
        ACTOR, _client(refusal, later), [DataCategory.QUALIFICATIONS], PURPOSE, NOW, agreements=[AGREEMENT]
    )
    basis = decision.permitted[DataCategory.QUALIFICATIONS].bases[COUNCIL]
    assert basis.kind == BasisKind.AGREEMENT_CONSENT
    assert basis.consent_record_id == "given"


def test_a_refusal_does_not_cancel_an_earlier_consent_for_other_rows():
    earlier = _record("given", "given", [(1, COLLEGE, "", DataCategory.IDENTITY)], NOW - dt.timedelta(days=10))
    refusal = _record("refused", "refused", [(2, None, "college", DataCategory.HEALTH)], NOW - dt.timedelta(days=1))
    wanted = [DataCategory.IDENTITY, DataCategory.HEALTH]
    decision = decide(ACTOR, _client(earlier, refusal), wanted, PURPOSE, NOW, agreements=[AGREEMENT])
    assert decision.permitted[DataCategory.IDENTITY].bases[COUNCIL].consent_record_id == "given"
    assert decision.permitted[DataCategory.HEALTH].from_organisations == frozenset()


# --- Through the database: the refusal as consent_refuse writes it ------------------------------


def _qualifications(personas: Any, client: Any) -> list[str]:
    view = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    return [i.values["title"] for i in view.section("qualifications").items]


@pytest.mark.django_db
def test_a_recorded_refusal_shows_the_partner_nothing_and_later_consent_does(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo, recipient_types=["college"])
    client = make_client(personas.council_worker, given_name="Ailsa", family_name="Synthetic")
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 Maths", "scqf_level": "SCQF05"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice(PURPOSE, "identity", personas.college)],
        method="online",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )

    consent_refuse(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[
            ScopeChoice(PURPOSE, "qualifications", personas.college),
            ScopeChoice(PURPOSE, "identity", None, "college"),
        ],
        method="verbal_witnessed",
    )

    view = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert view.section("qualifications").items == []
    assert any("not agreed to share this with Fife College" in w for w in view.section("qualifications").withheld)
    assert view.display_name == "Ailsa Synthetic"  # the earlier consent to identity stands

    consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
        method="online",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    assert _qualifications(personas, client) == ["N5 Maths"]
