"""What referrals do when other apps' facts change: a client's consent withdrawal withdraws the
pending referrals it leaves without consent (and partner systems hear of the withdrawal); a merge
of duplicate clients moves the duplicate's referrals and messages to the kept record; an erasure
deletes the referrals and messages between organisations whose data goes (with their free text
and timelines), keeping those an exempt organisation sent or received."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients.signals import client_erased, client_erasure_planned, client_merged
from ceangal.consent.signals import consent_withdrawn
from ceangal.partners.models import Organisation
from ceangal.policy.facts import client_engagements, consent_facts
from ceangal.policy.purposes import Purpose
from ceangal.referrals import hooks
from ceangal.referrals.models import PENDING, Message, Referral, ReferralEvent, ReferralStatus


def _still_consented(client_id: Any, organisation: Organisation) -> bool:
    """Whether any live consent row still lets this organisation have data for a referral."""
    now = timezone.now()
    engaged = client_engagements(client_id)
    for consent in consent_facts(client_id):
        for scope in consent.live_scopes(now, engaged):
            recipient = scope.recipient_organisation_id == organisation.pk or (
                scope.recipient_organisation_id is None and scope.recipient_type == organisation.org_type
            )
            if recipient and scope.purpose == Purpose.REFERRAL:
                return True
    return False


@receiver(consent_withdrawn, dispatch_uid="referrals.consent_withdrawn")
def on_consent_withdrawn(sender: object, *, record: Any, scopes: Any, **kwargs: Any) -> None:
    from ceangal.referrals.services import referral_withdraw

    named_ids = {s.recipient_organisation_id for s in scopes if s.recipient_organisation_id}
    named_types = {s.recipient_type for s in scopes if not s.recipient_organisation_id and s.recipient_type}
    waiting = Referral.objects.filter(
        client_id=record.client_id, status__in=[ReferralStatus.DRAFT, *PENDING]
    ).select_related("to_organisation")
    for referral in waiting:
        target = referral.to_organisation
        if target.pk not in named_ids and target.org_type not in named_types:
            continue
        if _still_consented(record.client_id, target):
            continue
        referral_withdraw(
            actor=None, referral=referral, reason="The client withdrew their consent to share with this partner."
        )
    if named_types:
        named_ids |= set(Organisation.objects.filter(org_type__in=named_types).values_list("pk", flat=True))
    hooks.consent_withdrawn(client_id=record.client_id, organisation_ids=named_ids, recorded_by=record.organisation_id)


@receiver(client_merged, dispatch_uid="referrals.client_merged")
def on_client_merged(sender: object, *, keep: Any, duplicate: Any, actor: Any, **kwargs: Any) -> None:
    referrals = Referral.objects.filter(client=duplicate).update(client=keep)
    messages = Message.objects.filter(client=duplicate).update(client=keep)
    if referrals or messages:
        audit_record(
            actor_user_id=actor.user_id if actor else None,
            organisation_id=actor.organisation_id if actor else None,
            action="referrals.moved_on_merge",
            object_type="client",
            object_id=keep.pk,
            client_id=keep.pk,
            detail={"from_client": str(duplicate.pk), "referrals": referrals, "messages": messages},
        )


def _between(rows: QuerySet[Any], organisation_ids: set[int] | None) -> QuerySet[Any]:
    if organisation_ids is None:
        return rows
    return rows.filter(Q(from_organisation_id__in=organisation_ids) & Q(to_organisation_id__in=organisation_ids))


def _erasable(client: Any, organisation_ids: set[int] | None) -> tuple[QuerySet[Referral], QuerySet[Message]]:
    referrals = _between(Referral.objects.filter(client=client), organisation_ids)
    # A message about a referral that goes, goes with it, whoever sent it.
    messages = Message.objects.filter(client=client).filter(
        Q(pk__in=_between(Message.objects.filter(client=client), organisation_ids).values("pk"))
        | Q(referral__in=referrals.values("pk"))
    )
    return referrals, messages


def _erasure_counts(client: Any, organisation_ids: set[int] | None) -> list[tuple[int, str, int]]:
    referrals, messages = _erasable(client, organisation_ids)
    lines: list[tuple[int, str, int]] = []
    for org, n in _count_by_sender(referrals).items():
        lines.append((org, "referrals", n))
    for org, n in _count_by_sender(messages).items():
        lines.append((org, "messages", n))
    return lines


def _count_by_sender(rows: QuerySet[Any]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for org in rows.values_list("from_organisation_id", flat=True):
        counts[org] = counts.get(org, 0) + 1
    return counts


@receiver(client_erasure_planned, dispatch_uid="referrals.client_erasure_planned")
def on_erasure_planned(
    sender: object, *, client: Any, organisation_ids: set[int] | None, **kwargs: Any
) -> list[tuple[int, str, int]]:
    return _erasure_counts(client, organisation_ids)


@receiver(client_erased, dispatch_uid="referrals.client_erased")
def on_client_erased(
    sender: object, *, client: Any, organisation_ids: set[int] | None, **kwargs: Any
) -> list[tuple[int, str, int]]:
    lines = _erasure_counts(client, organisation_ids)
    referrals, messages = _erasable(client, organisation_ids)
    referral_ids = list(referrals.values_list("pk", flat=True))
    Message.objects.filter(pk__in=list(messages.values_list("pk", flat=True))).delete()
    ReferralEvent.objects.filter(referral_id__in=referral_ids).delete()
    Referral.objects.filter(pk__in=referral_ids).delete()
    return lines
