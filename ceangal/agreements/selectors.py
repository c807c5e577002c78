"""Reads of agreements and notices: partnership documents, not client data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from ceangal.agreements.models import (
    AgreementParty,
    AgreementPurpose,
    AgreementStatus,
    AgreementVersion,
    NoticeStatus,
    PrivacyNotice,
)
from ceangal.partners.models import StaffMember

REVIEW_SOON = dt.timedelta(days=30)
ENDING_SOON = dt.timedelta(days=60)


def agreement_versions(*, actor: StaffMember) -> QuerySet[AgreementVersion]:
    """Every version of every agreement of the actor's partnership, with parties and purposes."""
    return (
        AgreementVersion.objects.filter(agreement__partnership_id=actor.organisation.partnership_id)
        .select_related("agreement", "created_by__user")
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation", "signed_by__user")),
            Prefetch("purposes", queryset=AgreementPurpose.objects.all()),
        )
        .order_by("agreement__reference", "-number")
    )


def agreement_version(*, actor: StaffMember, version_id: int) -> AgreementVersion | None:
    return agreement_versions(actor=actor).filter(pk=version_id).first()


@dataclass(frozen=True)
class AgreementAlerts:
    review_due: list[AgreementVersion]
    ending_soon: list[AgreementVersion]
    awaiting_signature: list[AgreementVersion]


def agreement_alerts(*, actor: StaffMember, today: dt.date) -> AgreementAlerts:
    """For the DPO's dashboard: live agreements due for review or ending soon, drafts to sign."""
    versions = agreement_versions(actor=actor)
    live = versions.filter(status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED])
    return AgreementAlerts(
        review_due=list(live.filter(review_on__lte=today + REVIEW_SOON)),
        ending_soon=list(live.filter(ends_on__isnull=False, ends_on__lte=today + ENDING_SOON)),
        awaiting_signature=list(
            versions.filter(
                status=AgreementStatus.DRAFT,
                parties__organisation_id=actor.organisation_id,
                parties__signed_at__isnull=True,
            )
        ),
    )


def notices(*, actor: StaffMember) -> QuerySet[PrivacyNotice]:
    return PrivacyNotice.objects.filter(partnership_id=actor.organisation.partnership_id).prefetch_related(
        "recipients", "controllers"
    )


def published_notice(*, actor: StaffMember) -> PrivacyNotice | None:
    """The newest published notice: what a key worker records consent against."""
    return notices(actor=actor).filter(status=NoticeStatus.PUBLISHED).order_by("-version").first()
