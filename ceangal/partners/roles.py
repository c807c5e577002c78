"""Staff roles and the clearance each carries over data sensitivities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.reference.categories import Sensitivity


class Role(models.TextChoices):
    KEY_WORKER = "key_worker", _("Key worker")
    TEAM_LEADER = "team_leader", _("Team leader")
    DPO = "dpo", _("Partnership data protection officer")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")


_S = Sensitivity
ROLE_CLEARANCE: dict[Role, frozenset[Sensitivity]] = {
    # Key workers need health and equality information to support someone; conviction details
    # are for team leaders, who decide with the key worker when they are relevant to a job.
    Role.KEY_WORKER: frozenset({_S.STANDARD, _S.SENSITIVE, _S.SPECIAL_CATEGORY}),
    Role.TEAM_LEADER: frozenset({_S.STANDARD, _S.SENSITIVE, _S.SPECIAL_CATEGORY, _S.CRIMINAL_OFFENCE}),
    # The DPO answers subject access and rectification requests, which span every category.
    Role.DPO: frozenset({_S.STANDARD, _S.SENSITIVE, _S.SPECIAL_CATEGORY, _S.CRIMINAL_OFFENCE}),
    # Set-up work (staff, services, keys) needs no client data beyond who a client is.
    Role.ORG_ADMIN: frozenset({_S.STANDARD}),
    # Analysts work on anonymised, disclosure-controlled figures, never on records.
    Role.ANALYST: frozenset(),
    Role.AUDITOR: frozenset({_S.STANDARD, _S.SENSITIVE}),
}

# Roles that hold a caseload and so may register clients and edit their records.
CASEWORK_ROLES: frozenset[Role] = frozenset({Role.KEY_WORKER, Role.TEAM_LEADER})


def clearance_for(role: Role | str) -> frozenset[Sensitivity]:
    return ROLE_CLEARANCE[Role(role)]
