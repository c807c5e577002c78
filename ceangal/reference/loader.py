"""Loads the code-list fixtures (reference/data/*.json) into CodeList and Code, and updates them.

The whole set of files is checked before anything is written, and then written in one
transaction, so a bad file never leaves the lists half-updated. Codes are never deleted: a code
missing from its file is retired (active=False), because client records made against it must still
read back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.db import models, transaction
from django.utils import timezone

from ceangal.reference.models import Code, CodeList

DATA_DIR = Path(__file__).resolve().parent / "data"

_LIST_FIELDS = ("key", "name", "edition", "version", "source", "codes")
_CODE_FIELDS = ("code", "label", "description", "group", "sort_order", "active", "superseded_by", "extra")
_UPDATABLE_CODE_FIELDS = ("label", "description", "group", "sort_order", "active", "superseded_by", "extra")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

ListChange = Literal["created", "updated", "unchanged"]


def _max_length(model: type[models.Model], field_name: str) -> int:
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    assert field.max_length is not None
    return int(field.max_length)


@dataclass(frozen=True)
class Problem:
    """One fault in one file: which code (or entry, when the code itself is unreadable) and which field."""

    file: str
    field: str
    message: str
    code: str = ""
    entry: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.code:
            parts.append(f"code {self.code!r}")
        elif self.entry is not None:
            parts.append(f"entry {self.entry} of codes")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join([", ".join(parts), self.message])


class ReferenceDataError(Exception):
    def __init__(self, problems: Sequence[Problem], *, directory: Path | None = None) -> None:
        self.problems = tuple(problems)
        self.directory = directory
        where = f" from {directory}" if directory is not None else ""
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"Reference data{where} was not loaded; nothing was changed.\n{lines}")


@dataclass(frozen=True)
class CodeSpec:
    code: str
    label: str
    description: str
    group: str
    sort_order: int
    active: bool
    superseded_by: str
    extra: dict[str, Any]

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _UPDATABLE_CODE_FIELDS}


@dataclass(frozen=True)
class CodeListSpec:
    file: str
    key: str
    name: str
    edition: str
    version: int
    source: str
    codes: tuple[CodeSpec, ...]

    def values(self) -> dict[str, Any]:
        return {"name": self.name, "edition": self.edition, "version": self.version, "source": self.source}


@dataclass(frozen=True)
class ListReport:
    key: str
    file: str
    list_change: ListChange
    created: int
    updated: int
    retired: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return self.list_change != "unchanged" or bool(self.created or self.updated or self.retired)


@dataclass(frozen=True)
class LoadReport:
    lists: tuple[ListReport, ...]
    dry_run: bool

    @property
    def changed(self) -> bool:
        return any(report.changed for report in self.lists)

    def for_list(self, key: str) -> ListReport:
        for report in self.lists:
            if report.key == key:
                return report
        raise KeyError(key)


class _FileCheck:
    """Collects the problems of one file, so that one run reports every fault rather than the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, field: str, message: str, *, code: str = "", entry: int | None = None) -> None:
        self.problems.append(Problem(self.file, field, message, code=code, entry=entry))

    def text(
        self,
        raw: Mapping[str, Any],
        field: str,
        *,
        required: bool,
        max_length: int | None = None,
        trimmed: bool = False,
        code: str = "",
        entry: int | None = None,
    ) -> str:
        if field not in raw:
            if required:
                self.fail(field, "is missing.", code=code, entry=entry)
            return ""
        value = raw[field]
        if not isinstance(value, str):
            self.fail(field, f"must be a string, not {json.dumps(value)}.", code=code, entry=entry)
            return ""
        if required and not value.strip():
            self.fail(field, "must not be empty.", code=code, entry=entry)
        elif trimmed and value != value.strip():
            self.fail(field, f"{value!r} has spaces at the start or end.", code=code, entry=entry)
        if max_length is not None and len(value) > max_length:
            self.fail(
                field, f"is {len(value)} characters long; the most allowed is {max_length}.", code=code, entry=entry
            )
        return value

    def integer(
        self,
        raw: Mapping[str, Any],
        field: str,
        *,
        default: int | None,
        minimum: int,
        code: str = "",
        entry: int | None = None,
    ) -> int:
        if field not in raw:
            if default is None:
                self.fail(field, "is missing.", code=code, entry=entry)
                return minimum
            return default
        value = raw[field]
        # bool is a subclass of int, and true/false here is always a slip.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(field, f"must be a whole number, not {json.dumps(value)}.", code=code, entry=entry)
            return minimum
        if value < minimum:
            self.fail(field, f"must be {minimum} or more, not {value}.", code=code, entry=entry)
        return value

    def unknown_fields(
        self, raw: Mapping[str, Any], known: Sequence[str], *, code: str = "", entry: int | None = None
    ) -> None:
        for name in raw:
            if name not in known:
                self.fail(name, f"is not a known field; the fields are {', '.join(known)}.", code=code, entry=entry)


def _read_code(check: _FileCheck, raw: object, entry: int) -> CodeSpec | None:
    if not isinstance(raw, dict):
        check.fail("", "must be an object with at least code and label.", entry=entry)
        return None
    code = check.text(raw, "code", required=True, max_length=_max_length(Code, "code"), trimmed=True, entry=entry)
    # Problems are placed by code where it can be read, else by position in the file.
    where = None if code else entry
    check.unknown_fields(raw, _CODE_FIELDS, code=code, entry=where)
    label = check.text(
        raw, "label", required=True, max_length=_max_length(Code, "label"), trimmed=True, code=code, entry=where
    )
    description = check.text(raw, "description", required=False, code=code, entry=where)
    group = check.text(raw, "group", required=False, max_length=_max_length(Code, "group"), code=code, entry=where)
    superseded_by = check.text(
        raw,
        "superseded_by",
        required=False,
        max_length=_max_length(Code, "superseded_by"),
        trimmed=True,
        code=code,
        entry=where,
    )
    sort_order = check.integer(raw, "sort_order", default=entry, minimum=0, code=code, entry=where)
    active = raw.get("active", True)
    if not isinstance(active, bool):
        check.fail("active", f"must be true or false, not {json.dumps(active)}.", code=code, entry=where)
        active = True
    extra = raw.get("extra", {})
    if not isinstance(extra, dict):
        check.fail("extra", f"must be an object, not {json.dumps(extra)}.", code=code, entry=where)
        extra = {}
    return CodeSpec(
        code=code,
        label=label,
        description=description,
        group=group,
        sort_order=sort_order,
        active=active,
        superseded_by=superseded_by,
        extra=extra,
    )


def _check_codes(check: _FileCheck, codes: Sequence[CodeSpec]) -> None:
    by_code: dict[str, CodeSpec] = {}
    for spec in codes:
        if not spec.code:
            continue
        if spec.code in by_code:
            check.fail("code", "appears more than once in this list.", code=spec.code)
        by_code[spec.code] = spec
    for spec in codes:
        if not spec.superseded_by:
            continue
        if spec.active:
            check.fail(
                "superseded_by",
                "is set but the code is active; only a retired code (active: false) is superseded.",
                code=spec.code,
            )
        elif spec.superseded_by not in by_code:
            check.fail("superseded_by", f"{spec.superseded_by!r} is not a code in this list.", code=spec.code)
        else:
            _check_chain(check, spec, by_code)


def _check_chain(check: _FileCheck, start: CodeSpec, by_code: Mapping[str, CodeSpec]) -> None:
    """A superseded code must lead, perhaps through other retired codes, to an active one."""
    seen = [start.code]
    current = by_code[start.superseded_by]
    while not current.active:
        if current.code in seen:
            check.fail(
                "superseded_by", f"leads round in a loop: {' -> '.join([*seen, current.code])}.", code=start.code
            )
            return
        seen.append(current.code)
        if not current.superseded_by or current.superseded_by not in by_code:
            check.fail(
                "superseded_by",
                f"leads to {current.code!r}, which is retired and has no replacement in this list.",
                code=start.code,
            )
            return
        current = by_code[current.superseded_by]


def _read_file(path: Path) -> tuple[CodeListSpec | None, list[Problem]]:
    check = _FileCheck(path.name)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        check.fail("", f"is not UTF-8 text ({exc.reason} at byte {exc.start}).")
        return None, check.problems
    except json.JSONDecodeError as exc:
        check.fail("", f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.")
        return None, check.problems
    if not isinstance(raw, dict):
        check.fail("", "must hold one JSON object with key, name, edition, version, source and codes.")
        return None, check.problems

    check.unknown_fields(raw, _LIST_FIELDS)
    key = check.text(raw, "key", required=True, max_length=_max_length(CodeList, "key"), trimmed=True)
    if key and not _SLUG.match(key):
        check.fail("key", f"{key!r} may only hold letters, digits, hyphens and underscores.")
    elif key and key != path.stem:
        check.fail("key", f"{key!r} does not match the file name; name the file {key}.json.")
    name = check.text(raw, "name", required=True, max_length=_max_length(CodeList, "name"))
    edition = check.text(raw, "edition", required=True, max_length=_max_length(CodeList, "edition"), trimmed=True)
    source = check.text(raw, "source", required=True)
    version = check.integer(raw, "version", default=None, minimum=1)

    raw_codes = raw.get("codes")
    codes: list[CodeSpec] = []
    if not isinstance(raw_codes, list) or not raw_codes:
        check.fail("codes", "must be a list holding at least one code.")
    else:
        for entry, raw_code in enumerate(raw_codes, start=1):
            code = _read_code(check, raw_code, entry)
            if code is not None:
                codes.append(code)
        _check_codes(check, codes)

    if check.problems:
        return None, check.problems
    code_list = CodeListSpec(
        file=path.name, key=key, name=name, edition=edition, version=version, source=source, codes=tuple(codes)
    )
    return code_list, []


def read_code_lists(directory: Path | None = None) -> list[CodeListSpec]:
    """Reads and checks every *.json in directory; raises ReferenceDataError listing every fault found."""
    directory = directory if directory is not None else DATA_DIR
    if not directory.is_dir():
        raise ReferenceDataError([Problem(str(directory), "", "is not a directory.")], directory=directory)
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise ReferenceDataError([Problem(str(directory), "", "holds no *.json code-list files.")], directory=directory)
    specs: list[CodeListSpec] = []
    problems: list[Problem] = []
    for path in paths:
        spec, file_problems = _read_file(path)
        problems.extend(file_problems)
        if spec is not None:
            specs.append(spec)
    if problems:
        raise ReferenceDataError(problems, directory=directory)
    return specs


def load_code_lists(directory: Path | None = None, *, dry_run: bool = False, force: bool = False) -> LoadReport:
    """Creates or updates the code lists from the fixture files in directory (reference/data by default).

    Lists without a file are left alone. A file whose version is lower than the loaded one is refused
    unless force is set. With dry_run, the report says what would change and nothing is saved.
    """
    directory = directory if directory is not None else DATA_DIR
    specs = read_code_lists(directory)
    with transaction.atomic():
        loaded_versions = dict(
            CodeList.objects.select_for_update()
            .filter(key__in=[spec.key for spec in specs])
            .values_list("key", "version")
        )
        older = [
            Problem(
                spec.file,
                "version",
                f"is {spec.version}, lower than version {loaded_versions[spec.key]} already loaded; "
                "load it with force only if going back is intended.",
            )
            for spec in specs
            if spec.key in loaded_versions and spec.version < loaded_versions[spec.key]
        ]
        if older and not force:
            raise ReferenceDataError(older, directory=directory)
        reports = tuple(_apply(spec) for spec in specs)
        if dry_run:
            transaction.set_rollback(True)
    return LoadReport(lists=reports, dry_run=dry_run)


def _apply(spec: CodeListSpec) -> ListReport:
    list_change: ListChange
    code_list = CodeList.objects.filter(pk=spec.key).first()
    if code_list is None:
        code_list = CodeList.objects.create(key=spec.key, **spec.values())
        list_change = "created"
    elif any(getattr(code_list, name) != value for name, value in spec.values().items()):
        for name, value in spec.values().items():
            setattr(code_list, name, value)
        code_list.save()
        list_change = "updated"
    else:
        list_change = "unchanged"

    stored = {row.code: row for row in Code.objects.filter(code_list=code_list)}
    to_create: list[Code] = []
    to_update: list[Code] = []
    unchanged = 0
    for code_spec in spec.codes:
        row = stored.pop(code_spec.code, None)
        values = code_spec.values()
        if row is None:
            to_create.append(Code(code_list=code_list, code=code_spec.code, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
        else:
            unchanged += 1
    updated = len(to_update)

    retired = 0
    for row in stored.values():
        if row.active:
            row.active = False
            to_update.append(row)
            retired += 1
        else:
            unchanged += 1

    Code.objects.bulk_create(to_create)
    Code.objects.bulk_update(to_update, fields=list(_UPDATABLE_CODE_FIELDS))
    if list_change == "unchanged" and (to_create or to_update):
        # Stamp the list so that label caches (lookups.cached_labels_for) see the change.
        CodeList.objects.filter(pk=code_list.pk).update(loaded_at=timezone.now())
    return ListReport(
        key=spec.key,
        file=spec.file,
        list_change=list_change,
        created=len(to_create),
        updated=updated,
        retired=retired,
        unchanged=unchanged,
    )
