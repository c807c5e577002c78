"""Drafting one synthetic client as plain values, with no database: the same draws whatever writes them."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ceangal.clients import models as m
from ceangal.clients.seeding.draws import Draws
from ceangal.clients.seeding.phrases import (
    ACTIVITY_TITLES,
    ADJUSTMENTS,
    DISCLOSURE_NOTES,
    EMPLOYERS,
    EXPERIENCE,
    FAMILY_NAMES,
    FIFE,
    FIFE_TOWNS,
    GIVEN_NAMES,
    HEALTH_DETAILS,
    INWARD_LETTERS,
    NEED_NOTES,
    NEIGHBOURS,
    OFFENCES,
    PROVIDERS,
    QUALIFICATIONS,
    SENTENCES,
    STREETS,
    SYNTHETIC_NOTE,
)
from ceangal.clients.services import EMPLOYMENT_DESTINATION, FOLLOW_UP_WEEKS

# (lowest age, highest age, weight) and how many stages clients have reached, by weight.
_AGE_BANDS = ((16, 19, 18), (20, 24, 17), (25, 29, 14), (30, 34, 12), (35, 49, 24), (50, 64, 15))
_STAGE_WEIGHTS = (25, 25, 20, 15, 15)


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
