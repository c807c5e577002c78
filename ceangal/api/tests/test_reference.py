"""GET /reference: the code lists coded fields take their values from."""

from __future__ import annotations

import json
from collections.abc import Callable

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.partners.models import StaffMember
from ceangal.testing.factories import Personas


def test_the_code_lists_are_listed(personas: Personas, as_key: Callable[[StaffMember], ApiCaller]) -> None:
    lists = json.loads(as_key(personas.council_worker).get(f"{API}/reference").content)
    by_key = {item["key"]: item for item in lists}
    assert {"local_authority", "scqf_level", "pipeline_stage"} <= set(by_key)
    assert set(by_key["scqf_level"]) == {"key", "name", "edition", "version"}


def test_one_code_list_holds_its_codes_retired_ones_included(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    body = json.loads(as_key(personas.council_worker).get(f"{API}/reference/local_authority").content)
    assert body["key"] == "local_authority"
    codes = {code["code"]: code for code in body["codes"]}
    assert codes["S12000047"]["active"] is True
    assert set(codes["S12000047"]) == {"code", "label", "group", "active", "superseded_by"}
    retired = [code for code in body["codes"] if not code["active"]]
    assert all(code["superseded_by"] in codes for code in retired if code["superseded_by"])


def test_an_unknown_code_list_is_a_404_problem(personas: Personas, as_key: Callable[[StaffMember], ApiCaller]) -> None:
    response = as_key(personas.council_worker).get(f"{API}/reference/star_signs")
    assert response.status_code == 404
    assert "star_signs" in problem(response)["detail"]
