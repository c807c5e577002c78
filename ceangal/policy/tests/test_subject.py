"""The data subject's own reads (ceangal.policy.subject): what is held about them, who has seen
it, their consents. Each returns the signed-in client's data and nobody else's."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.clients.services import document_upload
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_refuse, consent_withdraw
from ceangal.errors import NotFound
from ceangal.ledger.models import LedgerEntry
from ceangal.policy.breakglass import break_glass_open
from ceangal.policy.selectors import client_record
from ceangal.policy.subject import (
    DISCLOSURES_PER_PAGE,
    subject_consent,
    subject_consents,
    subject_disclosures,
    subject_home,
    subject_information,
    subject_withdrawal_receipt,
)
from ceangal.testing.factories import Personas
from ceangal.testing.worlds import SharingWorld, sharing_world

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def _world(personas: Personas, given_name: str = "Eilidh", qualification: str = "N5 English") -> SharingWorld:
    return sharing_world(
        personas, given_name=given_name, qualification=qualification, health_details=f"{given_name} finds crowds hard"
    )


# -- what is held ---------------------------------------------------------------------------------


def test_the_client_sees_every_section_in_words_with_who_supplied_it_special_category_included(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other", qualification="HNC Other")
    document_upload(
        actor=personas.college_worker,
        client=world.client,
        title="Offer letter",
        kind="letter",
        upload=SimpleUploadedFile("offer.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    sections = {s.key: s for s in subject_information(world.client.pk)}
    assert list(sections)[:4] == ["identity", "contact", "demographics", "qualifications"]
    (qualification,) = sections["qualifications"].items
    values = dict(qualification.values)
    assert values["Qualification"] == "N5 English"
    assert values["SCQF level"] == "SCQF level 5"  # the code's label, never the code
    assert qualification.supplied_by == personas.council.name
    assert qualification.changed_at is not None
    (health,) = sections["health"].items  # special category: it is the client's own
    assert dict(health.values)["Kind of condition"] == "Mental health condition"
    assert dict(health.values)["Details the person wants partners to know"] == "Eilidh finds crowds hard"
    (document,) = sections["documents"].items
    assert dict(document.values)["Title"] == "Offer letter"
    assert dict(document.values)["File name"] == "offer.pdf"
    assert document.supplied_by == personas.college.name
    assert sections["contact"].items == []
    everything = repr(sections)
    assert "HNC Other" not in everything
    assert "Other finds crowds hard" not in everything
    assert other.client.reference not in everything


def test_a_client_merged_away_or_unknown_has_nothing(personas):
    world = _world(personas)
    cm.Client.objects.filter(pk=world.client.pk).update(erased_at=timezone.now())
    with pytest.raises(NotFound):
        subject_information(world.client.pk)
    with pytest.raises(NotFound):
        subject_home(uuid.uuid4())


# -- who has seen it ------------------------------------------------------------------------------


def test_who_has_seen_says_who_what_when_and_why_in_words(personas, settings):
    world = _world(personas)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    seen = subject_disclosures(world.client.pk)
    (entry,) = seen.entries
    today = timezone.localdate()
    assert entry.sentence == (
        f"A key worker at {personas.college.name} saw your name and identity details, your qualifications "
        f"and your progress and activities on {today.day} {today:%B %Y}, to coordinate your support."
    )
    assert entry.emergency == ""
    assert personas.college_worker.display_name not in entry.sentence  # the role, not the person
    settings.CEANGAL_PORTAL_SHOW_VIEWER_NAMES = True
    (named,) = subject_disclosures(world.client.pk).entries
    assert named.sentence.startswith(f"{personas.college_worker.display_name} (key worker) at {personas.college.name}")


def test_emergency_access_is_called_out_with_its_ground(personas):
    world = _world(personas)
    break_glass_open(
        actor=personas.college_leader,
        client_id=world.client.pk,
        categories=["health"],
        ground="safeguarding",
        reason="A synthetic emergency: a worry about the client's safety tonight.",
    )
    client_record(actor=personas.college_leader, client_id=world.client.pk, purpose=PURPOSE, sections=["health"])
    (entry,) = subject_disclosures(world.client.pk).entries
    assert entry.sentence.startswith(f"A team leader at {personas.college.name} saw your name")
    assert "your health and disability information" in entry.sentence
    assert entry.emergency == "Safeguarding a child or an adult at risk"
    assert "tonight" not in entry.sentence + entry.emergency  # the staff member's free text is the DPO's


def test_who_has_seen_is_newest_first_a_page_at_a_time_and_filters_by_organisation(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other")
    for _ in range(DISCLOSURES_PER_PAGE + 2):
        client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    client_record(actor=personas.council_worker, client_id=world.client.pk, purpose=PURPOSE)
    client_record(actor=personas.college_worker, client_id=other.client.pk, purpose=PURPOSE)
    first = subject_disclosures(world.client.pk)
    assert len(first.entries) == DISCLOSURES_PER_PAGE
    assert first.entries[0].organisation == personas.council.name  # the newest
    assert [e.at for e in first.entries] == sorted((e.at for e in first.entries), reverse=True)
    second = subject_disclosures(world.client.pk, page=2)
    assert len(second.entries) == 3
    assert first.page.paginator.count == DISCLOSURES_PER_PAGE + 3  # the other client's read is not here
    assert {name for _, name in first.organisations} == {personas.council.name, personas.college.name}
    council = subject_disclosures(world.client.pk, organisation_id=personas.council.pk)
    assert [e.organisation for e in council.entries] == [personas.council.name]
    ignored = subject_disclosures(world.client.pk, organisation_id=personas.outsider_org.pk)
    assert ignored.organisation_id is None  # an organisation not in the client's ledger filters nothing
    assert subject_disclosures(world.client.pk, page="nonsense").page.number == 1


def test_reading_their_own_information_is_not_a_disclosure(personas):
    world = _world(personas)
    before = LedgerEntry.objects.count()
    subject_information(world.client.pk)
    subject_consents(world.client.pk)
    subject_disclosures(world.client.pk)
    subject_home(world.client.pk)
    assert LedgerEntry.objects.count() == before


# -- consents -------------------------------------------------------------------------------------


def test_consent_states_in_words(personas):
    world = _world(personas)
    (given,) = subject_consents(world.client.pk)
    assert (given.state, given.state_label, given.in_force) == ("in_force", "In force", True)
    assert given.organisation == personas.council.name
    assert given.method == "Verbal, with a witness"
    rows = {r.category: r for r in given.rows}
    assert rows["Qualifications"].recipient == personas.college.name
    assert rows["Qualifications"].purpose == "Coordinating your support"
    qualifications = world.consent.scopes.get(category="qualifications")
    consent_withdraw(record=world.consent, scopes=[qualifications], by_client=True)
    partly = subject_consent(world.client.pk, world.consent.pk)
    assert partly.state == "partly_withdrawn"
    assert {r.category: (r.in_force, r.withdrawn) for r in partly.rows} == {
        "Identity": (True, False),
        "Qualifications": (False, True),
    }
    assert [h.words for h in partly.history] == ["Given", "Some parts withdrawn by you"]
    consent_withdraw(record=world.consent, by_client=True)
    gone = subject_consent(world.client.pk, world.consent.pk)
    assert (gone.state, gone.state_label, gone.in_force) == ("withdrawn", "Withdrawn", False)
    assert gone.rows_in_force == []


def test_expired_and_refused_consents(personas):
    world = _world(personas)
    ConsentRecord.objects.filter(pk=world.consent.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert subject_consent(world.client.pk, world.consent.pk).state == "expired"
    refused = consent_refuse(
        actor=personas.council_worker,
        client=world.client,
        notice=world.notice,
        scopes=[ScopeChoice(PURPOSE, "health", personas.college)],
        method="verbal_witnessed",
        witness_name="Tam Person",
    )
    view = subject_consent(world.client.pk, refused.pk)
    assert (view.state, view.state_label, view.in_force) == ("refused", "You said no", False)


def test_another_clients_consent_and_receipt_are_not_found(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other")
    event = consent_withdraw(record=other.consent, by_client=True)
    assert [c.id for c in subject_consents(world.client.pk)] == [world.consent.pk]
    with pytest.raises(NotFound):
        subject_consent(world.client.pk, other.consent.pk)
    with pytest.raises(NotFound):
        subject_withdrawal_receipt(world.client.pk, other.consent.pk, event.pk)
    with pytest.raises(NotFound):
        subject_withdrawal_receipt(world.client.pk, world.consent.pk, event.pk)  # the event is the other's


def test_a_receipt_is_only_for_the_clients_own_withdrawal(personas):
    world = _world(personas)
    qualifications = world.consent.scopes.get(category="qualifications")
    mine = consent_withdraw(record=world.consent, scopes=[qualifications], by_client=True)
    receipt = subject_withdrawal_receipt(world.client.pk, world.consent.pk, mine.pk)
    assert receipt.reference == f"W-{str(world.consent.pk)[:8].upper()}-{mine.pk}"
    assert not receipt.whole
    assert [r.category for r in receipt.rows] == ["Qualifications"]
    by_staff = consent_withdraw(record=world.consent, actor=personas.council_worker)
    with pytest.raises(NotFound):
        subject_withdrawal_receipt(world.client.pk, world.consent.pk, by_staff.pk)
    with pytest.raises(NotFound):
        subject_withdrawal_receipt(world.client.pk, world.consent.pk, "x")


def test_home_counts(personas):
    world = _world(personas)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    client_record(actor=personas.council_worker, client_id=world.client.pk, purpose=PURPOSE)
    home = subject_home(world.client.pk)
    assert home.seen_recently == 2
    assert (home.consents, home.consents_in_force) == (1, 1)
    assert home.organisations == sorted([personas.council.name, personas.college.name])
    consent_withdraw(record=world.consent, by_client=True)
    assert subject_home(world.client.pk).consents_in_force == 0
