"""The rows consent_withdrawn reports as ended are exactly the rows the decision held in force just
before the withdrawal (consent works them out itself: it may not import the policy layer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.clients.models import Engagement, EngagementStatus
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_attach_evidence, consent_give, consent_renew, consent_withdraw
from ceangal.consent.signals import consent_withdrawn
from ceangal.policy.facts import client_engagements, consent_facts
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
CATEGORIES = ("identity", "qualifications", "health")


@pytest.fixture
def heard() -> Iterator[list[set[int]]]:
    calls: list[set[int]] = []

    def receiver(sender: object, **kwargs: Any) -> None:
        calls.append({s.pk for s in kwargs["scopes"]})

    consent_withdrawn.connect(receiver, dispatch_uid="test_withdrawal_signal_rows")
    yield calls
    consent_withdrawn.disconnect(dispatch_uid="test_withdrawal_signal_rows")


def _give(p: Personas, **extra: Any) -> ConsentRecord:
    answer: dict[str, Any] = {"method": "online", "valid_until": timezone.localdate() + dt.timedelta(days=90)}
    make_agreement([p.council_dpo, p.college_dpo])
    return consent_give(
        actor=p.council_worker,
        client=make_client(p.council_worker),
        notice=make_notice(p.council_dpo),
        scopes=[ScopeChoice(PURPOSE, category, p.college) for category in CATEGORIES],
        **(answer | extra),
    )


def _in_force(record: ConsentRecord) -> set[int]:
    [facts] = [f for f in consent_facts(record.client_id) if f.record_id == str(record.pk)]
    return {s.scope_id for s in facts.live_scopes(timezone.now(), client_engagements(record.client_id))}


def _row(record: ConsentRecord, category: str) -> Any:
    return record.scopes.get(category=category)


def _given(p: Personas) -> ConsentRecord:
    return _give(p)


def _partly_withdrawn(p: Personas) -> ConsentRecord:
    record = _give(p)
    consent_withdraw(record=record, scopes=[_row(record, "health")], by_client=True)
    return record


def _renewed_after_its_end(p: Personas) -> ConsentRecord:
    record = _give(p)
    consent_renew(record=record, actor=p.council_worker, valid_until=timezone.localdate() + dt.timedelta(days=30))
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    return record


def _past_its_end(p: Personas) -> ConsentRecord:
    record = _give(p)
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    return record


def _until_support_ends(p: Personas) -> ConsentRecord:
    return _give(p, valid_until=None, until_support_ends=True)


def _support_ended(p: Personas) -> ConsentRecord:
    record = _give(p, valid_until=None, until_support_ends=True)
    Engagement.objects.filter(client_id=record.client_id).update(status=EngagementStatus.CLOSED)
    return record


def _awaiting_its_form(p: Personas) -> ConsentRecord:
    return _give(p, method="paper_form")


def _form_attached(p: Personas) -> ConsentRecord:
    record = _give(p, method="paper_form")
    consent_attach_evidence(
        actor=p.council_worker, record=record, upload=SimpleUploadedFile("f.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    return record


SETUPS: list[Callable[[Personas], ConsentRecord]] = [
    _given,
    _partly_withdrawn,
    _renewed_after_its_end,
    _past_its_end,
    _until_support_ends,
    _support_ended,
    _awaiting_its_form,
    _form_attached,
]


@pytest.mark.parametrize("setup", SETUPS, ids=[s.__name__.strip("_") for s in SETUPS])
@pytest.mark.parametrize("whole", [True, False], ids=["whole", "partial"])
def test_the_rows_reported_are_the_rows_the_decision_held_in_force(personas, heard, setup, whole):
    record = setup(personas)
    before = _in_force(record)
    chosen = None if whole else [_row(record, "identity"), _row(record, "health")]
    consent_withdraw(record=record, scopes=chosen, actor=personas.council_worker)
    expected = before if chosen is None else before & {s.pk for s in chosen}
    assert heard[-1] == expected
    assert _in_force(record) == before - expected  # and the decision agrees they have ended
