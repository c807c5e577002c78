"""The one door for the data subject's own reads: what a signed-in client sees about themselves.

A client reading their own record is not a disclosure to a partner, so there is no decision over
agreements or consent here; what matters is that the client id comes only from the portal
session (ceangal.portal.access.client_page) and that each function returns that client's data and
nobody else's. Later portal pages (what is held, who saw it, consents) add their reads here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ceangal.clients import models as m
from ceangal.errors import NotFound


@dataclass(frozen=True)
class SubjectHome:
    reference: str
    organisations: list[str]


def _subject(client_id: uuid.UUID) -> m.Client:
    client = m.Client.objects.filter(pk=client_id, merged_into__isnull=True).first()
    if client is None:
        raise NotFound("No such client.")
    return client


def subject_home(client_id: uuid.UUID) -> SubjectHome:
    """The client's reference and the organisations working with them now."""
    client = _subject(client_id)
    names = (
        m.Engagement.objects.filter(client=client, status__in=m.LIVE_ENGAGEMENT_STATUSES)
        .values_list("organisation__name", flat=True)
        .order_by("organisation__name")
        .distinct()
    )
    return SubjectHome(reference=client.reference, organisations=list(names))
