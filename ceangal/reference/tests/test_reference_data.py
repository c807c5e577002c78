"""The shipped code lists, their loader and the load_reference command."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ceangal.reference import ages, lookups
from ceangal.reference.loader import DATA_DIR, ReferenceDataError, load_code_lists, read_code_lists
from ceangal.reference.models import Code, CodeList

SHIPPED_LISTS = {
    "local_authority",
    "scqf_level",
    "pipeline_stage",
    "client_status",
    "age_band",
    "sex",
    "trans_status",
    "sexual_orientation",
    "ethnicity",
    "yes_no_pns",
    "disability_limitation",
    "condition_type",
    "care_experience",
    "priority_family",
    "barrier",
    "severity",
    "identified_by",
    "destination",
    "destination_employment_type",
    "follow_up_status",
    "follow_up_week",
    "milestone",
    "exit_reason",
    "benefit",
    "uc_regime",
    "referral_source",
    "funding_stream",
    "employment_status_on_entry",
    "time_unemployed",
    "activity_type",
}

# Items the client declares about themselves, which must let them decline.
SELF_DECLARED = {
    "sex",
    "trans_status",
    "sexual_orientation",
    "ethnicity",
    "yes_no_pns",
    "disability_limitation",
    "condition_type",
    "care_experience",
    "priority_family",
    "benefit",
    "uc_regime",
}


def write_list(directory: Path, key: str, codes: list[dict[str, Any]], *, version: int = 1, **fields: Any) -> Path:
    document = {"key": key, "name": f"Test list {key}", "edition": "TEST", "version": version, "source": "test"}
    document.update(fields)
    document["codes"] = codes
    path = directory / f"{key}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def no_reference_data(db: None) -> None:
    """The test database holds the shipped lists for the session (ceangal/conftest.py); some tests need none.

    Nothing outside this app has a foreign key to Code, so emptying the tables inside the test's
    transaction is safe and rolled back afterwards.
    """
    Code.objects.all().delete()
    CodeList.objects.all().delete()


def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    lists = list(CodeList.objects.order_by("key").values_list("key", "name", "edition", "version", "source"))
    codes = list(
        Code.objects.order_by("code_list_id", "code").values_list(
            "code_list_id", "code", "label", "description", "group", "sort_order", "active", "superseded_by", "extra"
        )
    )
    return lists, codes


# --- the shipped fixtures ------------------------------------------------------------------------


def test_shipped_files_are_valid_and_exactly_the_agreed_lists() -> None:
    specs = read_code_lists()
    assert {spec.key for spec in specs} == SHIPPED_LISTS
    assert {path.stem for path in DATA_DIR.glob("*.json")} == SHIPPED_LISTS


@pytest.mark.usefixtures("no_reference_data")
def test_all_lists_load() -> None:
    report = load_code_lists()

    assert {row.key for row in report.lists} == SHIPPED_LISTS
    assert all(row.list_change == "created" and row.created > 0 for row in report.lists)
    assert set(CodeList.objects.values_list("key", flat=True)) == SHIPPED_LISTS
    assert Code.objects.count() == sum(row.created for row in report.lists)


@pytest.mark.django_db
def test_thirty_two_active_councils_and_superseded_codes_resolve() -> None:
    load_code_lists()

    active = Code.objects.filter(code_list_id="local_authority", active=True)
    assert active.count() == 32
    assert not Code.objects.filter(code_list_id="local_authority", code="S92000003").exists()
    assert {row.code for row in active if row.extra.get("island")} == {"S12000013", "S12000023", "S12000027"}
    assert lookups.resolve("local_authority", "S12000015") == "S12000047"
    assert lookups.resolve("local_authority", "S12000024") == "S12000048"
    assert lookups.resolve("local_authority", "S12000046") == "S12000049"
    assert lookups.resolve("local_authority", "S12000044") == "S12000050"
    assert lookups.resolve("local_authority", "S12000036") == "S12000036"
    assert lookups.label("local_authority", "S12000015") == "Fife (superseded code)"
    assert "S12000015" not in {choice.code for choice in lookups.choices("local_authority")}


@pytest.mark.django_db
def test_second_load_changes_nothing() -> None:
    load_code_lists()
    before = snapshot()

    report = load_code_lists()

    assert not report.changed
    assert all(row.list_change == "unchanged" for row in report.lists)
    assert sum(row.created + row.updated + row.retired for row in report.lists) == 0
    assert sum(row.unchanged for row in report.lists) == Code.objects.count()
    assert snapshot() == before


@pytest.mark.django_db
def test_self_declared_lists_let_the_client_decline() -> None:
    load_code_lists()

    for key in SELF_DECLARED:
        assert lookups.label(key, "PNS") == "Prefer not to say", key
    assert [choice.code for choice in lookups.choices("sex")] == ["F", "M", "PNS"]
    assert {"PNS", "UNK"} <= {choice.code for choice in lookups.choices("ethnicity")}


@pytest.mark.django_db
def test_cross_references_between_lists_hold() -> None:
    load_code_lists()

    stages = {choice.code for choice in lookups.choices("pipeline_stage")}
    statuses = {choice.code for choice in lookups.choices("client_status")}
    assert stages == {"PS1", "PS2", "PS3", "PS4", "PS5"}
    for row in Code.objects.filter(code_list_id="pipeline_stage"):
        assert row.extra["client_status"] in statuses
        assert row.description
    for row in Code.objects.filter(code_list_id="activity_type"):
        assert row.extra.get("stage", "PS1") in stages
    assert {row.code: row.extra["weeks"] for row in Code.objects.filter(code_list_id="follow_up_week")} == {
        "FU04": 4,
        "FU13": 13,
        "FU26": 26,
        "FU52": 52,
    }
    levels = {row.code: row.extra["level"] for row in Code.objects.filter(code_list_id="scqf_level")}
    assert all(levels[f"SCQF{n:02d}"] == n for n in range(13))
    assert {row.group for row in Code.objects.filter(code_list_id="barrier")} == {"Skills", "Health", "Circumstances"}
    assert {row.group[0] for row in Code.objects.filter(code_list_id="ethnicity") if row.group} == set("ABCDEF")
    legacy = {row.code for row in Code.objects.filter(code_list_id="funding_stream", active=True) if row.extra}
    assert legacy == {"FSS", "ESF"}


# --- age bands -----------------------------------------------------------------------------------


def test_age_band_list_matches_the_code_that_derives_bands() -> None:
    (spec,) = [spec for spec in read_code_lists() if spec.key == "age_band"]
    assert [code.code for code in spec.codes] == [band[0] for band in ages.AGE_BANDS]
    assert [(code.extra["min_age"], code.extra["max_age"]) for code in spec.codes] == [
        (low, high) for _, low, high in ages.AGE_BANDS
    ]


@pytest.mark.parametrize("on", [dt.date(2026, 11, 25), dt.date(2027, 1, 1), dt.date(2028, 3, 1)])
@pytest.mark.parametrize(
    ("years", "band_on_birthday", "band_day_before"),
    [
        (16, "A16_19", "AU16"),
        (20, "A20_24", "A16_19"),
        (25, "A25_29", "A20_24"),
        (30, "A30_34", "A25_29"),
        (35, "A35_49", "A30_34"),
        (50, "A50_64", "A35_49"),
        (65, "A65P", "A50_64"),
    ],
)
def test_age_band_changes_on_the_birthday(on: dt.date, years: int, band_on_birthday: str, band_day_before: str) -> None:
    born = on.replace(year=on.year - years)

    assert ages.age_band(born, on) == band_on_birthday
    assert ages.age_band(born, on - dt.timedelta(days=1)) == band_day_before


def test_sixteenth_birthday_today_and_the_day_before() -> None:
    today = dt.date.today()
    if (today.month, today.day) == (2, 29):
        pytest.skip("No sixteenth birthday falls on 29 February sixteen years before a leap day.")
    born = today.replace(year=today.year - 16)

    assert ages.age_band(born, today) == "A16_19"
    assert ages.age_band(born + dt.timedelta(days=1), today) == "AU16"


def test_born_on_29_february_turns_a_year_older_on_1_march_in_common_years() -> None:
    born = dt.date(2008, 2, 29)

    assert ages.age_band(born, dt.date(2024, 2, 28)) == "AU16"
    assert ages.age_band(born, dt.date(2024, 2, 29)) == "A16_19"
    assert ages.age_on(born, dt.date(2026, 2, 28)) == 17
    assert ages.age_on(born, dt.date(2026, 3, 1)) == 18


# --- loading and updating ------------------------------------------------------------------------


@pytest.mark.usefixtures("no_reference_data")
def test_dry_run_reports_and_saves_nothing() -> None:
    report = load_code_lists(dry_run=True)

    assert report.dry_run
    assert report.for_list("local_authority").created == 36
    assert not CodeList.objects.exists()
    assert not Code.objects.exists()


@pytest.mark.django_db
def test_a_changed_label_is_updated(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}, {"code": "G", "label": "Green"}])
    load_code_lists(tmp_path)
    write_list(tmp_path, "colour", [{"code": "R", "label": "Rouge"}, {"code": "G", "label": "Green"}], name="Colours")

    report = load_code_lists(tmp_path).for_list("colour")

    assert (report.list_change, report.created, report.updated, report.retired, report.unchanged) == (
        "updated",
        0,
        1,
        0,
        1,
    )
    assert lookups.label("colour", "R") == "Rouge"
    assert CodeList.objects.get(key="colour").name == "Colours"


@pytest.mark.django_db
def test_a_removed_code_is_retired_not_deleted(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}, {"code": "G", "label": "Green"}])
    load_code_lists(tmp_path)
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}])

    report = load_code_lists(tmp_path).for_list("colour")

    assert (report.created, report.updated, report.retired, report.unchanged) == (0, 0, 1, 1)
    green = Code.objects.get(code_list_id="colour", code="G")
    assert not green.active
    assert lookups.label("colour", "G") == "Green"
    assert [choice.code for choice in lookups.choices("colour")] == ["R"]
    with pytest.raises(lookups.UnknownCode):
        lookups.resolve("colour", "G")
    assert not load_code_lists(tmp_path).changed


@pytest.mark.django_db
def test_a_retired_code_put_back_in_its_file_is_active_again(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}, {"code": "G", "label": "Green"}])
    load_code_lists(tmp_path)
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}])
    load_code_lists(tmp_path)
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}, {"code": "G", "label": "Green"}])

    assert load_code_lists(tmp_path).for_list("colour").updated == 1
    assert lookups.resolve("colour", "G") == "G"


@pytest.mark.django_db
def test_lists_without_a_file_are_left_alone(tmp_path: Path) -> None:
    load_code_lists()
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}])

    load_code_lists(tmp_path)

    assert Code.objects.filter(code_list_id="local_authority", active=True).count() == 32


@pytest.mark.django_db
def test_a_lower_version_is_refused_unless_forced(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}], version=2)
    load_code_lists(tmp_path)
    write_list(tmp_path, "colour", [{"code": "R", "label": "Old red"}], version=1)

    with pytest.raises(ReferenceDataError) as raised:
        load_code_lists(tmp_path)

    message = str(raised.value)
    assert "colour.json" in message
    assert "'version'" in message
    assert "lower than version 2" in message
    assert lookups.label("colour", "R") == "Red"
    assert CodeList.objects.get(key="colour").version == 2

    load_code_lists(tmp_path, force=True)

    assert lookups.label("colour", "R") == "Old red"
    assert CodeList.objects.get(key="colour").version == 1


GOOD = [{"code": "R", "label": "Red"}, {"code": "G", "label": "Green"}]


@pytest.mark.parametrize(
    ("codes", "code", "field", "words"),
    [
        ([*GOOD, {"code": "R", "label": "Red again"}], "R", "code", "more than once"),
        (
            [*GOOD, {"code": "B", "label": "Blue", "active": False, "superseded_by": "X"}],
            "B",
            "superseded_by",
            "'X' is not a code in this list",
        ),
        ([*GOOD, {"code": "B"}], "B", "label", "is missing"),
        ([*GOOD, {"code": "B", "label": "  "}], "B", "label", "must not be empty"),
        ([*GOOD, {"code": "B", "label": "Blue", "superseded_by": "R"}], "B", "superseded_by", "the code is active"),
        ([*GOOD, {"code": "B", "label": "Blue", "colour": "blue"}], "B", "colour", "not a known field"),
        ([*GOOD, {"code": "B", "label": "Blue", "active": "no"}], "B", "active", "true or false"),
        ([*GOOD, {"code": "B", "label": "Blue", "extra": []}], "B", "extra", "must be an object"),
        ([*GOOD, {"code": "B", "label": "Blue", "sort_order": -1}], "B", "sort_order", "0 or more"),
        (
            [
                *GOOD,
                {"code": "B", "label": "Blue", "active": False, "superseded_by": "C"},
                {"code": "C", "label": "Cyan", "active": False, "superseded_by": "B"},
            ],
            "B",
            "superseded_by",
            "loop",
        ),
        (
            [
                *GOOD,
                {"code": "B", "label": "Blue", "active": False, "superseded_by": "C"},
                {"code": "C", "label": "Cyan", "active": False},
            ],
            "B",
            "superseded_by",
            "no replacement",
        ),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_names_the_fault_and_changes_nothing(
    tmp_path: Path, codes: list[dict[str, Any]], code: str, field: str, words: str
) -> None:
    write_list(tmp_path, "colour", GOOD)
    write_list(tmp_path, "shape", [{"code": "SQ", "label": "Square"}])
    load_code_lists(tmp_path)
    before = snapshot()
    # A good change in another file must not be applied either: the set loads whole or not at all.
    write_list(tmp_path, "shape", [{"code": "SQ", "label": "Square"}, {"code": "CI", "label": "Circle"}])
    write_list(tmp_path, "colour", codes)

    with pytest.raises(ReferenceDataError) as raised:
        load_code_lists(tmp_path)

    message = str(raised.value)
    assert f"colour.json, code {code!r}, field {field!r}" in message
    assert words in message
    assert all(problem.file == "colour.json" for problem in raised.value.problems)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ({"key": "colour", "name": "Colours", "edition": "T", "source": "s", "codes": GOOD}, "version", "missing"),
        (
            {"key": "colour", "name": "Colours", "edition": "T", "version": "2", "source": "s", "codes": GOOD},
            "version",
            "whole number",
        ),
        (
            {"key": "colour", "name": "Colours", "edition": "T", "version": True, "source": "s", "codes": GOOD},
            "version",
            "whole number",
        ),
        (
            {"key": "color", "name": "Colours", "edition": "T", "version": 1, "source": "s", "codes": GOOD},
            "key",
            "file name",
        ),
        ({"key": "colour", "name": "", "edition": "T", "version": 1, "source": "s", "codes": GOOD}, "name", "empty"),
        (
            {"key": "colour", "name": "Colours", "edition": "T", "version": 1, "source": "s", "codes": []},
            "codes",
            "at least one",
        ),
    ],
)
def test_a_bad_list_header_names_the_file_and_field(
    tmp_path: Path, document: dict[str, Any], field: str, words: str
) -> None:
    (tmp_path / "colour.json").write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(ReferenceDataError) as raised:
        read_code_lists(tmp_path)

    message = str(raised.value)
    assert f"colour.json, field {field!r}" in message
    assert words in message


def test_a_code_without_a_code_is_placed_by_its_position(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [*GOOD, {"label": "Blue"}])

    with pytest.raises(ReferenceDataError, match=r"colour.json, entry 3 of codes, field 'code': is missing"):
        read_code_lists(tmp_path)


def test_broken_json_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "colour.json").write_text('{"key": "colour",\n "name": }', encoding="utf-8")

    with pytest.raises(ReferenceDataError, match=r"colour.json: is not valid JSON: .* line 2"):
        read_code_lists(tmp_path)


def test_every_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R"}])
    write_list(tmp_path, "shape", [{"code": "SQ", "label": "Square"}, {"code": "SQ", "label": "Square"}])

    with pytest.raises(ReferenceDataError) as raised:
        read_code_lists(tmp_path)

    assert {problem.file for problem in raised.value.problems} == {"colour.json", "shape.json"}


# --- the command ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_reference_data")
def test_command_loads_and_prints_a_table() -> None:
    out = io.StringIO()

    call_command("load_reference", stdout=out)

    text = out.getvalue()
    assert re.search(r"^local_authority\s+created\s+36\s+0\s+0\s+0$", text, re.MULTILINE)
    assert Code.objects.filter(code_list_id="local_authority", active=True).count() == 32

    out = io.StringIO()
    call_command("load_reference", stdout=out)
    assert "already up to date" in out.getvalue()


@pytest.mark.usefixtures("no_reference_data")
def test_command_dry_run_saves_nothing() -> None:
    out = io.StringIO()

    call_command("load_reference", "--dry-run", stdout=out)

    assert "Dry run" in out.getvalue()
    assert not CodeList.objects.exists()


@pytest.mark.django_db
def test_command_fails_with_the_problem_on_bad_data(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}, {"code": "R", "label": "Red"}])

    with pytest.raises(CommandError, match=r"colour.json, code 'R', field 'code'"):
        call_command("load_reference", "--path", str(tmp_path), stdout=io.StringIO())

    assert not CodeList.objects.filter(key="colour").exists()


@pytest.mark.django_db
def test_command_force_loads_a_lower_version(tmp_path: Path) -> None:
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}], version=3)
    call_command("load_reference", "--path", str(tmp_path), stdout=io.StringIO())
    write_list(tmp_path, "colour", [{"code": "R", "label": "Red"}], version=2)

    with pytest.raises(CommandError, match="lower than version 3"):
        call_command("load_reference", "--path", str(tmp_path), stdout=io.StringIO())
    call_command("load_reference", "--path", str(tmp_path), "--force", stdout=io.StringIO())

    assert CodeList.objects.get(key="colour").version == 2
