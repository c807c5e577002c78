"""Code lists read once per run, and weighted draws over them (who the synthetic clients are)."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ceangal.clients.sections import SECTIONS
from ceangal.clients.services import EMPLOYMENT_DESTINATION
from ceangal.reference.models import Code

# Every code list a section field draws from, plus exit_reason for closed engagements.
REQUIRED_CODE_LISTS: tuple[str, ...] = tuple(
    sorted({f.code_list for spec in SECTIONS for f in spec.fields if f.code_list} | {"exit_reason"})
)


class ReferenceDataMissing(Exception):
    """The code lists the generator draws from are not loaded."""


@dataclass(frozen=True)
class CodeSnapshot:
    """The active codes of each list, in the lists' own order, read once per run."""

    lists: Mapping[str, tuple[str, ...]]

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self.lists[key]


def load_codes() -> CodeSnapshot:
    found: dict[str, list[str]] = {key: [] for key in REQUIRED_CODE_LISTS}
    rows = (
        Code.objects.filter(code_list_id__in=REQUIRED_CODE_LISTS, active=True)
        .order_by("code_list_id", "sort_order", "code")
        .values_list("code_list_id", "code")
    )
    for list_key, code in rows:
        found[list_key].append(code)
    missing = [key for key, codes in found.items() if not codes]
    if missing:
        raise ReferenceDataMissing(
            f"The code lists {', '.join(missing)} are not loaded, and synthetic records must use real codes. "
            "Load them first with `manage.py load_reference` (or `make reference`)."
        )
    return CodeSnapshot({key: tuple(codes) for key, codes in found.items()})


class _Weighted:
    """A weighted choice over the codes a list really has; codes without a weight get `default`."""

    def __init__(self, options: Sequence[str], weights: Mapping[str, float], default: float = 1.0) -> None:
        self.options = tuple(options)
        self.cum = list(itertools.accumulate(weights.get(o, default) for o in self.options))

    def pick(self, rng: random.Random) -> str:
        return self.options[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


class Draws:
    """Weighted pickers over the loaded codes, built once per run (load_draws)."""

    def __init__(self, codes: CodeSnapshot) -> None:
        self.codes = codes
        w = _Weighted
        self.sex = w(codes["sex"], {"F": 47, "M": 49, "PNS": 4})
        self.yes_no_pns = w(codes["yes_no_pns"], {"Y": 20, "N": 75, "PNS": 5})
        self.parent = w(codes["yes_no_pns"], {"Y": 35, "N": 62, "PNS": 3})
        self.trans = w(codes["yes_no_pns"], {"Y": 1, "N": 95, "PNS": 4})
        self.orientation = w(codes["sexual_orientation"], {"SO_STR": 85, "PNS": 8}, default=2)
        self.ethnicity = w(codes["ethnicity"], {"W_SCO": 80, "W_OBR": 6, "W_POL": 3, "PNS": 2}, default=0.5)
        self.care = w(codes["care_experience"], {"CE_NEVER": 85, "CE_PREV": 8, "CE_CUR": 2, "PNS": 5})
        self.severity = w(codes["severity"], {"LOW": 30, "MODERATE": 45, "HIGH": 25})
        self.identified_by = w(codes["identified_by"], {"SELF": 40, "KEY_WORKER": 45, "REFERRER": 15})
        self.limitation = w(codes["disability_limitation"], {"LOT": 30, "LITTLE": 45, "NOT_AT_ALL": 20, "PNS": 5})
        self.benefit = w(codes["benefit"], {"UC": 60, "PIP": 10, "ADP": 10, "ESA_NS": 5, "CA": 3, "NONE": 8}, 0.3)
        self.uc_regime = w(codes["uc_regime"], {"IWS": 35, "LIGHT": 10, "WORK_PREP": 20, "WFI": 5, "NWRR": 20})
        self.destination = w(
            codes["destination"], {EMPLOYMENT_DESTINATION: 50, "D_FE": 10, "D_TRAIN": 10, "D_VOL": 8, "D_HE": 5}, 3
        )
        self.employment_type = w(codes["destination_employment_type"], {"FT": 45, "PT": 40, "SELF": 5, "MA": 10})
        self.follow_up = w(
            [c for c in codes["follow_up_status"] if c != "NOT_DUE"],
            {"IN_EMP": 70, "NOT_EMP": 15, "NO_ENGAGE": 10, "UNKNOWN": 5},
        )
        self.barriers = codes["barrier"]
        self.conditions = tuple(c for c in codes["condition_type"] if c != "PNS")
        self.priority_family = tuple(c for c in codes["priority_family"] if c != "PNS")
        self.activity_types = codes["activity_type"]
        self.exit_reasons = codes["exit_reason"]
        self.scqf = codes["scqf_level"]
        self.local_authorities = frozenset(codes["local_authority"])
        self.stages = codes["pipeline_stage"]

    def code(self, list_key: str, preferred: str, rng: random.Random) -> str:
        """The preferred code if this edition of the list has it, otherwise any code of the list."""
        options = self.codes[list_key]
        return preferred if preferred in options else rng.choice(options)


def load_draws() -> Draws:
    """Raises ReferenceDataMissing if the code lists are not loaded."""
    return Draws(load_codes())
