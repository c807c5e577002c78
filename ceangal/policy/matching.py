"""Finding a client before registering them, and likely duplicates to merge, without leaking anyone.

Two answers, kept apart (docs/matching.md):

- `yours`: clients the searcher's own organisation works with whose name is close (rapidfuzz), or
  whose match key is the same; each is shown only as the policy lets the searcher see it (the
  record selector, so a name the searcher may not see keeps the match hidden, and every name shown
  is written to the access ledger);
- `known_elsewhere`: the names of other partner organisations working with a client who agreed to
  be discoverable and whose match key (a keyed hash of the NI number, or of name, date of birth and
  postcode) is the same as the search's. Nothing else about that client leaves this module: not
  its id, reference, name, or which identifier matched.

Every search is audited (who, which kinds of identifier, how many results; never the identifiers)
and limited per staff member per hour, to make trying identifiers one after another slow and seen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz, process

from ceangal.audit.models import AuditEvent
from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.matching import match_keys_for, normalise_name, normalise_postcode
from ceangal.clients.sections import SECTIONS
from ceangal.clients.services import MergePlan, merge_plan
from ceangal.clients.validation import looks_like_ni_number, normalise_ni_number
from ceangal.clients.validation import normalise_postcode as valid_postcode
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.policy import selectors
from ceangal.policy.purposes import Purpose

PURPOSE = Purpose.SUPPORT_COORDINATION
SEARCH_ACTION = "client.partnership_search"
# A key worker checks a handful of people a day; this many searches an hour is far beyond that and
# still slows down anyone trying identifiers one after another. Settable per deployment.
DEFAULT_SEARCHES_PER_HOUR = 60
# Fuzzy matches: the name score (0-100, token-sort ratio of normalised names) a candidate needs,
# and how much an equal date of birth or postcode adds to the ranking score.
NAME_CUTOFF = 75
DOB_BOOST = 15
POSTCODE_BOOST = 5
MAX_YOURS = 10


@dataclass(frozen=True)
class OwnMatch:
    """One of the searcher's own organisation's clients, as far as the policy lets them see it."""

    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: dt.date | None
    postcode: str
    score: int  # 0-100; 100 for a match key that is the same
    exact: bool


@dataclass(frozen=True)
class SearchResult:
    yours: list[OwnMatch]
    known_elsewhere: list[str]  # organisation names, nothing about the client
    identifiers: list[str]  # which kinds of identifier were searched, for the page to say

    @property
    def found(self) -> bool:
        return bool(self.yours or self.known_elsewhere)


@dataclass(frozen=True)
class _Search:
    ni_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    postcode: str


def _require_searcher(actor: StaffMember) -> None:
    if not actor.active or not actor.user.is_active:
        raise NotPermitted("Your account is not active.")
    if actor.role not in CASEWORK_ROLES:
        raise NotPermitted(f"A {Role(actor.role).label.lower()} cannot search for clients to register.")
    if not actor.training_current(timezone.localdate()):
        raise NotPermitted("Your data-protection training has expired; renew it before searching for clients.")


def _as_date(value: dt.date | str | None, errors: dict[str, list[str]]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        parsed = value
    else:
        try:
            parsed = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["date_of_birth"] = ["Enter the date of birth as a real date, for example 27 3 2007."]
            return None
    if parsed > timezone.localdate():
        errors["date_of_birth"] = ["The date of birth must be in the past."]
        return None
    return parsed


def _clean(
    ni_number: str, given_name: str, family_name: str, date_of_birth: dt.date | str | None, postcode: str
) -> _Search:
    errors: dict[str, list[str]] = {}
    ni = normalise_ni_number(ni_number or "")
    if ni and not looks_like_ni_number(ni):
        errors["ni_number"] = ["Enter a National Insurance number in the right format, like QQ 12 34 56 C."]
    dob = _as_date(date_of_birth, errors)
    code = (postcode or "").strip()
    if code and valid_postcode(code) is None:
        errors["postcode"] = ["Enter a real UK postcode, like KY1 1YG."]
    given, family = (given_name or "").strip(), (family_name or "").strip()
    if not ni:
        missing = {
            "given_name": "Enter their given name, or search by National Insurance number.",
            "family_name": "Enter their family name, or search by National Insurance number.",
            "date_of_birth": "Enter their date of birth, or search by National Insurance number.",
        }
        present = {"given_name": given, "family_name": family, "date_of_birth": dob}
        for name, message in missing.items():
            if not present[name] and name not in errors:
                errors[name] = [message]
    if errors:
        raise InvalidInput(errors)
    return _Search(ni, given, family, dob, code)


def _searches_per_hour() -> int:
    return int(getattr(settings, "CEANGAL_MATCH_SEARCHES_PER_HOUR", DEFAULT_SEARCHES_PER_HOUR))


def _require_under_limit(actor: StaffMember) -> None:
    limit = _searches_per_hour()
    since = timezone.now() - dt.timedelta(hours=1)
    done = AuditEvent.objects.filter(actor_id=actor.user_id, action=SEARCH_ACTION, at__gte=since).count()
    if done >= limit:
        raise NotPermitted(
            f"You have searched the partnership {done} times in the last hour, the most allowed. "
            "Try again later, or ask your team leader."
        )


def _visible_identities(actor: StaffMember) -> list[tuple[uuid.UUID, str, str, str, dt.date, str]]:
    rows = m.IdentitySection.objects.filter(
        client__engagements__organisation_id=actor.organisation_id,
        client__engagements__status__in=m.LIVE_ENGAGEMENT_STATUSES,
        client__merged_into__isnull=True,
    ).values_list("client_id", "given_name", "family_name", "preferred_name", "date_of_birth", "postcode")
    return list(rows.distinct())


def _fuzzy(actor: StaffMember, search: _Search, exclude: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Scores of the organisation's own clients whose name is close to the one searched."""
    if not (search.given_name and search.family_name):
        return {}
    wanted = normalise_name(f"{search.given_name} {search.family_name}")
    wanted_postcode = normalise_postcode(search.postcode)
    identities = [row for row in _visible_identities(actor) if row[0] not in exclude]
    # A person may be known by their preferred name: score both and keep the better.
    choices: list[str] = []
    owners: list[int] = []
    for index, (_id, given, family, preferred, _dob, _code) in enumerate(identities):
        for first in {given, preferred} - {""}:
            choices.append(normalise_name(f"{first} {family}"))
            owners.append(index)
    scores: dict[uuid.UUID, int] = {}
    for _choice, name_score, position in process.extract(
        wanted, choices, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_CUTOFF, limit=None
    ):
        client_id, _given, _family, _preferred, dob, code = identities[owners[position]]
        score = name_score * (100 - DOB_BOOST - POSTCODE_BOOST) / 100
        score += DOB_BOOST if search.date_of_birth is not None and dob == search.date_of_birth else 0
        score += POSTCODE_BOOST if wanted_postcode and normalise_postcode(code) == wanted_postcode else 0
        scores[client_id] = max(scores.get(client_id, 0), round(score))
    return scores


def _shown(actor: StaffMember, client_id: uuid.UUID, score: int, exact: bool, channel: str) -> OwnMatch | None:
    """The match as the policy lets the actor see it, or None where its name is withheld (finding it
    by a name the actor may not see would confirm what is withheld)."""
    try:
        record = selectors.client_record(
            actor=actor, client_id=client_id, purpose=PURPOSE, sections=["identity"], channel=channel
        )
    except (NotFound, NotPermitted):
        return None
    identity = record.section("identity")
    if not identity.permitted or not identity.items:
        return None
    values = identity.items[0].values
    return OwnMatch(
        client_id=record.client_id,
        reference=record.reference,
        name=record.display_name,
        date_of_birth=values.get("date_of_birth"),
        postcode=str(values.get("postcode") or ""),
        score=score,
        exact=exact,
    )


def search_partnership(
    actor: StaffMember,
    *,
    ni_number: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | str | None = None,
    postcode: str = "",
    channel: Channel | str = Channel.PAGE,
) -> SearchResult:
    """Check whether a person is already known before registering them. Needs a National Insurance
    number, or given name, family name and date of birth (with a postcode too for the partnership
    part); InvalidInput names each missing or malformed field."""
    _require_searcher(actor)
    search = _clean(ni_number, given_name, family_name, date_of_birth, postcode)
    keys = match_keys_for(
        ni_number=search.ni_number,
        given_name=search.given_name,
        family_name=search.family_name,
        date_of_birth=search.date_of_birth,
        postcode=search.postcode,
    )
    identifiers = [str(kind) for kind in keys]
    if search.given_name and search.family_name and m.MatchKind.NAME_DOB_POSTCODE not in keys:
        identifiers.append("name")
    with transaction.atomic():
        _require_under_limit(actor)
        matched = set(
            m.MatchKey.objects.filter(
                kind__in=list(keys), digest__in=list(keys.values()), client__merged_into__isnull=True
            ).values_list("client_id", "kind", "digest")
        )
        matched_ids = {client_id for client_id, kind, digest in matched if keys.get(kind) == digest}
        own_ids = set(
            m.Engagement.objects.filter(
                client_id__in=matched_ids,
                organisation_id=actor.organisation_id,
                status__in=m.LIVE_ENGAGEMENT_STATUSES,
            ).values_list("client_id", flat=True)
        )
        # Other partners working with a discoverable match; never one the searcher's own
        # organisation works with (that one is among `yours`, or hidden from the searcher).
        elsewhere = sorted(
            set(
                m.Engagement.objects.filter(
                    client_id__in=matched_ids - own_ids,
                    client__discoverable=True,
                    status__in=m.LIVE_ENGAGEMENT_STATUSES,
                    organisation__partnership_id=actor.organisation.partnership_id,
                )
                .exclude(organisation_id=actor.organisation_id)
                .values_list("organisation__name", flat=True)
            )
        )
        ranked = [(client_id, 100, True) for client_id in sorted(own_ids)]
        fuzzy = _fuzzy(actor, search, exclude=own_ids)
        ranked += [
            (cid, score, False) for cid, score in sorted(fuzzy.items(), key=lambda item: (-item[1], str(item[0])))
        ]
        yours: list[OwnMatch] = []
        for client_id, score, exact in ranked:
            if len(yours) == MAX_YOURS:
                break
            shown = _shown(actor, client_id, score, exact, str(channel))
            if shown is not None:
                yours.append(shown)
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action=SEARCH_ACTION,
            object_type="clients.client",
            object_id="",
            detail={
                "identifiers": identifiers,
                "yours": len(yours),
                "known_elsewhere": len(elsewhere),
                "channel": str(channel),
            },
        )
    return SearchResult(yours=yours, known_elsewhere=elsewhere, identifiers=identifiers)


# ---- Merging: the team leader's view of likely duplicates and of what a merge will do ----


@dataclass(frozen=True)
class MergeSide:
    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: dt.date | None
    postcode: str


@dataclass(frozen=True)
class MergePreview:
    keep: MergeSide
    duplicate: MergeSide
    plan: MergePlan
    section_labels: dict[str, str]


def _require_team_leader(actor: StaffMember) -> None:
    if actor.role != Role.TEAM_LEADER:
        raise NotPermitted("Only a team leader can merge client records.")


def _side_and_identity(actor: StaffMember, client_id: object, channel: str) -> tuple[MergeSide, dict[str, Any]]:
    record = selectors.client_record(
        actor=actor, client_id=client_id, purpose=PURPOSE, sections=["identity"], channel=channel
    )
    if not record.actor_engaged:
        # Reached on break-glass alone: not a record this organisation may merge.
        raise NotFound("No such client.")
    identity = record.section("identity")
    values = identity.items[0].values if identity.permitted and identity.items else {}
    side = MergeSide(
        client_id=record.client_id,
        reference=record.reference,
        name=record.display_name,
        date_of_birth=values.get("date_of_birth"),
        postcode=str(values.get("postcode") or ""),
    )
    return side, values


def _side(actor: StaffMember, client_id: object, channel: str) -> MergeSide:
    return _side_and_identity(actor, client_id, channel)[0]


def likely_duplicates(
    actor: StaffMember, client_id: object, *, channel: str = Channel.PAGE
) -> tuple[MergeSide, list[OwnMatch]]:
    """The client (as the actor may see them) and the organisation's other clients who may be the
    same person, closest first. NotFound for a client the actor may not see; team leaders only."""
    keep, identity = _side_and_identity(actor, client_id, channel)
    _require_team_leader(actor)
    if not identity:
        # The actor may not see this client's name: there is nothing to compare by.
        return keep, []
    search = _Search("", identity["given_name"], identity["family_name"], keep.date_of_birth, keep.postcode)
    own_keys = set(m.MatchKey.objects.filter(client_id=keep.client_id).values_list("kind", "digest"))
    same_key = set(
        m.MatchKey.objects.filter(
            kind__in=[k for k, _d in own_keys], digest__in=[d for _k, d in own_keys], client__merged_into__isnull=True
        )
        .exclude(client_id=keep.client_id)
        .filter(
            client__engagements__organisation_id=actor.organisation_id,
            client__engagements__status__in=m.LIVE_ENGAGEMENT_STATUSES,
        )
        .values_list("client_id", "kind", "digest")
    )
    exact = {cid for cid, kind, digest in same_key if (kind, digest) in own_keys}
    ranked = [(cid, 100, True) for cid in sorted(exact)]
    fuzzy = _fuzzy(actor, search, exclude={keep.client_id, *exact})
    ranked += [(cid, score, False) for cid, score in sorted(fuzzy.items(), key=lambda item: (-item[1], str(item[0])))]
    found: list[OwnMatch] = []
    with transaction.atomic():
        for cid, score, is_exact in ranked:
            if len(found) == MAX_YOURS:
                break
            shown = _shown(actor, cid, score, is_exact, channel)
            if shown is not None:
                found.append(shown)
    return keep, found


def merge_preview(
    actor: StaffMember, keep_id: object, duplicate_id: object, *, channel: str = Channel.PAGE
) -> MergePreview:
    """Both records side by side (as the actor may see them) and what merging would move, set aside
    or refuse. NotFound unless the actor's organisation works with both; team leaders only."""
    keep = _side(actor, keep_id, channel)
    _require_team_leader(actor)
    duplicate = _side(actor, duplicate_id, channel)
    if duplicate.client_id == keep.client_id:
        raise NotFound("Choose another client: a record cannot be merged into itself.")
    plan = merge_plan(
        keep=selectors.client_for_action(actor=actor, client_id=keep.client_id, purpose=PURPOSE),
        duplicate=selectors.client_for_action(actor=actor, client_id=duplicate.client_id, purpose=PURPOSE),
        organisation_id=actor.organisation_id,
    )
    return MergePreview(keep, duplicate, plan, {spec.key: spec.label for spec in SECTIONS})


def merged_into_visible(actor: StaffMember, client_id: object) -> uuid.UUID | None:
    """Where a merged record now lives, if the actor may see that record; else None. For sending a
    bookmark of a merged record to the kept one."""
    try:
        key = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (ValueError, TypeError):
        return None
    target = m.Client.objects.filter(pk=key).values_list("merged_into_id", flat=True).first()
    seen: set[uuid.UUID] = set()
    while target is not None and target not in seen:
        seen.add(target)
        following = m.Client.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
        if following is None:
            break
        target = following
    if target is None:
        return None
    engaged = m.Engagement.objects.filter(
        client_id=target, organisation_id=actor.organisation_id, status__in=m.LIVE_ENGAGEMENT_STATUSES
    ).exists()
    return target if engaged else None
