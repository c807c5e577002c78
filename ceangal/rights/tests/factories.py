"""Rights requests for tests: logged through the service, with their dates moved where a test
needs the clock to have run (the services stamp today's date on every step)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ceangal.partners.models import StaffMember
from ceangal.rights.models import RightsRequest, RightsRequestEvent
from ceangal.rights.services import request_log, request_verify_identity
from ceangal.testing.factories import Personas


def log_request(
    actor: StaffMember,
    client_id: object,
    *,
    kind: str = "access",
    channel: str = "letter",
    received_on: dt.date | None = None,
    details: str = "Please send me a copy of everything you hold about me.",
) -> RightsRequest:
    return request_log(
        actor=actor,
        client=str(client_id),
        kind=kind,
        channel=channel,
        received_on=received_on or timezone.localdate(),
        details=details,
    )


def backdate_events(request: RightsRequest, **on_by_kind: dt.date) -> None:
    """Move the day of each named event (its kind) to the given date."""
    for kind, on in on_by_kind.items():
        RightsRequestEvent.objects.filter(request=request, kind=kind).update(on=on)


def received_request(personas: Personas, client_id: object, *, kind: str = "access") -> RightsRequest:
    """A request the council's key worker logged today, waiting for the DPO."""
    return log_request(personas.council_worker, client_id, kind=kind)


def verified_request(personas: Personas, client_id: object) -> RightsRequest:
    """A request whose client's identity the council's DPO has verified: ready to start."""
    request = received_request(personas, client_id)
    return request_verify_identity(actor=personas.council_dpo, request=request, method="known_to_key_worker")
