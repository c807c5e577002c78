from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest

from ceangal.partners.models import StaffMember
from ceangal.referrals import selectors as referral_selectors
from ceangal.web.access import can_change_records, staff_member_for


def staff(request: HttpRequest) -> dict[str, object]:
    """The signed-in staff member for the page header, and whether to offer changes to records."""
    member = staff_member_for(request)
    partnership = member.organisation.partnership.name if member is not None else settings.CEANGAL_PARTNERSHIP_NAME
    return {
        "staff_member": member,
        "partnership_name": partnership,
        "can_change_records": can_change_records(member),
        **_casework_counts(member),
    }


def _casework_counts(member: StaffMember | None) -> dict[str, object]:
    """What waits for the organisation, for the header: referrals to answer and unread messages.
    Templates call these when they draw the header, so a page that does not runs no query; each
    runs its one COUNT query at most once per request."""
    if member is None or not can_change_records(member):
        return {}
    return {
        "referrals_waiting": functools.cache(lambda: referral_selectors.waiting_count(member)),
        "messages_unread": functools.cache(lambda: referral_selectors.unread_count(member)),
    }
