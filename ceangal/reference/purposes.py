"""Why data is used. Each purpose carries its W3C DPV term where one exists."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    SUPPORT_COORDINATION = "support_coordination", _("Coordinating the client's support")
    REFERRAL = "referral", _("Referral to another service")
    PROGRESS_MONITORING = "progress_monitoring", _("Monitoring progress and reporting to funders")
    EVALUATION = "evaluation", _("Evaluating services")
    PROMOTION = "promotion", _("Telling the client about training and opportunities")
    SAFEGUARDING = "safeguarding", _("Safeguarding")


DPV_TERM: dict[Purpose, str] = {
    Purpose.SUPPORT_COORDINATION: "dpv:ServiceProvision",
    Purpose.REFERRAL: "dpv:ServiceProvision",
    Purpose.PROGRESS_MONITORING: "dpv:ProvideOfficialStatistics",
    Purpose.EVALUATION: "dpv:ImprovePublicServices",
    Purpose.PROMOTION: "dpv:CommunicationManagement",
    Purpose.SAFEGUARDING: "dpv:LegalCompliance",
}
