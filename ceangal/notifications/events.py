"""The webhook events partner systems may subscribe to: a registry other apps extend.

An app that emits a new event registers it here (at import of its own module, or in its
AppConfig.ready) so that subscriptions can choose it and the pages and API list it.
"""

from __future__ import annotations

# A test event any subscription receives on demand ("send a test ping"); nobody subscribes to it.
PING = "ping"

_EVENTS: dict[str, str] = {
    "referral.created": "A referral was sent to your organisation.",
    "referral.accepted": "A referral your organisation sent was accepted.",
    "referral.declined": "A referral your organisation sent was declined.",
    "consent.withdrawn": "A client withdrew consent to share with your organisation.",
}


def register_event(name: str, description: str) -> None:
    """Make `name` (lower case, dotted: noun.verb) available to subscriptions."""
    if not name or name != name.lower() or "." not in name or " " in name:
        raise ValueError(f"An event name is lower case and dotted, like referral.created, not {name!r}.")
    _EVENTS[name] = description


def webhook_events() -> dict[str, str]:
    """Every event one may subscribe to, with what it means, in name order."""
    return dict(sorted(_EVENTS.items()))
