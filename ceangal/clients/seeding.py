"""Synthetic partnerships for trying Ceangal at scale (`manage.py seed`) and the records the demo uses.

Everything here is made up. The partnership and organisation names say "(synthetic)", contact
emails are at example.org (RFC 2606), phone numbers are in Ofcom's drama range (07700 900xxx),
and every contact record's notes say it is a synthetic record. National Insurance numbers pass
HMRC's published format but are random, so a few may coincide with real ones; they only ever
live in synthetic data.

Deterministic. Client number i of a run with seed S draws everything from its own random stream,
`Random("ceangal-seed:S:i")`, and i continues from the number of clients the partnership already
has. So the same seed gives the same people in any partnership, seeding 50 and then 50 more gives
what seeding 100 at once would, and nothing depends on batch size. Dates are drawn as offsets
from `today`, so two runs on different days differ only by a shift of every date. Primary keys
and client references mix in the partnership slug (one UUID per slug, seed and index), so that
the same seed in two partnerships of one database cannot collide.

Fast. Clients are drafted as plain values, then written one transaction per batch (2,000 by
default) straight into the tables: executemany on SQLite, COPY on PostgreSQL (_TableWriter says
why not bulk_create). Each value is still prepared by its own model field, so EncryptedTextField
encrypts (AES-GCM, one value at a time) and dates, UUIDs and JSON are stored exactly as a save
would store them.

Not through clients.services. The services validate, version and audit one change at a time,
which is right for people and far too slow for 100,000 synthetic records. Instead:
- every value comes from the loaded code lists and is drawn to pass the sections' validation
  (tests/test_seed.py runs a sample of every section through clean_section, and the demo sends
  the same drafts through the services themselves);
- every item gets the initial ("+") history row a save would have written, with the change
  reason "synthetic seed", written here beside the item. simple-history's
  bulk_create_with_history was measured too: no faster than bulk_create plus our own history
  rows, and both far slower than this (docs/benchmarks.md). History costs about a third of the
  seed's time, and a record without its first version would look edited by nobody;
- the audit trail gets one AuditEvent per batch (action "seed.batch", with the seed, the first
  client number and the row counts) rather than one per row: the rows are made by a command,
  not by a person acting on a client, and an event each would double the writes and tell
  nobody anything the batch event does not.
Staff are made through partners.services.staff_create; the partnership and organisations
directly, as no service makes them yet, each with its own audit event. Client.registered_at and
each item's recorded_at are the time of the run (they are set automatically, as on save).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, reset_queries, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.clients.services import EMPLOYMENT_DESTINATION, FOLLOW_UP_WEEKS
from ceangal.crypto import blind_index
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember, User
from ceangal.partners.roles import Role
from ceangal.partners.services import staff_create
from ceangal.reference.models import Code

DEFAULT_SLUG = "fife-synthetic"
DEFAULT_NAME = "Fife Employability Partnership (synthetic)"
FIFE = "S12000047"
SYNTHETIC_NOTE = "Synthetic record made by manage.py seed; not a real person."
HISTORY_REASON = "synthetic seed"
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as clients.services: Crockford base 32
_UUID_NAMESPACE = uuid.UUID("6f0c3c52-3f55-4c1e-9a59-0b7c1e2d5a10")

# Every code list a section field draws from, plus exit_reason for closed engagements.
REQUIRED_CODE_LISTS: tuple[str, ...] = tuple(
    sorted({f.code_list for spec in SECTIONS for f in spec.fields if f.code_list} | {"exit_reason"})
)


class ReferenceDataMissing(Exception):
    """The code lists the generator draws from are not loaded."""


@dataclass(frozen=True)
class CodeSnapshot:
    """The active codes of each list, in the lists' own order, read once per run."""

    lists: Mapping[str, tuple[str, ...]]

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.lists[key]


def load_codes() -> CodeSnapshot:
    found: dict[str, list[str]] = {key: [] for key in REQUIRED_CODE_LISTS}
    rows = (
        Code.objects.filter(code_list_id__in=REQUIRED_CODE_LISTS, active=True)
        .order_by("code_list_id", "sort_order", "code")
        .values_list("code_list_id", "code")
    )
    for list_key, code in rows:
        found[list_key].append(code)
    missing = [key for key, codes in found.items() if not codes]
    if missing:
        raise ReferenceDataMissing(
            f"The code lists {', '.join(missing)} are not loaded, and synthetic records must use real codes. "
            "Load them first with `manage.py load_reference` (or `make reference`)."
        )
    return CodeSnapshot({key: tuple(codes) for key, codes in found.items()})


class _Weighted:
    """A weighted choice over the codes a list really has; codes without a weight get `default`."""

    def __init__(self, options: Sequence[str], weights: Mapping[str, float], default: float = 1.0) -> None:
        self.options = tuple(options)
        self.cum = list(itertools.accumulate(weights.get(o, default) for o in self.options))

    def pick(self, rng: random.Random) -> str:
        return self.options[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


# --- Names and phrases -------------------------------------------------------------------------

GIVEN_NAMES = (
    "Ailsa", "Alasdair", "Aileen", "Amir", "Ayesha", "Blair", "Callum", "Cameron", "Catriona", "Chidi",
    "Duncan", "Eilidh", "Emily", "Euan", "Ewan", "Finlay", "Fiona", "Fraser", "Freya", "Grant",
    "Hamish", "Innes", "Iona", "Isla", "Jack", "Jamie", "Kenzie", "Kirsty", "Lachlan", "Lewis",
    "Mairi", "Mhairi", "Morag", "Murdo", "Niamh", "Oksana", "Olivia", "Orla", "Priya", "Rhona",
    "Ross", "Ruaridh", "Shona", "Skye", "Struan", "Tomasz", "Zainab", "Connor", "Erin", "Kyle",
)  # fmt: skip
FAMILY_NAMES = (
    "Anderson", "Baird", "Brennan", "Buchanan", "Campbell", "Docherty", "Duffy", "Ferguson", "Forbes",
    "Fraser", "Gillies", "Grieve", "Hamilton", "Henderson", "Kerr", "Khan", "Kowalski", "Lindsay",
    "MacDonald", "MacLeod", "McIntyre", "Morrison", "Murray", "Nowak", "O'Neill", "Okafor", "Paterson",
    "Patel", "Reid", "Robertson", "Ross", "Scott", "Sinclair", "Stewart", "Thomson", "Wallace",
    "Watson", "Wilson", "Young", "Ahmed",
)  # fmt: skip
FIFE_TOWNS = (
    ("Kirkcaldy", "KY1"), ("Kirkcaldy", "KY2"), ("Burntisland", "KY3"), ("Cowdenbeath", "KY4"),
    ("Lochgelly", "KY5"), ("Glenrothes", "KY6"), ("Glenrothes", "KY7"), ("Leven", "KY8"),
    ("Methil", "KY8"), ("Anstruther", "KY10"), ("Dunfermline", "KY11"), ("Dunfermline", "KY12"),
    ("Cupar", "KY15"), ("St Andrews", "KY16"),
)  # fmt: skip
# Clients living just outside Fife, with a postcode area to match their council.
NEIGHBOURS = (("S12000048", "Perth", "PH1"), ("S12000005", "Alloa", "FK10"), ("S12000042", "Dundee", "DD4"))
STREETS = (
    "High Street", "Station Road", "Mill Wynd", "Kirk Brae", "Harbour View", "Forth Avenue",
    "Links Street", "Bank Street", "Mid Street", "Park Road", "School Lane", "Church Street",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the inward code
QUALIFICATIONS = (
    ("National 4 English", "SCQF04", "SQA"),
    ("National 5 Mathematics", "SCQF05", "SQA"),
    ("Higher English", "SCQF06", "SQA"),
    ("Higher Human Biology", "SCQF06", "SQA"),
    ("SVQ Hospitality (level 2)", "SCQF05", "SQA"),
    ("HNC Social Services", "SCQF07", "SQA"),
    ("HND Computing", "SCQF08", "SQA"),
    ("Modern Apprenticeship in Construction", "SCQF06", "CITB"),
    ("Elementary Food Hygiene", "SCQF05", "REHIS"),
    ("Core Skills: Communication", "SCQF04", "SQA"),
    ("BA Business Studies", "SCQF09", ""),
    ("Secondary school certificate from abroad", "NONUK", ""),
)
EXPERIENCE = (
    ("employment", "Sales assistant", "Supermarket"),
    ("employment", "Warehouse operative", "Distribution centre"),
    ("employment", "Care assistant", "Care home"),
    ("employment", "Kitchen porter", "Hotel"),
    ("employment", "Labourer", "Building contractor"),
    ("employment", "Call handler", "Contact centre"),
    ("volunteering", "Shop volunteer", "Charity shop"),
    ("volunteering", "Coach", "Football club"),
    ("education", "Student", "College"),
    ("other", "Carer for a parent", ""),
)
ACTIVITY_TITLES = {
    "OUTREACH": "Drop-in at the community hub",
    "NEEDS_ASSESSMENT": "Initial needs assessment",
    "ACTION_PLAN": "Agreeing an action plan",
    "CONFIDENCE": "Confidence-building group",
    "CIAG": "Careers guidance session",
    "FINANCIAL_ADVICE": "Better-off-in-work calculation",
    "HEALTH_WELLBEING": "Wellbeing course",
    "EMP_SKILLS": "CV and interview workshop",
    "VOC_TRAINING": "Construction skills course",
    "WORK_EXPERIENCE": "Work placement",
    "VOLUNTEERING": "Volunteering placement",
    "JOB_SEARCH": "Job club",
    "JOB_MATCHING": "Matched to a vacancy",
    "IN_WORK_SUPPORT": "In-work support check-in",
}
PROVIDERS = ("Community learning team", "Local college", "Employability hub", "Third-sector partner", "")
EMPLOYERS = ("Local care provider", "Supermarket", "Council services", "Hotel and leisure", "Engineering firm")
HEALTH_DETAILS = (
    "Anxiety, worse in crowded places.",
    "Type 1 diabetes.",
    "Back injury after a fall; cannot lift heavy loads.",
    "Dyslexia.",
    "Hearing loss in one ear.",
    "Depression, under the care of their GP.",
    "Fatigue after a long illness.",
    "",
)
ADJUSTMENTS = (
    "Quiet room for appointments.",
    "Regular breaks.",
    "Written instructions as well as spoken ones.",
    "Morning appointments.",
    "Ground-floor meeting room.",
    "",
)
OFFENCES = ("Breach of the peace", "Shoplifting", "Driving without insurance", "Possession of a controlled drug")
SENTENCES = ("Fine", "Community Payback Order, 120 hours", "Admonished", "Six months' custody")
DISCLOSURE_NOTES = ("Spent; no need to disclose for most jobs.", "Disclose if asked until the order ends.", "")
NEED_NOTES = ("Working on this with their key worker.", "Referred for specialist help.", "", "")

# --- Weights (who the synthetic clients are) ---------------------------------------------------

_AGE_BANDS = ((16, 19, 18), (20, 24, 17), (25, 29, 14), (30, 34, 12), (35, 49, 24), (50, 64, 15))
_STAGE_WEIGHTS = (25, 25, 20, 15, 15)


class Draws:
    """Weighted pickers over the loaded codes, built once per run (load_draws)."""

    def __init__(self, codes: CodeSnapshot) -> None:
        self.codes = codes
        w = _Weighted
        self.sex = w(codes["sex"], {"F": 47, "M": 49, "PNS": 4})
        self.yes_no_pns = w(codes["yes_no_pns"], {"Y": 20, "N": 75, "PNS": 5})
        self.parent = w(codes["yes_no_pns"], {"Y": 35, "N": 62, "PNS": 3})
        self.trans = w(codes["yes_no_pns"], {"Y": 1, "N": 95, "PNS": 4})
        self.orientation = w(codes["sexual_orientation"], {"SO_STR": 85, "PNS": 8}, default=2)
        self.ethnicity = w(codes["ethnicity"], {"W_SCO": 80, "W_OBR": 6, "W_POL": 3, "PNS": 2}, default=0.5)
        self.care = w(codes["care_experience"], {"CE_NEVER": 85, "CE_PREV": 8, "CE_CUR": 2, "PNS": 5})
        self.severity = w(codes["severity"], {"LOW": 30, "MODERATE": 45, "HIGH": 25})
        self.identified_by = w(codes["identified_by"], {"SELF": 40, "KEY_WORKER": 45, "REFERRER": 15})
        self.limitation = w(codes["disability_limitation"], {"LOT": 30, "LITTLE": 45, "NOT_AT_ALL": 20, "PNS": 5})
        self.benefit = w(codes["benefit"], {"UC": 60, "PIP": 10, "ADP": 10, "ESA_NS": 5, "CA": 3, "NONE": 8}, 0.3)
        self.uc_regime = w(codes["uc_regime"], {"IWS": 35, "LIGHT": 10, "WORK_PREP": 20, "WFI": 5, "NWRR": 20})
        self.destination = w(
            codes["destination"], {EMPLOYMENT_DESTINATION: 50, "D_FE": 10, "D_TRAIN": 10, "D_VOL": 8, "D_HE": 5}, 3
        )
        self.employment_type = w(codes["destination_employment_type"], {"FT": 45, "PT": 40, "SELF": 5, "MA": 10})
        self.follow_up = w(
            [c for c in codes["follow_up_status"] if c != "NOT_DUE"],
            {"IN_EMP": 70, "NOT_EMP": 15, "NO_ENGAGE": 10, "UNKNOWN": 5},
        )
        self.barriers = codes["barrier"]
        self.conditions = tuple(c for c in codes["condition_type"] if c != "PNS")
        self.priority_family = tuple(c for c in codes["priority_family"] if c != "PNS")
        self.activity_types = codes["activity_type"]
        self.exit_reasons = codes["exit_reason"]
        self.scqf = codes["scqf_level"]
        self.local_authorities = frozenset(codes["local_authority"])
        self.stages = codes["pipeline_stage"]

    def code(self, list_key: str, preferred: str, rng: random.Random) -> str:
        """The preferred code if this edition of the list has it, otherwise any code of the list."""
        options = self.codes[list_key]
        return preferred if preferred in options else rng.choice(options)


def load_draws() -> Draws:
    """Raises ReferenceDataMissing if the code lists are not loaded."""
    return Draws(load_codes())


# --- Drafting one client (plain values, no database) -------------------------------------------


@dataclass
class ItemDraft:
    section: str  # a key of clients.sections.SECTIONS
    slot: int  # 0: supplied by the registering organisation; 1: by the second one
    values: dict[str, Any]
    # An employment outcome's follow-ups: week, due_on, status, checked_on.
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EngagementDraft:
    slot: int
    status: str
    started_on: dt.date
    closed_on: dt.date | None = None
    closure_reason: str = ""


@dataclass
class ClientDraft:
    """One synthetic client as plain values keyed by section field names, ready for clean_section."""

    home: int  # index into the organisations the caller offered
    second: int | None
    worker_draws: tuple[float, float]  # which key worker of the home and the second organisation
    discoverable: bool
    identity: dict[str, Any]
    contact: dict[str, Any]
    demographics: dict[str, Any]
    caring: dict[str, Any]
    items: list[ItemDraft]
    engagements: list[EngagementDraft]


def client_rng(seed: int, index: int) -> random.Random:
    # A string seed is hashed (SHA-512) by random.seed, so neighbouring indexes give unrelated streams.
    return random.Random(f"ceangal-seed:{seed}:{index}")


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _ni_number(rng: random.Random) -> str:
    # Always "Z" and a second letter the format allows (never ZZ), so synthetic numbers stand out
    # in a list while passing clients.validation's check.
    second = rng.choice("ABCEGHJKLMNPRSTWXY")
    return f"Z{second}{rng.randrange(1_000_000):06d}{rng.choice('ABCD')}"


def _org_pick(rng: random.Random, weights: Sequence[int]) -> int:
    cum = list(itertools.accumulate(weights))
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def draft_client(
    rng: random.Random, draws: Draws, today: dt.date, org_weights: Sequence[int], *, note: str = SYNTHETIC_NOTE
) -> ClientDraft:
    """A whole client record, drawn from rng. Every date is on or before today except planned activities."""
    home = _org_pick(rng, org_weights)
    second: int | None = None
    if len(org_weights) > 1 and rng.random() < 0.25:
        others = [i for i in range(len(org_weights)) if i != home]
        second = others[_org_pick(rng, [org_weights[i] for i in others])]
    worker_draws = (rng.random(), rng.random())

    # Identity and contact.
    low, high, _ = _AGE_BANDS[_org_pick(rng, [b[2] for b in _AGE_BANDS])]
    # At least `low` whole years old today: age_on counts birthdays, so stay a few days clear of one.
    dob = today - dt.timedelta(days=low * 366 + 3 + rng.randrange((high - low + 1) * 365 - 10))
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    if rng.random() < 0.92:
        town, outward = rng.choice(FIFE_TOWNS)
        local_authority = FIFE
    else:
        local_authority, town, outward = rng.choice(NEIGHBOURS)
    if local_authority not in draws.local_authorities:
        local_authority = FIFE
    inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    identity = {
        "given_name": given,
        "family_name": family,
        "preferred_name": rng.choice(("", "", "", "", given[:3])) if len(given) > 4 else "",
        "date_of_birth": dob,
        "ni_number": _ni_number(rng) if rng.random() < 0.85 else "",
        "postcode": f"{outward} {inward}",
        "local_authority": local_authority,
    }
    handle = "".join(ch for ch in f"{given}.{family}".lower() if ch.isalnum() or ch == ".")
    contact = {
        "email": f"{handle}{rng.randrange(100, 1000)}@example.org" if rng.random() < 0.8 else "",
        "phone": f"07700900{rng.randrange(1000):03d}" if rng.random() < 0.9 else "",
        "address_line_1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
        "address_line_2": "",
        "town": town,
        "preferred_method": rng.choice(("phone", "text", "text", "email", "post", "in_person")),
        "contact_notes": note,
    }
    parent = draws.parent.pick(rng)
    demographics = {
        "sex": draws.sex.pick(rng),
        "trans_status": draws.trans.pick(rng),
        "sexual_orientation": draws.orientation.pick(rng),
        "ethnicity": draws.ethnicity.pick(rng),
        "long_term_condition": draws.yes_no_pns.pick(rng),
        "care_experience": draws.care.pick(rng),
        "parent": parent,
    }
    children = rng.choice((1, 1, 2, 2, 3, 4)) if parent == "Y" else 0
    caring = {
        "unpaid_carer": draws.yes_no_pns.pick(rng) if rng.random() < 0.5 else "N",
        "number_of_children": children if parent != "PNS" else None,
        "youngest_child_age": rng.randint(0, 17) if children else None,
        "lone_parent": rng.choice(("Y", "N", "N")) if children else "",
        "childcare_needed": rng.choice(("Y", "N")) if children else "",
        "priority_family_groups": sorted(rng.sample(draws.priority_family, rng.choice((0, 1, 1, 2))))
        if children
        else [],
        "notes": "",
    }

    # The journey: registered up to three years ago, moving up the stages since.
    start = today - dt.timedelta(days=rng.randrange(0, 3 * 365))
    # Sixteen years on, counted in days (with its leap days), not by the calendar: every draw then
    # depends only on distances from today, so another --today shifts the dates and nothing else.
    adult = dob + dt.timedelta(days=16 * 365 + 4)
    items: list[ItemDraft] = []
    stage_count = _org_pick(rng, _STAGE_WEIGHTS) + 1
    changed_on = start
    for stage in draws.stages[:stage_count]:
        items.append(ItemDraft("stages", 0, {"stage": stage, "changed_on": changed_on, "note": ""}))
        changed_on = min(today, changed_on + dt.timedelta(days=rng.randint(14, 120)))

    values: dict[str, Any]
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        title, level, body = rng.choice(QUALIFICATIONS)
        achieved = _between(rng, adult, today) if rng.random() < 0.8 else None
        values = {
            "title": title,
            "scqf_level": draws.code("scqf_level", level, rng),
            "awarding_body": body,
            "achieved_on": achieved,
            "verified": rng.random() < 0.4,
        }
        items.append(ItemDraft("qualifications", 0, values))

    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        kind, role, where = rng.choice(EXPERIENCE)
        began = _between(rng, adult, today)
        ended = _between(rng, began, today) if rng.random() < 0.8 else None
        values = {
            "kind": kind,
            "role_title": role,
            "organisation_name": where,
            "started_on": began,
            "ended_on": ended,
            "description": "",
        }
        items.append(ItemDraft("experience", 0, values))

    for need in rng.sample(draws.barriers, rng.choice((0, 1, 1, 2, 2, 3, 4))):
        identified = _between(rng, start, today)
        values = {
            "need": need,
            "severity": draws.severity.pick(rng),
            "identified_by": draws.identified_by.pick(rng),
            "identified_on": identified,
            "notes": rng.choice(NEED_NOTES),
            "resolved_on": _between(rng, identified, today) if rng.random() < 0.2 else None,
        }
        items.append(ItemDraft("support_needs", 0, values))

    if rng.random() < 0.35:
        for condition in rng.sample(draws.conditions, rng.choice((1, 1, 2))):
            values = {
                "condition_type": condition,
                "limitation": draws.limitation.pick(rng),
                "details": rng.choice(HEALTH_DETAILS),
                "adjustments": rng.choice(ADJUSTMENTS),
            }
            items.append(ItemDraft("health", 0, values))

    if rng.random() < 0.06:
        for _ in range(rng.choice((1, 1, 1, 2))):
            values = {
                "status": rng.choice(m.ConvictionStatus.values),
                "offence_summary": rng.choice(OFFENCES),
                "sentence": rng.choice(SENTENCES),
                "convicted_on": _between(rng, adult, start) if rng.random() < 0.8 else None,
                "disclosure_notes": rng.choice(DISCLOSURE_NOTES),
            }
            items.append(ItemDraft("convictions", 0, values))

    benefits = sorted(
        {draws.benefit.pick(rng) for _ in range(rng.choice((0, 1, 1, 1, 2)))},
        key=draws.codes["benefit"].index,
    )
    for benefit in benefits:
        began = _between(rng, max(adult, start - dt.timedelta(days=3 * 365)), start)
        values = {
            "benefit": benefit,
            "uc_regime": draws.uc_regime.pick(rng) if benefit == "UC" else "",
            "started_on": began,
            "ended_on": _between(rng, began, today) if rng.random() < 0.15 else None,
        }
        items.append(ItemDraft("benefits", 0, values))

    slots = (0, 1) if second is not None else (0,)
    for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
        activity_type = rng.choice(draws.activity_types)
        status = rng.choice(m.ActivityStatus.values)
        starts: dt.date
        ends: dt.date | None
        if status == m.ActivityStatus.PLANNED:
            starts = today + dt.timedelta(days=rng.randint(1, 60))
            ends = starts + dt.timedelta(days=rng.randint(7, 90)) if rng.random() < 0.7 else None
        elif status == m.ActivityStatus.IN_PROGRESS:
            starts = _between(rng, start, today)
            ends = today + dt.timedelta(days=rng.randint(1, 90)) if rng.random() < 0.6 else None
        else:
            starts = _between(rng, start, today)
            ends = _between(rng, starts, today)
        values = {
            "activity_type": activity_type,
            "title": ACTIVITY_TITLES.get(activity_type, "Other activity"),
            "provider_name": rng.choice(PROVIDERS),
            "started_on": starts,
            "ended_on": ends,
            "status": status,
        }
        items.append(ItemDraft("activities", rng.choice(slots), values))

    # Outcomes for people near the end of the pipeline; a job start sets up its follow-ups.
    outcome_count = 0
    if stage_count >= 5:
        outcome_count = rng.choice((1, 1, 2))
    elif stage_count == 4 and rng.random() < 0.5:
        outcome_count = 1
    for _ in range(outcome_count):
        destination = draws.destination.pick(rng)
        achieved = _between(rng, start, today)
        values = {
            "destination": destination,
            "employment_type": "",
            "achieved_on": achieved,
            "employer_name": "",
            "hours_per_week": None,
            "scqf_level": "",
            "notes": "",
        }
        follow_ups: list[dict[str, Any]] = []
        if destination == EMPLOYMENT_DESTINATION:
            kind = draws.employment_type.pick(rng)
            hours = {"FT": (30, 40), "PT": (8, 29), "SELF": (10, 45), "MA": (30, 37)}.get(kind, (16, 37))
            values |= {
                "employment_type": kind,
                "employer_name": rng.choice(EMPLOYERS),
                "hours_per_week": rng.randint(*hours),
            }
            for week, weeks in FOLLOW_UP_WEEKS.items():
                follow_ups.append(_follow_up(rng, draws, week, achieved + dt.timedelta(weeks=weeks), today))
        elif destination in ("D_FE", "D_HE", "D_TRAIN") and rng.random() < 0.5:
            values["scqf_level"] = rng.choice(draws.scqf)
        items.append(ItemDraft("outcomes", rng.choice(slots), values, follow_ups))

    status = rng.choices(("active", "registered", "closed"), weights=(60, 25, 15))[0]
    engagements = [_engagement(rng, draws, 0, status, start, today)]
    if second is not None:
        status = "active" if rng.random() < 0.7 else "closed"
        engagements.append(_engagement(rng, draws, 1, status, _between(rng, start, today), today))

    return ClientDraft(
        home=home,
        second=second,
        worker_draws=worker_draws,
        discoverable=rng.random() < 0.3,
        identity=identity,
        contact=contact,
        demographics=demographics,
        caring=caring,
        items=items,
        engagements=engagements,
    )


def _follow_up(rng: random.Random, draws: Draws, week: str, due_on: dt.date, today: dt.date) -> dict[str, Any]:
    """NOT_DUE until its date; after it, mostly checked, with a few still waiting (the team leader's list)."""
    if due_on > today or ((today - due_on).days < 60 and rng.random() < 0.15):
        return {"week": week, "due_on": due_on, "status": "NOT_DUE", "checked_on": None, "notes": ""}
    checked_on = min(today, due_on + dt.timedelta(days=rng.randint(0, 14)))
    return {"week": week, "due_on": due_on, "status": draws.follow_up.pick(rng), "checked_on": checked_on, "notes": ""}


def _engagement(
    rng: random.Random, draws: Draws, slot: int, status: str, started_on: dt.date, today: dt.date
) -> EngagementDraft:
    if status != "closed":
        return EngagementDraft(slot, status, started_on)
    return EngagementDraft(slot, status, started_on, _between(rng, started_on, today), rng.choice(draws.exit_reasons))


# --- The synthetic partnership -----------------------------------------------------------------


@dataclass(frozen=True)
class OrgPlan:
    slug: str
    name: str
    org_type: OrganisationType
    local_authority: str
    key_workers: int
    weight: int  # relative share of the clients registered here
    extra_roles: tuple[Role, ...] = ()


_T = OrganisationType
ORGANISATIONS: tuple[OrgPlan, ...] = (
    OrgPlan("fife-council", "Fife Council Employability", _T.LOCAL_AUTHORITY, FIFE, 6, 30, (Role.DPO, Role.ANALYST)),
    OrgPlan("fife-college", "Fife College", _T.COLLEGE, "", 4, 15),
    OrgPlan("linktown-works", "Linktown Works", _T.THIRD_SECTOR, "", 3, 14),
    OrgPlan("east-neuk-futures", "East Neuk Futures", _T.THIRD_SECTOR, "", 3, 11),
    OrgPlan("sds-fife", "Skills Development Scotland, Fife", _T.SDS, "", 3, 9),
    OrgPlan("jcp-kirkcaldy", "Jobcentre Plus Kirkcaldy", _T.JOBCENTRE_PLUS, "", 2, 9),
    OrgPlan("fife-working-health", "Fife Working Health Service", _T.HEALTH, "", 2, 4),
    OrgPlan("fife-housing-options", "Fife Housing Options", _T.HOUSING, FIFE, 2, 4),
    OrgPlan("fife-justice-services", "Fife Justice Social Work", _T.JUSTICE, FIFE, 2, 4),
)
JOB_TITLES = {
    Role.KEY_WORKER: "Employability key worker",
    Role.TEAM_LEADER: "Team leader",
    Role.ORG_ADMIN: "Systems administrator",
    Role.DPO: "Partnership data protection officer",
    Role.ANALYST: "Performance analyst",
    Role.AUDITOR: "Internal auditor",
}


@dataclass
class SeedOrganisation:
    organisation: Organisation
    plan: OrgPlan
    key_workers: list[StaffMember]


@dataclass
class SeedPartnership:
    partnership: Partnership
    organisations: list[SeedOrganisation]
    created: bool
    staff_created: int


def _staff_roles(plan: OrgPlan) -> Iterator[tuple[Role, int]]:
    for n in range(1, plan.key_workers + 1):
        yield Role.KEY_WORKER, n
    yield Role.TEAM_LEADER, 1
    yield Role.ORG_ADMIN, 1
    for role in plan.extra_roles:
        yield role, 1


def staff_email(partnership_slug: str, org_slug: str, role: Role, number: int) -> str:
    return f"{org_slug}.{role.value.replace('_', '')}{number}@{partnership_slug}.example.org"


def ensure_partnership(*, slug: str, name: str, today: dt.date, staff_password: str | None = None) -> SeedPartnership:
    """The synthetic partnership with its organisations and staff, made once: a second run finds
    them by slug and email and makes nothing twice."""
    staff_created = 0
    with transaction.atomic():
        partnership = Partnership.objects.filter(slug=slug).first()
        created = partnership is None
        if partnership is None:
            partnership = Partnership.objects.create(name=name, slug=slug, local_authority=FIFE)
            _audit_setup("seed.partnership_created", "partners.partnership", partnership.pk, None, name=name)
        organisations: list[SeedOrganisation] = []
        for plan in ORGANISATIONS:
            organisation = Organisation.objects.filter(partnership=partnership, slug=plan.slug).first()
            if organisation is None:
                organisation = Organisation.objects.create(
                    partnership=partnership,
                    name=f"{plan.name} (synthetic)",
                    slug=plan.slug,
                    org_type=plan.org_type,
                    local_authority=plan.local_authority,
                    contact_email=f"{plan.slug}@{slug}.example.org",
                )
                _audit_setup("seed.organisation_created", "partners.organisation", organisation.pk, organisation.pk)
            for role, number in _staff_roles(plan):
                email = staff_email(slug, plan.slug, role, number)
                if User.objects.filter(email__iexact=email).exists():
                    continue
                # Staff names do not depend on the seed, so reseeding never renames anyone.
                rng = random.Random(f"ceangal-staff:{plan.slug}:{role.value}:{number}")
                staff_create(
                    organisation=organisation,
                    email=email,
                    first_name=rng.choice(GIVEN_NAMES),
                    last_name=rng.choice(FAMILY_NAMES),
                    role=role,
                    password=staff_password,
                    job_title=JOB_TITLES[role],
                    training_completed_on=today - dt.timedelta(days=rng.randint(20, 200)),
                )
                staff_created += 1
            workers = list(
                StaffMember.objects.filter(organisation=organisation, role=Role.KEY_WORKER, active=True)
                .select_related("user")
                .order_by("pk")
            )
            organisations.append(SeedOrganisation(organisation, plan, workers))
    return SeedPartnership(partnership, organisations, created, staff_created)


def _audit_setup(action: str, object_type: str, object_id: int, organisation_id: int | None, **detail: Any) -> None:
    audit_record(
        actor_user_id=None,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail={"synthetic": True, **detail},
    )


# --- Writing clients in batches ----------------------------------------------------------------


@dataclass
class SeedReport:
    partnership: Partnership
    partnership_created: bool
    staff_created: int
    first_index: int
    clients: int
    rows: Counter[str]
    seconds: float

    @property
    def rate(self) -> float:
        return self.clients / self.seconds if self.seconds else 0.0


# (batch number, batches, clients written so far, clients wanted, seconds so far, seconds for the batch)
ProgressFn = Callable[[int, int, int, int, float, float], None]


def seed_clients(
    *,
    clients: int,
    seed: int,
    slug: str = DEFAULT_SLUG,
    name: str = DEFAULT_NAME,
    today: dt.date | None = None,
    batch_size: int = 2000,
    staff_password: str | None = None,
    progress: ProgressFn | None = None,
) -> SeedReport:
    """Add `clients` synthetic clients to the partnership `slug`, making it first if need be.

    Raises ReferenceDataMissing before writing anything if the code lists are not loaded.
    """
    if clients < 0 or batch_size < 1:
        raise ValueError("clients must be 0 or more and batch_size at least 1.")
    today = today or timezone.localdate()
    draws = load_draws()
    started = time.perf_counter()
    setup = ensure_partnership(slug=slug, name=name, today=today, staff_password=staff_password)
    first = m.Client.objects.filter(registered_by__partnership=setup.partnership).count()
    weights = [o.plan.weight for o in setup.organisations]
    rows: Counter[str] = Counter()
    writers = _writers()
    batches = (clients + batch_size - 1) // batch_size
    for number, offset in enumerate(range(0, clients, batch_size), start=1):
        batch_started = time.perf_counter()
        indexes = range(first + offset, first + min(clients, offset + batch_size))
        drafts = [draft_client(client_rng(seed, i), draws, today, weights) for i in indexes]
        with transaction.atomic():
            counts = _write_batch(setup, seed, indexes, drafts, writers)
            audit_record(
                actor_user_id=None,
                organisation_id=None,
                action="seed.batch",
                object_type="partners.partnership",
                object_id=setup.partnership.pk,
                detail={"seed": seed, "first_index": indexes.start, "clients": len(indexes), "rows": dict(counts)},
            )
        rows.update(counts)
        # With DEBUG on, Django keeps every query's SQL; bulk inserts would pile up megabytes of it.
        reset_queries()
        if progress is not None:
            now = time.perf_counter()
            progress(number, batches, offset + len(indexes), clients, now - started, now - batch_started)
    if clients:
        _analyze(writers.values())
    return SeedReport(
        partnership=setup.partnership,
        partnership_created=setup.created,
        staff_created=setup.staff_created,
        first_index=first,
        clients=clients,
        rows=rows,
        seconds=time.perf_counter() - started,
    )


def _identifiers(slug: str, seed: int, index: int, attempt: int) -> tuple[uuid.UUID, str]:
    digest = hashlib.sha256(f"{_UUID_NAMESPACE}:{slug}:{seed}:{index}:{attempt}".encode()).digest()
    reference = "CG-" + "".join(_REFERENCE_ALPHABET[b % 32] for b in digest[16:22])
    return uuid.UUID(bytes=digest[:16], version=4), reference


def _client_identifiers(slug: str, seed: int, indexes: range) -> list[tuple[uuid.UUID, str]]:
    """Ids and references for a batch; a reference already taken (or drawn twice) is drawn again,
    from the next attempt number, so the result is still the same for the same database."""
    attempts = dict.fromkeys(indexes, 0)
    chosen = {i: _identifiers(slug, seed, i, 0) for i in indexes}
    while True:
        drawn = Counter(ref for _, ref in chosen.values())
        taken = set(m.Client.objects.filter(reference__in=list(drawn)).values_list("reference", flat=True))
        clashes = [i for i, (_, ref) in chosen.items() if ref in taken or drawn[ref] > 1]
        if not clashes:
            return [chosen[i] for i in indexes]
        for i in clashes:
            attempts[i] += 1
            chosen[i] = _identifiers(slug, seed, i, attempts[i])


def _worker(org: SeedOrganisation, draw: float) -> StaffMember | None:
    """The first key worker carries a double caseload, so there is always one big caseload to test."""
    workers = org.key_workers
    if not workers:
        return None
    cum = list(itertools.accumulate([2] + [1] * (len(workers) - 1)))
    return workers[bisect.bisect_right(cum, draw * cum[-1])]


_SECTION_MODELS: dict[str, type[models.Model]] = {spec.key: spec.model for spec in SECTIONS}
# Exact field classes whose Python value is already what the database driver takes. Anything else
# (dates, UUIDs, JSON, EncryptedTextField) is prepared by the field itself, as a save would.
_PLAIN_FIELDS: frozenset[type[models.Field[Any, Any]]] = frozenset(
    {
        models.CharField,
        models.EmailField,
        models.SlugField,
        models.TextField,
        models.BooleanField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.AutoField,
        models.BigAutoField,
    }
)


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # set for every concrete field
    return field.column


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]

    def send(self, connection: BaseDatabaseWrapper, rows: list[tuple[Any, ...]]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: measured over twice as fast as psycopg's pipelined executemany here.
                with cursor.cursor.copy(f"COPY {quote(self.name)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


class _TableWriter:
    """Inserts plain rows (dicts keyed by attribute name) into one model's table, and with them the
    model's "+" history rows, without building model instances.

    bulk_create spends about 10 us per value compiling its SQL and as much again building model
    instances, which held the seed near 250 clients/s on SQLite and PostgreSQL alike. Here each
    value is prepared by its own field's get_db_prep_save (only for fields that transform values:
    dates, UUIDs, JSON, EncryptedTextField) and rows go by executemany (SQLite) or COPY
    (PostgreSQL): about four times faster (docs/benchmarks.md).
    """

    _HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")

    def __init__(self, model: type[models.Model], connection: BaseDatabaseWrapper) -> None:
        meta = model._meta
        assert meta.pk is not None
        self.model = model
        self.connection = connection
        self.pk = meta.pk
        self.auto_pk = isinstance(meta.pk, models.AutoField | models.BigAutoField)
        fields = list(meta.concrete_fields)
        self.attnames = tuple(f.attname for f in fields)
        self.known = frozenset(self.attnames)
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.stamped = frozenset(
            f.attname for f in fields if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        )
        self.preps = tuple(self._prep(f) for f in fields)
        self.table = _Table(meta.db_table, tuple(_column(f) for f in fields))
        self.history: _Table | None = None
        self.history_label = ""
        records = getattr(model, "history", None)
        if records is not None:
            historical: type[models.Model] = records.model
            by_attname = {f.attname: f for f in historical._meta.concrete_fields}
            wanted = (*self.attnames, *self._HISTORY_COLUMNS)
            missing = [a for a in wanted if a not in by_attname]
            if missing:  # a history table that does not mirror the model would be silently short
                raise AssertionError(f"{historical.__name__} lacks {', '.join(missing)}.")
            self.history = _Table(historical._meta.db_table, tuple(_column(by_attname[a]) for a in wanted))
            self.history_label = historical._meta.label

    def _prep(self, field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        if type(target) in _PLAIN_FIELDS:
            return None
        connection = self.connection
        return lambda value: field.get_db_prep_save(value, connection=connection)

    def reserve_ids(self, count: int) -> list[int]:
        """Primary keys for rows about to be inserted, so that history rows and follow-ups can cite them."""
        if not count:
            return []
        quote = self.connection.ops.quote_name
        table, pk = self.table.name, _column(self.pk)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
                )
                return [row[0] for row in cursor.fetchall()]
            if self.connection.vendor == "sqlite":
                # The batch's transaction holds SQLite's write lock (BEGIN IMMEDIATE), so nobody else
                # can take these ids. AUTOINCREMENT never reuses an id, hence sqlite_sequence.
                cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")  # noqa: S608
                highest = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                start = max(highest, row[0] if row else 0) + 1
                return list(range(start, start + count))
        raise NotImplementedError("The seed writes to SQLite or PostgreSQL only.")

    def insert(self, rows: Sequence[Mapping[str, Any]], user_ids: Sequence[int | None], now: dt.datetime) -> int:
        """Insert rows and, for a model with history, their history rows. Returns the rows inserted."""
        if not rows:
            return 0
        stamp = self.connection.ops.adapt_datetimefield_value(now)
        # auto_now and auto_now_add fields get the batch's time whatever the row says, as on save.
        plan = [(a, prep, a in self.stamped) for a, prep in zip(self.attnames, self.preps, strict=True)]
        defaults = self.defaults
        values: list[tuple[Any, ...]] = []
        for row in rows:
            unknown = row.keys() - self.known
            if unknown:
                raise ValueError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}.")
            out: list[Any] = []
            for attname, prep, stamped in plan:
                if stamped:
                    out.append(stamp)
                    continue
                value = row[attname] if attname in row else defaults[attname]
                out.append(value if prep is None else prep(value))
            values.append(tuple(out))
        self.table.send(self.connection, values)
        if self.history is not None:
            # The history row reuses the item's prepared values, ciphertext included: the same
            # value encrypted once, as an item and its first version hold the same value.
            history = [(*v, stamp, HISTORY_REASON, "+", uid) for v, uid in zip(values, user_ids, strict=True)]
            self.history.send(self.connection, history)
        return len(values)


def _write_batch(
    setup: SeedPartnership,
    seed: int,
    indexes: range,
    drafts: Sequence[ClientDraft],
    writers: Mapping[type[models.Model], _TableWriter],
) -> Counter[str]:
    """Write one batch of drafted clients. Runs inside the batch's transaction."""
    orgs = setup.organisations
    rows: dict[type[models.Model], list[dict[str, Any]]] = {model: [] for model in writers}
    users: dict[type[models.Model], list[int | None]] = {model: [] for model in writers}
    follow_ups: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (outcome row, follow-up row)

    def add(model: type[models.Model], row: dict[str, Any], user_id: int | None) -> dict[str, Any]:
        rows[model].append(row)
        users[model].append(user_id)
        return row

    for (client_id, reference), draft in zip(
        _client_identifiers(setup.partnership.slug, seed, indexes), drafts, strict=True
    ):
        slots = [orgs[draft.home], orgs[draft.home if draft.second is None else draft.second]]
        workers = [_worker(slots[0], draft.worker_draws[0]), _worker(slots[1], draft.worker_draws[1])]
        org_ids = [slots[0].organisation.pk, slots[1].organisation.pk]
        staff_ids = [w.pk if w else None for w in workers]
        user_ids = [w.user_id if w else None for w in workers]
        add(
            m.Client,
            {
                "id": client_id,
                "reference": reference,
                "registered_by_id": org_ids[0],
                "discoverable": draft.discoverable,
            },
            None,
        )
        home = {"client_id": client_id, "supplied_by_id": org_ids[0], "recorded_by_id": staff_ids[0]}
        ni = draft.identity["ni_number"]
        add(
            m.IdentitySection, {**home, **draft.identity, "ni_number_index": blind_index(ni) if ni else ""}, user_ids[0]
        )
        add(m.ContactDetails, {**home, **draft.contact}, user_ids[0])
        add(m.Demographics, {**home, **draft.demographics}, user_ids[0])
        add(m.CaringAndFamily, {**home, **draft.caring}, user_ids[0])
        for item in draft.items:
            provenance = {
                "client_id": client_id,
                "supplied_by_id": org_ids[item.slot],
                "recorded_by_id": staff_ids[item.slot],
            }
            row = add(_SECTION_MODELS[item.section], {**provenance, **item.values}, user_ids[item.slot])
            for values in item.follow_ups:
                follow_ups.append((row, add(m.FollowUp, {**provenance, **values}, user_ids[item.slot])))
        for engagement in draft.engagements:
            row = {
                "client_id": client_id,
                "organisation_id": org_ids[engagement.slot],
                "status": engagement.status,
                "key_worker_id": staff_ids[engagement.slot],
                "started_on": engagement.started_on,
                "closed_on": engagement.closed_on,
                "closure_reason": engagement.closure_reason,
            }
            add(m.Engagement, row, user_ids[engagement.slot])

    for model, writer in writers.items():
        if writer.auto_pk:
            for row, pk in zip(rows[model], writer.reserve_ids(len(rows[model])), strict=True):
                row["id"] = pk
    for outcome, follow_up in follow_ups:
        follow_up["outcome_id"] = outcome["id"]

    now = timezone.now()
    counts: Counter[str] = Counter()
    for model, writer in writers.items():  # in dependency order: clients, items, outcomes, follow-ups
        written = writer.insert(rows[model], users[model], now)
        if written:
            counts[model._meta.label] = written
            if writer.history_label:
                counts[writer.history_label] = written
    return counts


def _analyze(writers: Iterable[_TableWriter]) -> None:
    """Refresh the query planner's statistics for the tables just filled. Without them SQLite reads
    a client's items through the supplied_by index instead of client's: at 100,000 clients,
    client_record took 143 ms before and 20 ms after (ANALYZE itself took about a second)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    tables = [t.name for w in writers for t in (w.table, w.history) if t is not None]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")


def _writers() -> dict[type[models.Model], _TableWriter]:
    # The connection itself, not django.db.connection: that proxy costs a lookup per attribute.
    connection = connections[DEFAULT_DB_ALIAS]

    order: list[type[models.Model]] = [
        m.Client,
        *(s.model for s in SECTIONS if s.model is not m.Document),
        m.Engagement,
    ]
    # Follow-ups cite their outcome, so they go after it.
    order.remove(m.FollowUp)
    order.insert(order.index(m.Outcome) + 1, m.FollowUp)
    return {model: _TableWriter(model, connection) for model in order}
