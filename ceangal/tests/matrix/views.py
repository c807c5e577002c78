"""The views of the matrix: every page and API operation that can show a client's data, how each
should answer a reader in each state, and the known gaps whose fix belongs in ceangal/policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ceangal.tests.matrix.world import DOCUMENTS, HEALTH, IDENTITY, State

# --- The views --------------------------------------------------------------------------------

# Kinds of view, by how they answer a reader who may open the client's record (see expected_status):
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
    # Services the client may be eligible for: the name in the heading; the facts matched come from
    # identity (and benefits, support needs), hidden ones named as unknown with the reason.
    View("client services page", R + "services/", RECORD, (IDENTITY,), about=IDENTITY),
    # The caseload names a client where the decision permits identity, as the record page does:
    # the council's name reaches the college only with an agreement and the client's consent.
    View("caseload page", "/caseload/?scope=organisation", LIST, (IDENTITY,)),
    View("client find page", "/clients/find/?q={name}", LIST, (IDENTITY,), finds_by_name=True),
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
    View("caseload API", "/api/v1/clients?scope=organisation", LIST, (IDENTITY,), api=True),
    View("client search API", "/api/v1/clients?q={name}", LIST, (IDENTITY,), api=True, finds_by_name=True),
    View("client services API", A + "/services", RECORD, (IDENTITY,), about=IDENTITY, api=True),
]


def expected_status(view: View, state: State) -> int:
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
    if view.kind == ADD and not (state.casework and state.engaged and view.adds not in state.uncleared):
        return 403  # not offered to a role that cannot change records, nor on break-glass (read only)
    return 200


# --- Known gaps whose fix belongs in ceangal/policy -----------------------------------------------

# Each gap names one check of a cell: "denial" (status and reason), "ledger" or "found". The cell
# still runs every other check, then is reported xfail; a gap that no longer happens fails the cell
# (strict), so whoever fixes policy removes it here.
POLICY_GAPS: dict[tuple[str, str], dict[str, str]] = {}


def _gap(check: str, reason: str, states: tuple[str, ...], views: tuple[str, ...]) -> None:
    for state in states:
        for view in views:
            POLICY_GAPS.setdefault((state, view), {})[check] = reason


# None open. The first run of the whole matrix found four, mended in ceangal/policy: hidden items
# refused silently (a 404 or an empty page) instead of with the reason; a search by name finding
# clients whose name the reader may not see; identity recorded in the ledger by views that show no
# name; forms recording items they did not show.
