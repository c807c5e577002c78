"""A client known to three organisations, for access-pack tests: the council registered them and
holds their contact notes, consent and a referral to the college; the college accepted it and
records their experience, and messages the council about them; a third organisation works with
them too; the college read their record (a ledger entry). Another client of the council must
never appear in their pack."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.clients.services import item_add, section_save
from ceangal.policy.selectors import client_record
from ceangal.referrals.models import Referral
from ceangal.referrals.services import message_send, referral_accept, referral_create
from ceangal.referrals.tests.world import World, make_world
from ceangal.rights import pack_services
from ceangal.rights.models import AccessPack, RightsRequest
from ceangal.rights.services import request_resume, request_verify_identity
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import Personas, make_client

CONTACT_NOTE = "Call after 3pm; her neighbour Jean Smith takes messages."
EXPERIENCE_TEXT = "Stocked shelves at the corner shop run by Mr Patel."
MESSAGE_BODY = "Morag's brother Ewan phoned us about her interview."
THIRD_ORG_TEXT = "Volunteered at the food bank twice a week."
OTHER_CLIENT_TEXT = "Another person entirely: never in Morag's pack."


@dataclass
class PackWorld:
    world: World
    client: cm.Client
    other: cm.Client
    referral: Referral


def make_pack_world(personas: Personas) -> PackWorld:
    world = make_world(personas, consent=["identity", "contact", "qualifications", "experience"])
    client = world.client
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"email": "morag@example.org", "contact_notes": CONTACT_NOTE},
        expected_version=None,
    )
    referral = referral_create(
        actor=personas.council_worker,
        client_id=client.pk,
        service_id=world.service.pk,
        reason="She wants to get back into retail work.",
        send=True,
    )
    referral_accept(actor=personas.college_worker, referral=referral)
    item_add(
        actor=personas.college_worker,
        client=client,
        section_key="experience",
        data={"kind": "employment", "role_title": "Shop assistant", "description": EXPERIENCE_TEXT},
    )
    message_send(
        actor=personas.college_worker, body=MESSAGE_BODY, to_organisation_id=personas.council.pk, client_id=client.pk
    )
    # A third organisation works with her: opened directly, as a referral would.
    cm.Engagement.objects.create(
        client=client, organisation=personas.outsider_org, status="active", started_on=timezone.localdate()
    )
    item_add(
        actor=personas.outsider,
        client=client,
        section_key="experience",
        data={"kind": "volunteering", "role_title": "Food bank helper", "description": THIRD_ORG_TEXT},
    )
    # The college reads her record: the decision writes it to the access ledger.
    client_record(actor=personas.college_worker, client_id=client.pk, purpose="support_coordination")
    other = make_client(personas.council_worker, given_name="Other", family_name="Person")
    section_save(
        actor=personas.council_worker,
        client=other,
        section_key="contact",
        data={"contact_notes": OTHER_CLIENT_TEXT},
        expected_version=None,
    )
    return PackWorld(world=world, client=client, other=other, referral=referral)


def ready_request(personas: Personas, client: cm.Client, *, kind: str = "access") -> RightsRequest:
    """A request of the client's, identity verified and in progress: ready for a pack."""
    request = log_request(personas.council_dpo, client.pk, kind=kind)
    request = request_verify_identity(actor=personas.council_dpo, request=request, method="known_to_key_worker")
    return request_resume(actor=personas.council_dpo, request=request)


def gathered_pack(personas: Personas, client_id: object, *, decided: bool = False) -> AccessPack:
    """A copy gathered for a new, verified access request of the client's (the task's work run
    here), with every flag decided to release when `decided`."""
    request = log_request(personas.council_worker, client_id)
    request = request_verify_identity(actor=personas.council_dpo, request=request, method="photo_id")
    request = request_resume(actor=personas.council_dpo, request=request)
    pack = pack_services.pack_generate(actor=personas.council_dpo, request=request)
    gathered = pack_services.pack_gather(pack.pk)
    assert gathered is not None
    for flag in gathered.flags.all() if decided else ():
        pack_services.flag_decide(actor=personas.council_dpo, flag=flag, decision="release", reason="Checked.")
    return gathered
