"""The notifications Ceangal sends, and the only words an email may carry.

An email leaves the partnership's systems: it can be forwarded, read over a shoulder, kept in a
mailbox for years. So a notification names no client, ever. Each kind has a subject and a body
template in templates/notifications/<kind>.subject.txt and <kind>.body.txt, and those templates
are rendered with nothing but the variables in ALLOWED_VARIABLES: the recipient's own name, the
partnership's and organisations' names, a count, a status word, the recipient's own training date
and a link to sign in. test_no_personal_details renders every template with a client's data in
its context and fails if any of it appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", _("You have a new referral")
    REFERRAL_WAITING = "referral_waiting", _("A referral is waiting for you")
    REFERRAL_OVERDUE_SENT = "referral_overdue_sent", _("A referral you sent has not been answered")
    REFERRAL_UPDATED = "referral_updated", _("A referral you sent has changed")
    NEW_MESSAGE = "new_message", _("You have a new secure message")
    FOLLOW_UPS_DUE = "follow_ups_due", _("Employment follow-ups are due")
    CONSENTS_TO_RENEW = "consents_to_renew", _("Consents to renew")
    TRAINING_DUE = "training_due", _("Your data-protection training is due")
    BREAK_GLASS_USED = "break_glass_used", _("Break-glass access was used")
    RIGHTS_REQUESTS_DUE = "rights_requests_due", _("Rights requests are due or overdue")
    RECIPIENT_NOTICE = "recipient_notice", _("Information you received was corrected, erased or restricted")


@dataclass(frozen=True)
class KindInfo:
    description: str
    # A kind that is part of how the partnership stays lawful (the DPO's review of break-glass,
    # training that keeps records visible) cannot be switched off.
    optional: bool = True


KIND_INFO: dict[NotificationKind, KindInfo] = {
    NotificationKind.NEW_REFERRAL: KindInfo(
        "When another partner sends a referral to your organisation's service (team leaders and key workers)."
    ),
    NotificationKind.REFERRAL_WAITING: KindInfo(
        "When a referral to your organisation has waited past its answer deadline (team leaders)."
    ),
    NotificationKind.REFERRAL_OVERDUE_SENT: KindInfo("When a referral you sent has not been answered by its deadline."),
    NotificationKind.REFERRAL_UPDATED: KindInfo(
        "When a referral you sent is accepted, declined, completed or needs more information."
    ),
    NotificationKind.NEW_MESSAGE: KindInfo("When a partner sends you a secure message about a referral."),
    NotificationKind.FOLLOW_UPS_DUE: KindInfo("A daily count of your clients' employment follow-ups that are due."),
    NotificationKind.CONSENTS_TO_RENEW: KindInfo("A daily count of your clients' consents that end within 30 days."),
    NotificationKind.TRAINING_DUE: KindInfo(
        "When your data-protection training is about to run out. Always sent: without it Ceangal stops "
        "showing you client records.",
        optional=False,
    ),
    NotificationKind.BREAK_GLASS_USED: KindInfo(
        "To data protection officers, when someone uses break-glass access. Always sent: the DPO must review it.",
        optional=False,
    ),
    NotificationKind.RIGHTS_REQUESTS_DUE: KindInfo(
        "To data protection officers, a daily count of rights requests overdue or due within 7 days. Always "
        "sent: the answers are due by law.",
        optional=False,
    ),
    NotificationKind.RECIPIENT_NOTICE: KindInfo(
        "When a client's information your organisation received is corrected, erased or restricted, so you can "
        "update your own copies (team leaders, or key workers where there are none). Always sent: the law "
        "requires recipients to be told.",
        optional=False,
    ),
}

# Every variable a notification template may use. Anything else passed to notify() is refused.
# Set by notify() itself for every recipient:
RECIPIENT_VARIABLES = frozenset({"recipient_name", "partnership_name", "organisation_name", "sign_in_url"})
# Given by the caller:
CALLER_VARIABLES = frozenset({"count", "status", "from_organisation", "to_organisation", "training_when"})
ALLOWED_VARIABLES = RECIPIENT_VARIABLES | CALLER_VARIABLES

# The words a referral's status may be called by in an email: nothing about the client.
STATUS_WORDS = frozenset(
    {"draft", "sent", "accepted", "declined", "more information requested", "withdrawn", "completed", "started"}
)

TEMPLATE_DIR = "notifications"


def subject_template(kind: str) -> str:
    return f"{TEMPLATE_DIR}/{kind}.subject.txt"


def body_template(kind: str) -> str:
    return f"{TEMPLATE_DIR}/{kind}.body.txt"
