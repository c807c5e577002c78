"""Daily referral housekeeping: escalate referrals unanswered past their working-day deadline."""

from __future__ import annotations

from django.tasks import task

from ceangal.referrals.services import referrals_escalate


@task()
def escalate_unanswered_referrals() -> int:
    return referrals_escalate()
