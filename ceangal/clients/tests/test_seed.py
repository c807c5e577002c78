"""The synthetic data commands: `seed` is deterministic, valid and idempotent; `demo` is made once."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.test import override_settings

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS, SectionSpec
from ceangal.clients.seeding import HISTORY_REASON, ORGANISATIONS, SYNTHETIC_NOTE
from ceangal.clients.validation import clean_section
from ceangal.partners.models import Organisation, Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.reference.models import Code

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def _seed(slug: str, clients: int, seed: int = 7, batch_size: int = 2000, today: dt.date = TODAY) -> str:
    out = StringIO()
    call_command(
        "seed",
        f"--clients={clients}",
        f"--seed={seed}",
        f"--partnership-slug={slug}",
        f"--today={today.isoformat()}",
        f"--batch-size={batch_size}",
        "--agreements=0",  # the sharing seed has its own tests (policy/tests/test_seed_sharing.py)
        stdout=out,
    )
    return out.getvalue()


def _items(spec: SectionSpec, slug: str) -> QuerySet[Any]:
    return spec.model._default_manager.filter(**{"client__registered_by__partnership__slug": slug})


def _digest(slug: str, today: dt.date = TODAY) -> str:
    """Identity and contact values of every client (a date as days before today), with how many
    items each section holds, in a stable order: equal digests mean the same people and records."""
    people = []
    for ident in m.IdentitySection.objects.filter(client__registered_by__partnership__slug=slug).select_related(
        "client__contact"
    ):
        contact = ident.client.contact
        counts = tuple(spec.rows(ident.client_id).count() for spec in SECTIONS)
        people.append(
            (
                ident.given_name,
                ident.family_name,
                ident.preferred_name,
                (today - ident.date_of_birth).days,
                ident.ni_number,
                ident.postcode,
                ident.local_authority,
                contact.email,
                contact.phone,
                contact.address_line_1,
                counts,
            )
        )
    return hashlib.sha256(repr(sorted(people)).encode()).hexdigest()


def test_the_same_seed_gives_the_same_people_in_two_partnerships() -> None:
    _seed("synthetic-a", 50)
    _seed("synthetic-b", 50)

    assert m.Client.objects.filter(registered_by__partnership__slug="synthetic-a").count() == 50
    assert _digest("synthetic-a") == _digest("synthetic-b")
    _seed("synthetic-c", 50, seed=8)
    assert _digest("synthetic-c") != _digest("synthetic-a")


def test_another_today_shifts_the_dates_and_changes_nothing_else() -> None:
    later = TODAY + dt.timedelta(days=1000)  # across 29 February 2028
    _seed("synthetic-now", 40)
    _seed("synthetic-later", 40, today=later)

    assert _digest("synthetic-now") == _digest("synthetic-later", today=later)
    now_stages = m.StageChange.objects.filter(client__registered_by__partnership__slug="synthetic-now")
    later_stages = m.StageChange.objects.filter(client__registered_by__partnership__slug="synthetic-later")
    assert sorted((TODAY - s.changed_on).days for s in now_stages) == sorted(
        (later - s.changed_on).days for s in later_stages
    )


def test_every_seeded_item_passes_the_section_validation() -> None:
    _seed("synthetic", 120)

    for spec in SECTIONS:
        if spec.key == "documents":  # the seed uploads no files
            continue
        rows = list(_items(spec, "synthetic")[:60])
        assert rows, f"the seed made no {spec.label.lower()}"
        for row in rows:
            data = {name: getattr(row, name) for name in spec.field_names}
            clean_section(spec, data, today=TODAY)  # raises InvalidInput naming the field if not


def test_seeding_the_same_partnership_again_adds_clients_and_nothing_else() -> None:
    _seed("synthetic", 20, batch_size=8)
    organisations = Organisation.objects.filter(partnership__slug="synthetic").count()
    staff = StaffMember.objects.filter(organisation__partnership__slug="synthetic").count()

    output = _seed("synthetic", 30, batch_size=8)

    assert "found; 0 staff made" in output
    assert Partnership.objects.filter(slug="synthetic").count() == 1
    assert organisations == len(ORGANISATIONS) == 20
    # Every partner has a data protection officer, to sign its information sharing agreements.
    dpos = StaffMember.objects.filter(organisation__partnership__slug="synthetic", role=Role.DPO)
    assert dpos.values("organisation").distinct().count() == organisations
    assert Organisation.objects.filter(partnership__slug="synthetic").count() == organisations
    assert StaffMember.objects.filter(organisation__partnership__slug="synthetic").count() == staff
    assert m.Client.objects.filter(registered_by__partnership__slug="synthetic").count() == 50
    # Numbering carries on, so 20 then 30 are the same people as 50 at once.
    _seed("synthetic-at-once", 50)
    assert _digest("synthetic") == _digest("synthetic-at-once")


def test_the_seed_audits_per_batch_and_keeps_each_item_s_first_version() -> None:
    _seed("synthetic", 25, batch_size=10)

    batches = AuditEvent.objects.filter(action="seed.batch")
    assert batches.count() == 3
    assert sorted(e.detail["clients"] for e in batches) == [5, 10, 10]
    assert not AuditEvent.objects.filter(action="client.registered").exists()
    for spec in SECTIONS:
        items = _items(spec, "synthetic")
        history = getattr(spec.model, "history").filter(client__registered_by__partnership__slug="synthetic")  # noqa: B009
        assert history.count() == items.count()
        assert not history.exclude(history_change_reason=HISTORY_REASON, history_type="+").exists()
    identity = m.IdentitySection.objects.filter(client__registered_by__partnership__slug="synthetic").first()
    assert identity is not None
    first = getattr(identity, "history").get()  # noqa: B009 (added by simple-history)
    assert (first.id, first.ni_number, first.given_name) == (identity.pk, identity.ni_number, identity.given_name)
    assert identity.recorded_by is not None
    assert first.history_user_id == identity.recorded_by.user_id


def test_seeded_records_say_they_are_synthetic_and_use_safe_contact_details() -> None:
    _seed("synthetic", 30)

    partnership = Partnership.objects.get(slug="synthetic")
    assert "synthetic" in partnership.name
    contacts = m.ContactDetails.objects.filter(client__registered_by__partnership=partnership)
    assert all(c.contact_notes == SYNTHETIC_NOTE for c in contacts)
    assert all(c.email.endswith("@example.org") for c in contacts if c.email)
    assert all(c.phone.startswith("07700900") for c in contacts if c.phone)


def test_follow_ups_are_not_due_until_their_date() -> None:
    _seed("synthetic", 150)

    follow_ups = m.FollowUp.objects.filter(client__registered_by__partnership__slug="synthetic")
    future = follow_ups.filter(due_on__gt=TODAY)
    assert future.exists()
    assert follow_ups.filter(due_on__lte=TODAY).exists()
    assert set(future.values_list("status", flat=True)) == {"NOT_DUE"}
    checked = follow_ups.exclude(status="NOT_DUE")
    assert checked.exists()
    assert all(f.due_on <= f.checked_on <= TODAY for f in checked if f.checked_on)
    # Four follow-ups per employment outcome, at 4, 13, 26 and 52 weeks.
    outcomes = m.Outcome.objects.filter(client__registered_by__partnership__slug="synthetic")
    outcome = outcomes.filter(destination="D_EMP").first()
    assert outcome is not None
    weeks = {f.week: (f.due_on - outcome.achieved_on).days // 7 for f in outcome.follow_ups.all()}
    assert weeks == {"FU04": 4, "FU13": 13, "FU26": 26, "FU52": 52}


def test_seed_refuses_clearly_without_the_code_lists() -> None:
    Code.objects.all().delete()

    with pytest.raises(CommandError, match="load_reference"):
        _seed("synthetic", 5)
    assert not Partnership.objects.filter(slug="synthetic").exists()


@override_settings(PRODUCTION=True)
def test_seed_refuses_production_without_force() -> None:
    with pytest.raises(CommandError, match="production"):
        _seed("synthetic", 1)
    assert not Partnership.objects.exists()
