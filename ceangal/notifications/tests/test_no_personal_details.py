"""No notification template can carry a client's details, whatever its context holds.

Every template is rendered, with a context that holds the allowed variables AND a client's data
under every name a template might reach for. The templates are found both from the registry and
by listing the template directory, so a template added without a kind (or a kind without
templates) fails here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string

from ceangal.notifications.kinds import KIND_INFO, NotificationKind, body_template, subject_template
from ceangal.notifications.services import render_notification

TEMPLATE_DIR = Path(settings.BASE_DIR) / "ceangal" / "templates" / "notifications"

CLIENT = {
    "given_name": "Morag",
    "family_name": "Macphersonova",
    "date_of_birth": "1994-07-13",
    "ni_number": "QQ123456C",
    "postcode": "KY1 9ZZ",
    "email": "morag.macphersonova@example.org",
    "phone": "07700 900982",
    "support_need": "Needs help with literacy-zxq",
    "health_condition": "Epilepsy-wvk controlled by medication",
    "reference": "CGL-7Q4Z-2KXW",
}
# The strings that must never appear; the date is also checked as a person would write it.
SECRETS = [*CLIENT.values(), "13 July 1994", "13/07/1994"]

ALLOWED = {
    "recipient_name": "Kirsty Worker",
    "partnership_name": "Fife Employability Partnership",
    "organisation_name": "Fife Council Employability",
    "from_organisation": "Fife College",
    "to_organisation": "Fife Council Employability",
    "count": 3,
    "status": "accepted",
    "training_when": "expires on 3 March 2027",
    "sign_in_url": "https://ceangal.example.org/accounts/login/?next=/referrals/1/",
}


def _context() -> dict[str, object]:
    client = dict(CLIENT)
    context: dict[str, object] = {**ALLOWED, **client}
    # The same data under the names a careless template (or caller) might use.
    context.update(
        client=client,
        referral={"client": client, "packet": client, "notes": CLIENT["support_need"]},
        packet=client,
        person=client,
        name=f"{CLIENT['given_name']} {CLIENT['family_name']}",
        client_name=f"{CLIENT['given_name']} {CLIENT['family_name']}",
        message=CLIENT["health_condition"],
        note=CLIENT["support_need"],
    )
    return context


def _templates_on_disk() -> set[str]:
    return {f"notifications/{p.name}" for p in TEMPLATE_DIR.iterdir() if p.is_file()}


def _registered_templates() -> set[str]:
    return {t for kind in NotificationKind for t in (subject_template(kind), body_template(kind))}


def test_every_kind_has_a_description_and_both_templates() -> None:
    assert set(KIND_INFO) == set(NotificationKind)
    missing = _registered_templates() - _templates_on_disk()
    assert not missing, f"kinds without templates: {sorted(missing)}"


def test_every_template_on_disk_belongs_to_a_kind() -> None:
    strays = _templates_on_disk() - _registered_templates()
    assert not strays, f"templates that belong to no NotificationKind (add the kind, or remove them): {strays}"


@pytest.mark.parametrize("template", sorted(_templates_on_disk() | _registered_templates()))
def test_no_template_shows_client_data_even_when_its_context_holds_it(template: str) -> None:
    rendered = render_to_string(template, _context())
    assert rendered.strip(), f"{template} rendered nothing"
    assert not _leaks(rendered), f"{template} shows {_leaks(rendered)}"


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_renders_a_one_line_subject_and_a_body_with_the_sign_in_link(kind: NotificationKind) -> None:
    subject, body = render_notification(kind, _context())
    assert subject.startswith("Ceangal: ")
    assert "\n" not in subject
    assert str(ALLOWED["sign_in_url"]) in body
    assert "{{" not in body
    assert "{%" not in body
    assert not _leaks(subject + body)


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def test_the_check_catches_a_template_that_reaches_for_the_client() -> None:
    """The check above can fail: a template that uses the client's data is caught."""
    leaky = Template("A referral for {{ client.given_name }}, born {{ date_of_birth }}")
    assert _leaks(leaky.render(Context(_context()))) == [CLIENT["given_name"], CLIENT["date_of_birth"]]
