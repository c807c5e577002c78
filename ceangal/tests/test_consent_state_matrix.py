"""The generated matrix of issue 3: every page and API operation that can show a client's data, for
every state a reader can be in. The data lives in ceangal/tests/matrix/.

The world (matrix/world.py): the council registers a client whose given name is a distinctive word,
records a health condition with a secret detail and uploads a document with a secret in its file
name and content. The reader is at the college unless the state says otherwise; the council and the
college share under an active agreement. Each STATE sets up the reader's situation (anonymous,
outsider, engaged without consent, consented, consented but not cleared for health, consent
withdrawn, consent refused, consent expired, a referral waiting with the college, break-glass)
and names the categories of the council's data the reader may see. Each VIEW (matrix/views.py)
names the categories whose secret it can show, the category its item is about and its kind,
which says how it answers each state (`expected_status`).

Every cell (state x view) checks:

- the status code;
- each secret appears exactly when the view can show its category and the state permits it (and
  no view shows a secret of a category it is not about);
- a hidden item is never silent: where a view about an item does not show it, the reason does;
- a search by the client's name finds them only for a reader who may see their name;
- the access ledger: one entry for the reader per category shown, none where nothing was shown.

A check that fails for a reason whose fix belongs in ceangal/policy is listed in POLICY_GAPS with
the reason: the cell still runs its other checks and is then reported as xfail. The gaps are
strict: once one no longer happens, the cell fails until the gap is removed from the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import FileResponse
from django.test import Client

from ceangal.clients import models as cm
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.models import StaffMember
from ceangal.testing.factories import make_personas
from ceangal.tests.matrix.views import POLICY_GAPS, VIEWS, View, expected_status
from ceangal.tests.matrix.world import IDENTITY, REASONS, SECRETS, STATES, State, World, build_world

pytestmark = pytest.mark.django_db


def _ledger(reader: StaffMember | None) -> list[list[str]]:
    if reader is None:
        return []
    return [list(e.categories) for e in LedgerEntry.objects.filter(actor_staff_id=reader.pk).order_by("pk")]


def _body(response: Any) -> str:
    if isinstance(response, FileResponse):
        content = b"".join(response.streaming_content)  # type: ignore[arg-type]
        return content.decode() + response.get("Content-Disposition", "")
    return str(response.content.decode())


def _path(view: View, w: World) -> str:
    return view.path.format(
        id=w.client.pk,
        health=w.health_id,
        document=w.document_id,
        consent=w.consent_id,
        engagement=w.engagement_id,
        name=SECRETS[IDENTITY],
    )


@pytest.fixture(scope="module")
def worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, World]]:
    """One world per state, built once for all the views and rolled back at the end; each cell runs
    in its own savepoint, so what a request writes (the ledger) is undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {}
        for state in STATES:
            w = build_world(make_personas())
            w.reader = state.setup(w)
            engagements = cm.Engagement.objects.filter(client=w.client)
            own = engagements.filter(organisation=w.reader.organisation).first() if w.reader else None
            w.engagement_id = (own or engagements.get()).pk  # else the council's
            built[state.name] = w
        yield built
        transaction.set_rollback(True)


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
@pytest.mark.parametrize("state", STATES, ids=[s.name for s in STATES])
def test_matrix(worlds: dict[str, World], state: State, view: View) -> None:
    w = worlds[state.name]
    reader = w.reader
    browser = Client()
    if reader is not None:
        browser.force_login(reader.user)
    before = len(_ledger(reader))

    if view.method == "get":
        response = browser.get(_path(view, w))
    else:
        response = getattr(browser, view.method)(_path(view, w), view.data, content_type="application/json")

    gaps = POLICY_GAPS.get((state.name, view.name), {})
    hit: list[str] = []

    def check(kind: str, ok: bool, detail: object) -> None:
        if kind not in gaps:
            assert ok, detail
        elif ok:
            pytest.fail(f"The {kind} gap is fixed: remove ({state.name!r}, {view.name!r}) from POLICY_GAPS.")
        else:
            hit.append(gaps[kind])

    body = _body(response)
    expected = expected_status(view, state)
    hidden = bool(view.about) and view.about not in state.sees and expected in (200, 403)
    silent = hidden and not any(words in body for words in REASONS)
    # A hidden item is never silent: the reason is on the page or in the response.
    check("denial", response.status_code == expected and not silent, (response.status_code, expected, body[:3000]))
    shown = {c for c in view.shows if c in state.sees} if expected == 200 else set()
    for category, secret in SECRETS.items():
        if view.finds_by_name and category == IDENTITY:
            continue  # the page repeats what was searched for
        assert (secret in body) is (category in shown), f"{category} shown: {secret in body}"
    if view.finds_by_name and expected == 200:
        # A search by name finds the client only for a reader who may see their name.
        check("found", (w.client.reference in body) is (IDENTITY in state.sees and state.engaged), body[:3000])
    # The ledger: one entry per category shown, in one disclosure; nothing when nothing was shown.
    entries = _ledger(reader)[before:]
    recorded = {c: sum(c in categories for categories in entries) for c in SECRETS}
    check("ledger", recorded == {c: int(c in shown) for c in SECRETS}, (shown, entries))
    if hit:
        pytest.xfail("; ".join(hit))
