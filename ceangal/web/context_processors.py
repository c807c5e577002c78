from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def staff(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    member = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    return {"staff_member": member, "partnership_name": settings.CEANGAL_PARTNERSHIP_NAME}
