from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from ceangal.web.access import can_change_records, staff_member_for


def staff(request: HttpRequest) -> dict[str, object]:
    """The signed-in staff member for the page header, and whether to offer changes to records."""
    member = staff_member_for(request)
    partnership = member.organisation.partnership.name if member is not None else settings.CEANGAL_PARTNERSHIP_NAME
    return {
        "staff_member": member,
        "partnership_name": partnership,
        "can_change_records": can_change_records(member),
    }
