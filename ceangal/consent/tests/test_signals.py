"""consent_withdrawn: sent inside the withdrawal's transaction with the rows it ended, and only for
a withdrawal that is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from ceangal.consent.models import ConsentEvent, ConsentRecord, EventKind
from ceangal.consent.services import ScopeChoice, consent_give, consent_refuse, consent_withdraw
from ceangal.consent.signals import consent_withdrawn
from ceangal.errors import InvalidInput
from ceangal.testing.factories import make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
CATEGORIES = ("identity", "qualifications", "health")


@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    """What each sending of the signal carried, and whether the withdrawal was already saved and
    still inside its transaction at that moment."""
    calls: list[dict[str, Any]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        event = kwargs["event"]
        calls.append(
            kwargs
            | {
                "sender": sender,
                "saved": ConsentEvent.objects.filter(pk=event.pk, kind=EventKind.WITHDRAWN).exists(),
                "in_transaction": transaction.get_connection().in_atomic_block,
            }
        )

    consent_withdrawn.connect(receiver, dispatch_uid="test_signals.heard")
    yield calls
    consent_withdrawn.disconnect(dispatch_uid="test_signals.heard")


@pytest.fixture
def record(personas) -> ConsentRecord:
    make_agreement([personas.council_dpo, personas.college_dpo])
    return consent_give(
        actor=personas.council_worker,
        client=make_client(personas.council_worker),
        notice=make_notice(personas.council_dpo),
        scopes=[ScopeChoice(PURPOSE, category, personas.college) for category in CATEGORIES],
        method="online",
        valid_until=timezone.localdate() + dt.timedelta(days=90),
    )


def _rows(record: ConsentRecord, *categories: str) -> list[Any]:
    return list(record.scopes.filter(category__in=categories).order_by("pk"))


def test_a_whole_withdrawal_sends_every_row_in_force(personas, record, heard):
    event = consent_withdraw(record=record, actor=personas.council_worker, note="Client asked")
    [call] = heard
    assert call["sender"] is ConsentRecord
    assert call["record"] == record
    assert call["event"] == event
    assert call["actor"] == personas.council_worker
    assert call["scopes"] == list(record.scopes.order_by("pk"))
    assert call["saved"]
    assert call["in_transaction"]


def test_a_partial_withdrawal_sends_the_rows_it_ended_and_a_later_whole_one_only_the_rest(personas, record, heard):
    consent_withdraw(record=record, scopes=_rows(record, "health"), by_client=True)
    assert heard[0]["scopes"] == _rows(record, "health")
    assert heard[0]["actor"] is None
    # Withdrawing the rest: the health row was already out, so it is not ended a second time.
    consent_withdraw(record=record, actor=personas.council_worker)
    assert heard[1]["scopes"] == _rows(record, "identity", "qualifications")
    # Nothing is left in force: a further withdrawal is saved and sent, with nothing ended.
    consent_withdraw(record=record, scopes=_rows(record, "identity"), actor=personas.council_worker)
    assert heard[2]["scopes"] == []


def test_a_withdrawal_refused_by_its_checks_sends_nothing(personas, record, heard):
    other = consent_refuse(
        actor=personas.council_worker,
        client=record.client,
        notice=record.notice,
        scopes=[ScopeChoice(PURPOSE, "identity", personas.college)],
        method="online",
    )
    attempts = [
        {"record": record},  # nobody said who withdrew
        {"record": record, "scopes": list(other.scopes.all()), "by_client": True},  # rows of another record
        {"record": other, "by_client": True},  # a refusal
    ]
    for kwargs in attempts:
        with pytest.raises(InvalidInput):
            consent_withdraw(**kwargs)
    assert heard == []
    assert not ConsentEvent.objects.filter(kind=EventKind.WITHDRAWN).exists()


def test_a_receiver_that_fails_undoes_the_withdrawal(personas, record):
    def broken(sender: object, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    consent_withdrawn.connect(broken, dispatch_uid="test_signals.broken")
    try:
        with pytest.raises(RuntimeError):
            consent_withdraw(record=record, actor=personas.council_worker)
    finally:
        consent_withdrawn.disconnect(dispatch_uid="test_signals.broken")
    assert not record.events.filter(kind=EventKind.WITHDRAWN).exists()


def test_expiry_sends_nothing(personas, record, heard):
    from ceangal.consent.services import consents_expire

    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert consents_expire() == 1
    assert heard == []
