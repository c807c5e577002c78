"""Break-glass: opening a client's record without consent, for vital interests or safeguarding.

The grant is narrow (one client, the categories chosen), expires after a few hours, needs a
reason, tells the DPOs at once (an email with no client details) and waits in their review queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as cm
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role, clearance_for
from ceangal.policy.models import BreakGlassGrant, BreakGlassGround, ReviewOutcome
from ceangal.reference.categories import DataCategory, sensitivity_of

MINIMUM_REASON = 20


def break_glass_hours() -> int:
    return int(getattr(settings, "CEANGAL_BREAK_GLASS_HOURS", 4))


def break_glass_open(
    *, actor: StaffMember, client_id: object, categories: Sequence[str], ground: str, reason: str
) -> BreakGlassGrant:
    if not actor.active or actor.role not in CASEWORK_ROLES or not actor.training_current(timezone.localdate()):
        raise NotPermitted("Only an active, trained key worker or team leader can use break-glass access.")
    # Only a client of the actor's own partnership: another partnership's client is answered
    # exactly as an unknown one, so break-glass cannot be used to learn who exists elsewhere.
    client = cm.Client.objects.filter(
        pk=str(client_id), registered_by__partnership_id=actor.organisation.partnership_id
    ).first()
    if client is None:
        raise NotFound("No such client.")
    errors: dict[str, list[str]] = {}
    chosen = list(dict.fromkeys(categories))
    unknown = [c for c in chosen if c not in DataCategory.values]
    if not chosen or unknown:
        errors["categories"] = ["Choose only the kinds of information you need to act now."]
    else:
        cleared = clearance_for(actor.role)
        beyond = [DataCategory(c).label for c in chosen if sensitivity_of(c) not in cleared]
        if beyond:
            errors["categories"] = [f"Your role is not cleared for: {', '.join(str(b) for b in beyond)}."]
    if ground not in BreakGlassGround.values:
        errors["ground"] = ["Choose vital interests or safeguarding."]
    if len(reason.strip()) < MINIMUM_REASON:
        errors["reason"] = [f"Explain the emergency in at least {MINIMUM_REASON} characters; the DPO will review it."]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            staff=actor,
            client=client,
            categories=sorted(chosen),
            ground=ground,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + dt.timedelta(hours=break_glass_hours()),
        )
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="break_glass.opened",
            object_type="policy.breakglassgrant",
            object_id=grant.pk,
            client_id=client.pk,
            detail={"categories": sorted(chosen), "ground": ground},
        )
        # notify() sends after commit, naming no client: only a link to the DPO's review queue.
        notify(
            NotificationKind.BREAK_GLASS_USED,
            staff=StaffMember.objects.filter(
                organisation__partnership_id=actor.organisation.partnership_id, role=Role.DPO, active=True
            ).select_related("user", "organisation__partnership"),
            link_path=reverse("web:dpo_break_glass_queue"),
        )
    return grant


def break_glass_review(*, actor: StaffMember, grant: BreakGlassGrant, outcome: str, note: str) -> BreakGlassGrant:
    if actor.role != Role.DPO or not actor.active:
        raise NotPermitted("Only a data protection officer reviews break-glass access.")
    if grant.staff.organisation.partnership_id != actor.organisation.partnership_id:
        raise NotFound("No such grant.")
    errors: dict[str, list[str]] = {}
    if grant.reviewed_at is not None:
        errors["outcome"] = ["This grant has already been reviewed."]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = ["Choose justified or not justified."]
    if not note.strip():
        errors["review_note"] = ["Record what you found."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        grant.reviewed_by = actor
        grant.reviewed_at = timezone.now()
        grant.review_outcome = outcome
        grant.review_note = note.strip()
        # A grant found unjustified ends at once if it is still running.
        if outcome == ReviewOutcome.NOT_JUSTIFIED and grant.expires_at > grant.reviewed_at:
            grant.expires_at = grant.reviewed_at
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note", "expires_at"])
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="break_glass.reviewed",
            object_type="policy.breakglassgrant",
            object_id=grant.pk,
            client_id=grant.client_id,
            detail={"outcome": outcome},
        )
    return grant
