"""What referrals do when other apps' facts change: a client's consent withdrawal withdraws the
pending referrals it leaves without consent (and partner systems hear of the withdrawal); a merge
of duplicate clients moves the duplicate's referrals and messages to the kept record."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients.signals import client_merged
from ceangal.consent.signals import consent_withdrawn
from ceangal.partners.models import Organisation
from ceangal.policy.facts import client_engagements, consent_facts
from ceangal.policy.purposes import Purpose
from ceangal.referrals import hooks
from ceangal.referrals.models import PENDING, Message, Referral, ReferralStatus


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
