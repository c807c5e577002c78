"""Merging two records of the same person: a team leader's act that loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as m
from ceangal.clients.services import (
    client_set_discoverable,
    clients_merge,
    document_upload,
    engagement_open,
    item_add,
    section_save,
)
from ceangal.clients.signals import client_merged
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.selectors import client_disclosures, ledger_search
from ceangal.policy import selectors
from ceangal.policy.purposes import Purpose
from ceangal.testing.factories import make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = Purpose.SUPPORT_COORDINATION


def _qualification(actor, client, title="N5 Maths"):
    return item_add(
        actor=actor,
        client=client,
        section_key="qualifications",
        data={"title": title, "scqf_level": "SCQF05", "achieved_on": "2020-06-01"},
    )


@pytest.fixture
def pair(personas):
    keep = make_client(personas.council_worker, given_name="Morag", family_name="McLeod")
    duplicate = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    return keep, duplicate


def test_everything_moves_with_its_provenance(personas, pair):
    keep, duplicate = pair
    ours = _qualification(personas.council_worker, duplicate)
    engagement_open(actor=personas.college_worker, client=duplicate)
    theirs = _qualification(personas.college_worker, duplicate, title="HNC Computing")
    document = document_upload(
        actor=personas.council_worker,
        client=duplicate,
        title="CV",
        kind="cv",
        upload=SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    section_save(
        actor=personas.council_worker,
        client=duplicate,
        section_key="contact",
        data={"email": "morag@example.org"},
        expected_version=None,
    )
    make_agreement([personas.council_dpo, personas.college_dpo])  # the college must be a party for consent
    consent = consent_give(
        actor=personas.council_worker,
        client=duplicate,
        notice=make_notice(personas.council_dpo),
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=dt.date.today() + dt.timedelta(days=365),
    )
    items: list[tuple[type[m.Qualification] | type[m.Document], int]] = [
        (m.Qualification, ours.pk),
        (m.Qualification, theirs.pk),
        (m.Document, document.pk),
    ]
    before = {
        (model, pk): model.objects.values_list("supplied_by_id", "recorded_by_id", "recorded_at", "updated_at").get(
            pk=pk
        )
        for model, pk in items
    }

    plan = clients_merge(
        actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Registered twice by mistake."
    )

    assert plan.moves == {"contact": 1, "qualifications": 2, "documents": 1}
    assert plan.set_aside == ["identity"]
    for model, pk in items:
        assert model.objects.get(pk=pk).client_id == keep.pk
        after = model.objects.values_list("supplied_by_id", "recorded_by_id", "recorded_at", "updated_at").get(pk=pk)
        assert after == before[(model, pk)]
    assert {q.supplied_by_id for q in m.Qualification.objects.filter(client=keep)} == {
        personas.council.pk,
        personas.college.pk,
    }
    assert m.ContactDetails.objects.get(client=keep).email == "morag@example.org"
    consent.refresh_from_db()
    assert consent.client_id == keep.pk
    # The college worked with the duplicate only: its engagement now belongs to the kept record.
    assert m.Engagement.objects.get(organisation=personas.college, status="registered").client_id == keep.pk
    # Both council engagements are on the kept record; the duplicate's is closed as merged.
    council = m.Engagement.objects.filter(organisation=personas.council).order_by("pk")
    assert [(e.client_id, e.status, e.closure_reason) for e in council] == [
        (keep.pk, "registered", ""),
        (keep.pk, "closed", "merged"),
    ]
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == keep.pk
    assert duplicate.merged_at is not None
    # The duplicate's identity stays on the tombstone, unchanged (nothing is lost).
    assert duplicate.identity.family_name == "MacLeod"
    assert not m.MatchKey.objects.filter(client=duplicate).exists()


def test_the_tombstone_is_no_longer_listed_or_readable(personas, pair):
    keep, duplicate = pair
    clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    with pytest.raises(NotFound):
        selectors.client_record(actor=personas.council_worker, client_id=duplicate.pk, purpose=PURPOSE)
    listed = {row.client_id for row in selectors.caseload(actor=personas.council_worker, purpose=PURPOSE)}
    assert listed == {keep.pk}


def test_audited_on_both_records_and_the_ledger_follows_the_kept_record(personas, pair):
    keep, duplicate = pair
    selectors.client_record(actor=personas.council_worker, client_id=duplicate.pk, purpose=PURPOSE)
    selectors.client_record(actor=personas.council_worker, client_id=keep.pk, purpose=PURPOSE)
    clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    merged = AuditEvent.objects.get(action="client.merged")
    assert merged.client_id == keep.pk
    assert merged.actor == personas.council_leader.user
    assert merged.detail["duplicate"] == str(duplicate.pk)
    assert merged.detail["reason"] == "Same person."
    away = AuditEvent.objects.get(action="client.merged_away")
    assert away.client_id == duplicate.pk
    assert away.detail["merged_into"] == str(keep.pk)
    found = {row.client_id for row in ledger_search(client_id=keep.pk)}
    assert found == {keep.pk, duplicate.pk}
    assert {row.client_id for row in client_disclosures(keep.pk)} == {keep.pk, duplicate.pk}
    # The entries themselves are unchanged: they keep the id they were written with.
    assert {row.client_id for row in ledger_search(client_id=duplicate.pk)} == {duplicate.pk}


def test_the_signal_is_sent_inside_the_transaction(personas, pair):
    keep, duplicate = pair
    received = []

    def receiver(sender, keep, duplicate, actor, **kwargs):
        received.append((keep.pk, duplicate.pk, actor.pk))
        raise RuntimeError("a higher app could not re-point its rows")

    client_merged.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    finally:
        client_merged.disconnect(receiver)
    assert received == [(keep.pk, duplicate.pk, personas.council_leader.pk)]
    # The receiver failed, so nothing of the merge is left behind.
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert not AuditEvent.objects.filter(action="client.merged").exists()
    assert m.Engagement.objects.filter(client=duplicate, status="registered").exists()


@pytest.mark.parametrize("who", ["council_worker", "council_dpo", "council_admin"])
def test_only_a_team_leader_may_merge(personas, pair, who):
    keep, duplicate = pair
    with pytest.raises(NotPermitted):
        clients_merge(actor=getattr(personas, who), keep=keep, duplicate=duplicate, reason="Same person.")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


def test_both_clients_must_be_engaged_with_the_leaders_organisation(personas, pair):
    keep, _duplicate = pair
    college_client = make_client(personas.college_worker, given_name="Morag", family_name="McLeod")
    with pytest.raises(InvalidInput) as raised:
        clients_merge(actor=personas.council_leader, keep=keep, duplicate=college_client, reason="Same person.")
    assert "duplicate_id" in raised.value.errors
    with pytest.raises(NotFound):
        clients_merge(actor=personas.council_leader, keep=college_client, duplicate=keep, reason="Same person.")
    assert not m.Client.objects.filter(merged_into__isnull=False).exists()


def test_a_reason_is_required_and_a_record_cannot_merge_into_itself(personas, pair):
    keep, _duplicate = pair
    with pytest.raises(InvalidInput) as raised:
        clients_merge(actor=personas.council_leader, keep=keep, duplicate=keep, reason="  ")
    assert set(raised.value.errors) == {"duplicate_id", "reason"}
    assert not AuditEvent.objects.filter(action="client.merged").exists()


def test_a_different_section_supplied_by_another_partner_refuses_the_merge(personas, pair):
    keep, duplicate = pair
    engagement_open(actor=personas.college_worker, client=duplicate)
    engagement_open(actor=personas.college_worker, client=keep)
    for client, email in ((keep, "morag@example.org"), (duplicate, "morag.macleod@example.org")):
        section_save(
            actor=personas.college_worker if client is duplicate else personas.council_worker,
            client=client,
            section_key="contact",
            data={"email": email},
            expected_version=None,
        )
    qualification = _qualification(personas.council_worker, duplicate)
    with pytest.raises(InvalidInput) as raised:
        clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    assert "Fife College" in raised.value.errors["duplicate_id"][0]
    assert "contact" in raised.value.errors["duplicate_id"][0].lower()
    qualification.refresh_from_db()
    assert qualification.client_id == duplicate.pk
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


def test_a_merged_record_cannot_be_merged_again(personas, pair):
    keep, duplicate = pair
    clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Same person.")
    with pytest.raises((InvalidInput, NotFound)):
        clients_merge(actor=personas.council_leader, keep=keep, duplicate=duplicate, reason="Again.")
    assert AuditEvent.objects.filter(action="client.merged").count() == 1


def test_discoverable_is_set_by_an_engaged_caseworker_and_audited(personas, pair):
    keep, _duplicate = pair
    assert keep.discoverable is False
    client_set_discoverable(actor=personas.council_worker, client=keep, discoverable=True, note="Agreed today.")
    keep.refresh_from_db()
    assert keep.discoverable is True
    event = AuditEvent.objects.get(action="client.discoverable.changed")
    assert event.detail == {"discoverable": True, "note": "Agreed today."}
    with pytest.raises(NotFound):
        client_set_discoverable(actor=personas.college_worker, client=keep, discoverable=False)
    with pytest.raises(NotPermitted):
        client_set_discoverable(actor=personas.council_dpo, client=keep, discoverable=False)
    keep.refresh_from_db()
    assert keep.discoverable is True
