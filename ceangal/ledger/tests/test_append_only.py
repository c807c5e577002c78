from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from ceangal.ledger.models import LedgerChainHead, LedgerEntry, LedgerIsAppendOnly
from ceangal.ledger.tests.helpers import disclose
from ceangal.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


def test_the_orm_refuses_to_change_or_remove_entries():
    entry = disclose()
    entry.purpose = "evaluation"
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(purpose="evaluation")
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.all().delete()
    with pytest.raises(LedgerIsAppendOnly):
        LedgerEntry.objects.bulk_update([entry], ["purpose"])
    assert LedgerEntry.objects.get().purpose == "support-coordination"
    assert ledger_verify().ok


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_ledgerentry SET purpose = 'evaluation' WHERE id = %s",
        "DELETE FROM ledger_ledgerentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_update_and_delete(sql):
    entry = disclose()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get().purpose == "support-coordination"


@postgresql_only
def test_postgresql_lets_a_chain_head_move_only_forward_to_a_real_entry():
    entry = disclose()
    head = "UPDATE ledger_ledgerchainhead SET last_seq = %s, last_hash = %s WHERE shard = %s"
    attempts: list[list[Any]] = [[0, entry.prev_hash, entry.shard], [2, "f" * 64, entry.shard]]
    for params in attempts:
        with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic(), connection.cursor() as c:
            c.execute(head, params)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM ledger_ledgerchainhead WHERE shard = %s", [entry.shard])
    assert LedgerChainHead.objects.get(shard=entry.shard).last_seq == 1


def test_the_admin_shows_the_ledger_to_superusers_only_and_changes_nothing(django_user_model):
    request = RequestFactory().get("/")
    request.user = django_user_model(is_superuser=True, is_staff=True)
    for model in (LedgerEntry, LedgerChainHead):
        model_admin = site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    request.user = django_user_model(is_superuser=False, is_staff=True)
    assert not site._registry[LedgerEntry].has_view_permission(request)
