"""The agreements in force are kept between reads until one small query shows a change
(policy.facts.agreement_facts). Issue 3: a precomputed answer must equal the pure one after every
kind of change. Each step below first primes the kept answer, then makes one change through the
services, then compares the kept answer with a fresh reading of the tables, and with what the
decision would have said from each."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from ceangal.agreements.models import AgreementVersion
from ceangal.agreements.services import (
    AgreementTerms,
    PurposeTerms,
    agreement_create,
    agreement_new_version,
    agreement_set_status,
    agreement_sign,
)
from ceangal.policy.facts import agreement_facts, read_agreement_facts

pytestmark = pytest.mark.django_db


def _terms(personas, **changes) -> AgreementTerms:
    today = timezone.localdate()
    terms = AgreementTerms(
        summary="To coordinate support for shared clients.",
        frequency="monthly",
        retention="Six years after support ends.",
        retention_months=72,
        on_end="destroy",
        starts_on=today - dt.timedelta(days=1),
        review_on=today + dt.timedelta(days=300),
        parties=[personas.council, personas.college],
        purposes=[PurposeTerms("support_coordination", "consent", ["identity", "qualifications"])],
    )
    return dataclasses.replace(terms, **changes)


def _same_after(partnership_id: int, change, *days: dt.date) -> None:
    days = days or (timezone.localdate(),)
    for day in days:
        agreement_facts(partnership_id, day)  # prime the kept answer
    change()
    for day in days:
        assert agreement_facts(partnership_id, day) == read_agreement_facts(partnership_id, day), day


def test_the_kept_answer_equals_a_fresh_reading_after_every_kind_of_change(personas):
    council_dpo, college_dpo = personas.council_dpo, personas.college_dpo
    pid = personas.council.partnership_id
    box: dict[str, AgreementVersion] = {}

    def create() -> None:
        box["v1"] = agreement_create(actor=council_dpo, title="Kept facts", terms=_terms(personas))

    _same_after(pid, create)
    assert agreement_facts(pid, timezone.localdate()) == ()  # a draft is not in force

    _same_after(pid, lambda: agreement_sign(actor=council_dpo, version=box["v1"]))
    _same_after(pid, lambda: agreement_sign(actor=college_dpo, version=box["v1"]))
    (in_force,) = agreement_facts(pid, timezone.localdate())
    assert in_force.version_id == box["v1"].pk

    box["v1"].refresh_from_db()
    _same_after(
        pid, lambda: agreement_set_status(actor=council_dpo, version=box["v1"], status="suspended", reason="Review.")
    )
    assert agreement_facts(pid, timezone.localdate()) == ()
    box["v1"].refresh_from_db()
    _same_after(
        pid, lambda: agreement_set_status(actor=college_dpo, version=box["v1"], status="active", reason="Reviewed.")
    )
    assert len(agreement_facts(pid, timezone.localdate())) == 1

    # A new version with a wider purpose replaces the first when the last party signs.
    wider = _terms(
        personas,
        purposes=[
            PurposeTerms("support_coordination", "consent", ["identity", "qualifications", "experience"]),
            PurposeTerms("progress_monitoring", "public_task", ["journey"]),
        ],
    )

    def redraft() -> None:
        box["v2"] = agreement_new_version(actor=council_dpo, agreement=box["v1"].agreement, terms=wider)

    _same_after(pid, redraft)
    _same_after(pid, lambda: agreement_sign(actor=council_dpo, version=box["v2"]))
    _same_after(pid, lambda: agreement_sign(actor=college_dpo, version=box["v2"]))
    (in_force,) = agreement_facts(pid, timezone.localdate())
    assert in_force.version_id == box["v2"].pk
    assert set(in_force.purposes) == {
        "support_coordination",
        "progress_monitoring",
    }

    box["v2"].refresh_from_db()
    _same_after(
        pid, lambda: agreement_set_status(actor=college_dpo, version=box["v2"], status="ended", reason="Finished.")
    )
    assert agreement_facts(pid, timezone.localdate()) == ()


def test_time_is_part_of_the_answer(personas):
    """An agreement that starts tomorrow or ended yesterday: the kept answer for one day is never
    given for another."""
    pid = personas.council.partnership_id
    today = timezone.localdate()
    tomorrow, next_year = today + dt.timedelta(days=1), today + dt.timedelta(days=400)

    def starts_tomorrow() -> None:
        version = agreement_create(
            actor=personas.council_dpo,
            title="Starts tomorrow",
            terms=_terms(personas, starts_on=tomorrow, ends_on=today + dt.timedelta(days=30)),
        )
        agreement_sign(actor=personas.council_dpo, version=version)
        agreement_sign(actor=personas.college_dpo, version=version)

    _same_after(pid, starts_tomorrow, today, tomorrow, next_year)
    assert agreement_facts(pid, today) == ()
    assert len(agreement_facts(pid, tomorrow)) == 1
    assert agreement_facts(pid, next_year) == ()
    assert agreement_facts(pid, tomorrow) == read_agreement_facts(pid, tomorrow)


def test_one_partnerships_change_does_not_serve_anothers_answer(personas):
    from ceangal.partners.models import Partnership

    other = Partnership.objects.create(name="Elsewhere", slug="elsewhere")
    pid = personas.council.partnership_id
    agreement_facts(other.pk, timezone.localdate())

    def create_and_sign() -> None:
        version = agreement_create(actor=personas.council_dpo, title="Ours", terms=_terms(personas))
        agreement_sign(actor=personas.council_dpo, version=version)
        agreement_sign(actor=personas.college_dpo, version=version)

    _same_after(pid, create_and_sign)
    assert agreement_facts(other.pk, timezone.localdate()) == ()
    assert len(agreement_facts(pid, timezone.localdate())) == 1


def test_an_unchanged_partnership_costs_one_small_query(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ceangal.testing.factories import make_agreement

    make_agreement([personas.council_dpo, personas.college_dpo])
    pid = personas.council.partnership_id
    first = agreement_facts(pid, timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        again = agreement_facts(pid, timezone.localdate())
    assert again == first
    assert len(captured) == 1
