"""The generated matrix of issue 3: every page and API operation that can show a client's data, for
every state a reader can be in.

The world: the council registers a client (given name NAME, a distinctive word) and records a
health condition (details HEALTH) and uploads a document (file name and content DOC). The reader is
at the college unless the state says otherwise; the college and the council share under an active
agreement. Each STATE sets up the reader's situation and names the categories the reader may see;
each VIEW names the categories whose secret it could show and how it answers a reader it turns
away. Every cell checks:

- the status code, by the view's kind (see `_status`);
- each secret appears exactly when the view can show its category and the state permits it (and
  no view shows a secret of a category it is not about);
- a hidden item is never silent: where a view about an item does not show it, the reason does;
- the access ledger: one entry for the reader per category shown, none where nothing was shown.

A cell that fails for a reason whose fix belongs in ceangal/policy is marked xfail(strict) in
POLICY_GAPS, with the reason; it turns into a failure the moment the fix lands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import FileResponse
from django.test import Client
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.clients.services import document_upload, engagement_open, item_add
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice, make_personas, make_staff

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
HEALTH, IDENTITY, DOCUMENTS = "health", "identity", "documents"
SECRETS = {
    HEALTH: "SYNTHETIC-HEALTH-DETAIL-7731",
    IDENTITY: "Zebedina",  # the client's given name
    DOCUMENTS: "SYNTHETIC-DOC-5519",  # in the file's name and its content
}
# What a page or response says when it keeps something back.
REASONS = (
    "not agreed",
    "not cleared",
    "not shared",
    "no information sharing",
    "not working with this client",
    "ask them to correct it",
)


# --- The world --------------------------------------------------------------------------------


@dataclass
class World:
    p: Personas
    client: cm.Client
    health_id: int = 0
    document_id: int = 0
    consent_id: uuid.UUID | None = None
    reader: StaffMember | None = None
    engagement_id: int = 0


def _world(p: Personas) -> World:
    make_agreement([p.council_dpo, p.college_dpo])
    client = make_client(p.council_worker, given_name=SECRETS[IDENTITY])
    health = item_add(
        actor=p.council_worker,
        client=client,
        section_key=HEALTH,
        data={"condition_type": "MENTAL", "limitation": "LITTLE", "details": SECRETS[HEALTH]},
    )
    document = document_upload(
        actor=p.council_worker,
        client=client,
        title="Letter from the GP",
        kind="letter",
        upload=SimpleUploadedFile(
            f"fit-note-{SECRETS[DOCUMENTS]}.txt", f"Fit note. {SECRETS[DOCUMENTS]}\n".encode(), "text/plain"
        ),
    )
    # A consent every state has (for contact details, which the client has none of), so that the
    # receipt pages have a record to show in every state.
    baseline = _consent(p, client, ["contact"])
    return World(p, client, health.pk, document.pk, baseline.pk)


def _consent(p: Personas, client: cm.Client, categories: list[str]) -> ConsentRecord:
    return consent_give(
        actor=p.council_worker,
        client=client,
        notice=make_notice(p.council_dpo),
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=90),
        scopes=[ScopeChoice(PURPOSE, category, p.college) for category in categories],
    )


# --- The states: who reads, and what they may see ---------------------------------------------


@dataclass(frozen=True)
class State:
    name: str
    setup: Callable[[World], StaffMember | None]
    sees: frozenset[str] = frozenset()  # the categories of the council's data the reader may see
    engaged: bool = True  # the reader's organisation works with the client
    signed_in: bool = True
    casework: bool = True  # a key worker or team leader
    uncleared: frozenset[str] = frozenset()  # categories the reader's role is not cleared for
    break_glass: frozenset[str] = frozenset()


def _engaged(w: World) -> StaffMember:
    engagement_open(actor=w.p.college_worker, client=w.client)
    return w.p.college_worker


def _consented(w: World) -> StaffMember:
    _consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS])
    return _engaged(w)


def _low_clearance(w: World) -> StaffMember:
    _consented(w)
    return make_staff(w.p.college, Role.AUDITOR)  # cleared for standard and sensitive, not health


def _withdrawn(w: World) -> StaffMember:
    consent_withdraw(record=_consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS]), by_client=True)
    return _engaged(w)


def _expired(w: World) -> StaffMember:
    record = _consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS])
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    return _engaged(w)


def _break_glass(w: World) -> StaffMember:
    break_glass_open(
        actor=w.p.college_worker,
        client_id=w.client.pk,
        categories=[HEALTH, DOCUMENTS],
        ground="safeguarding",
        reason="Risk of harm disclosed in a session this morning.",
    )
    return w.p.college_worker


GLASS = frozenset({HEALTH, DOCUMENTS})
STATES = [
    State("anonymous", lambda w: None, engaged=False, signed_in=False),
    State("outsider", lambda w: w.p.outsider, engaged=False),
    State("engaged_not_consented", _engaged),
    State("consented", _consented, frozenset({HEALTH, IDENTITY, DOCUMENTS})),
    State(
        "consented_clearance_too_low",
        _low_clearance,
        frozenset({IDENTITY, DOCUMENTS}),
        casework=False,
        uncleared=frozenset({HEALTH}),
    ),
    State("consent_withdrawn", _withdrawn),
    State("consent_expired", _expired),
    # No engagement: break-glass alone opens the record, for what the grant names (not identity).
    State("break_glass", _break_glass, GLASS, engaged=False, break_glass=GLASS),
]


# --- The views --------------------------------------------------------------------------------

# Kinds of view, by how they answer a reader who may open the client's record (see _status):
RECORD = "record"  # about the client: 200, hidden sections named with their reason
ITEM = "item"  # one item of another partner: 403 with the reason unless the reader may see it
EDIT = "edit"  # a form to change another partner's item: never offered; 403 saying why
ADD = "add"  # a form to add the reader's own item: 403 unless cleared for the category
ENGAGEMENT = "engagement"  # the reader's own engagement: 404 without one
LIST = "list"  # the reader's caseload or a search in it: 200, only their clients
WRITE = "write"  # a change to another partner's item: refused without showing it
ASK = "ask"  # the break-glass request: any trained caseworker; it shows nothing of the client


@dataclass(frozen=True)
class View:
    name: str
    path: str
    kind: str
    shows: tuple[str, ...] = ()  # categories whose secret it can show (a heading shows the name)
    about: str = ""  # the category whose item it is about; when hidden, the reason must be given
    api: bool = False
    finds_by_name: bool = False  # a search for the client's given name (the query is echoed)
    adds: str = ""  # the category an ADD form adds to
    method: str = "get"  # a WRITE sends a change the reader may not make
    data: dict[str, Any] | None = None


CHANGE = {"data": {"details": "Changed"}, "version": 1}
RENAME = {"data": {"given_name": "Changed"}, "version": 1}
R = "/clients/{id}/"
A = "/api/v1/clients/{id}"
VIEWS = [
    View("record page", R, RECORD, (HEALTH, IDENTITY, DOCUMENTS), about=HEALTH),
    View("item history page", R + "health/{health}/history/", ITEM, (HEALTH,), about=HEALTH),
    View("section history page", R + "identity/history/", ITEM, (IDENTITY,), about=IDENTITY),
    View("item edit form", R + "health/{health}/edit/", EDIT, (HEALTH, IDENTITY), about=HEALTH),
    View("section edit form", R + "identity/edit/", EDIT, (IDENTITY,), about=IDENTITY),
    View("item add form", R + "health/add/", ADD, (IDENTITY,), adds=HEALTH),
    View("document upload form", R + "documents/upload/", ADD, (IDENTITY,), adds=DOCUMENTS),
    View("document download", R + "documents/{document}/download/", ITEM, (DOCUMENTS,), about=DOCUMENTS),
    View("engagement edit page", R + "engagements/{engagement}/edit/", ENGAGEMENT, (IDENTITY,)),
    View("consent list page", R + "consent/", RECORD, (IDENTITY,)),
    View("consent new form", R + "consent/new/", RECORD, (IDENTITY,)),
    View("consent paper form", R + "consent/form/", RECORD, (IDENTITY,)),
    View("consent receipt page", R + "consent/{consent}/", RECORD, (IDENTITY,)),
    View("consent export", R + "consent/{consent}/export/iso27560/", RECORD),
    View("consent withdraw form", R + "consent/{consent}/withdraw/", RECORD, (IDENTITY,)),
    View("break-glass page", R + "break-glass/", ASK),
    # The caseload names only clients whose identity the reader's own organisation recorded (see
    # CaseloadRowOut.name), so it never shows the council's name to the college.
    View("caseload page", "/caseload/?scope=organisation", LIST),
    View("client find page", "/clients/find/?q={name}", LIST, finds_by_name=True),
    View("record API", A, RECORD, (HEALTH, IDENTITY, DOCUMENTS), about=HEALTH, api=True),
    View("health section API", A + "/sections/health", RECORD, (HEALTH,), about=HEALTH, api=True),
    View("identity section API", A + "/sections/identity", RECORD, (IDENTITY,), about=IDENTITY, api=True),
    View("documents section API", A + "/sections/documents", RECORD, (DOCUMENTS,), about=DOCUMENTS, api=True),
    View("item history API", A + "/sections/health/items/{health}/history", ITEM, (HEALTH,), about=HEALTH, api=True),
    View("consent list API", A + "/consents", RECORD, api=True),
    # Changing another partner's item: refused before any version check could answer with it.
    View("item change API", A + "/sections/health/items/{health}", WRITE, api=True, method="patch", data=CHANGE),
    View("section save API", A + "/sections/identity", WRITE, api=True, method="put", data=RENAME),
    View("consent export API", A + "/consents/{consent}/export/iso27560", RECORD, api=True),
    View("caseload API", "/api/v1/clients?scope=organisation", LIST, api=True),
    View("client search API", "/api/v1/clients?q={name}", LIST, api=True, finds_by_name=True),
]


def _status(view: View, state: State) -> int:
    """The right answer for a reader in this state."""
    if not state.signed_in:
        return 401 if view.api else 302
    if view.kind == LIST:
        return 200
    if view.kind == ASK:
        return 200 if state.casework else 403
    if not state.engaged and not state.sees:
        return 404  # a client the reader may not see is not found, exactly as one that does not exist
    if view.kind == ENGAGEMENT:
        return 200 if state.engaged else 404
    if view.kind == EDIT:
        return 403  # hidden (with the reason), or another partner's (ask them to correct it)
    if view.kind == ITEM and view.about not in state.sees:
        return 403
    if view.kind == WRITE:
        return 403 if state.engaged else 404  # another partner's, or not a caseworker; only the engaged write
    if view.kind == ADD and (view.adds in state.uncleared or not (state.engaged or view.adds in state.break_glass)):
        return 403
    return 200


# --- Known gaps whose fix belongs in ceangal/policy -----------------------------------------------

# Each gap names one check of a cell: "denial" (status and reason), "ledger" or "found". The cell
# still runs every other check, then is reported xfail; a gap that no longer happens fails the cell
# (strict), so whoever fixes policy removes it here.
SECTION_ITEM = (
    "policy.selectors.section_item (behind section_history and document_for_download) raises NotFound "
    "for a hidden section or item (a 404 without the reason), and returns None for a hidden "
    "one-per-client section (an empty 200); it should raise NotPermitted with the section's reason "
    "or its withheld message, as the record page shows"
)
IDENTITY_UNSHOWN = (
    "policy.selectors._client_record records identity whenever it loads the client's name for a "
    "heading, though this view never shows the name; it should record identity only for a caller "
    "that shows it"
)
LOADED_UNSHOWN = (
    "the form view can only learn whether the reader may add to or change a section by loading it "
    "through client_record, which records its items as disclosed, and then shows none of them; "
    "policy needs a way to decide a section (and who supplied its items) without recording, "
    "recording what the form then shows"
)
SEARCH = (
    "policy.selectors._search_filter matches the names, postcode and date of birth of clients whose "
    "identity the reader may not see, so a search by name confirms a withheld identity; it should "
    "match identity fields only where the decision permits identity"
)
NOT_SHARED = ("engaged_not_consented", "consent_withdrawn", "consent_expired")
POLICY_GAPS: dict[tuple[str, str], dict[str, str]] = {}


def _gap(check: str, reason: str, states: tuple[str, ...], views: tuple[str, ...]) -> None:
    for state in states:
        for view in views:
            POLICY_GAPS.setdefault((state, view), {})[check] = reason


_gap("denial", SECTION_ITEM, NOT_SHARED, ("item history page", "section history page", "document download"))
_gap("denial", SECTION_ITEM, NOT_SHARED, ("item history API",))
_gap("denial", SECTION_ITEM, ("consented_clearance_too_low",), ("item history page", "item history API"))
_gap("denial", SECTION_ITEM, ("break_glass",), ("section history page",))
_gap("found", SEARCH, NOT_SHARED, ("client find page", "client search API"))
_gap(
    "ledger",
    IDENTITY_UNSHOWN,
    ("consented", "consented_clearance_too_low"),
    ("item history page", "item history API"),
)
_gap(
    "ledger",
    IDENTITY_UNSHOWN,
    ("consented", "consented_clearance_too_low"),
    ("document download", "health section API", "documents section API"),
)
_gap(
    "ledger",
    LOADED_UNSHOWN,
    ("consented", "consented_clearance_too_low"),
    ("item edit form", "section edit form", "item add form", "document upload form"),
)
_gap("ledger", LOADED_UNSHOWN, ("break_glass",), ("item edit form", "item add form", "document upload form"))


# --- The matrix ---------------------------------------------------------------------------------


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
            w = _world(make_personas())
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
    expected = _status(view, state)
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
