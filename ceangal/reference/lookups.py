"""Reads and checks against the code lists, used by validation everywhere above."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ceangal.db import Prepared
from ceangal.reference.models import Code, CodeList


@dataclass(frozen=True)
class CodeChoice:
    code: str
    label: str
    group: str


class UnknownCode(ValueError):
    def __init__(self, list_key: str, value: str) -> None:
        super().__init__(f"{value!r} is not a code in the {list_key} list.")
        self.list_key = list_key
        self.value = value


def choices(list_key: str, *, include_retired: bool = False) -> list[CodeChoice]:
    rows = Code.objects.filter(code_list_id=list_key)
    if not include_retired:
        rows = rows.filter(active=True)
    return [CodeChoice(code=c, label=label, group=g) for c, label, g in rows.values_list("code", "label", "group")]


def resolve(list_key: str, value: str) -> str:
    """The current code for value: superseded codes map to their replacement.

    Raises UnknownCode where the value is not in the list at all.
    """
    row = (
        Code.objects.filter(code_list_id=list_key, code=value.strip())
        .values_list("code", "active", "superseded_by")
        .first()
    )
    if row is None:
        raise UnknownCode(list_key, value)
    code, active, superseded_by = row
    if not active and superseded_by:
        return resolve(list_key, superseded_by)
    if not active:
        raise UnknownCode(list_key, value)
    return str(code)


def label(list_key: str, code: str) -> str:
    found = Code.objects.filter(code_list_id=list_key, code=code).values_list("label", flat=True).first()
    return str(found) if found is not None else code


def labels(list_key: str) -> dict[str, str]:
    return dict(Code.objects.filter(code_list_id=list_key).values_list("code", "label"))


_LAST_LOADED = Prepared(lambda: CodeList.objects.order_by("-loaded_at").values("loaded_at")[:1])
_label_cache: dict[str, Any] = {"loaded_at": None, "lists": {}}
_label_lock = threading.Lock()


def cached_labels_for(list_keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """labels_for, kept in memory until the code lists are next loaded.

    Code lists are reference data, not personal data, and change only when `load_reference` runs,
    which stamps `CodeList.loaded_at`. One small query per call reads that stamp, so a label changed
    by a load shows on the very next read, in every process.
    """
    keys = set(list_keys)
    latest = _LAST_LOADED.first()
    stamp = latest["loaded_at"] if latest else None
    with _label_lock:
        if _label_cache["loaded_at"] != stamp:
            _label_cache["loaded_at"], _label_cache["lists"] = stamp, {}
        lists: dict[str, dict[str, str]] = _label_cache["lists"]
        missing = keys - lists.keys()
    if missing:
        loaded = labels_for(missing)
        with _label_lock:
            if _label_cache["loaded_at"] == stamp:
                _label_cache["lists"].update(loaded)
        lists = {**lists, **loaded}
    return {key: lists[key] for key in keys}


def labels_for(list_keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """Labels of several code lists in one query."""
    keys = list(list_keys)
    found: dict[str, dict[str, str]] = {key: {} for key in keys}
    for list_key, code, text in Code.objects.filter(code_list_id__in=keys).values_list("code_list_id", "code", "label"):
        found[list_key][code] = text
    return found
