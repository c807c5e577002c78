"""Age bands derived from date of birth: store the date, derive the band (never ask for it)."""

from __future__ import annotations

import datetime as dt

# (code, lowest age, highest age or None). Bands roll up to YPG 16-24 and working age 16-64.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("AU16", 0, 15),
    ("A16_19", 16, 19),
    ("A20_24", 20, 24),
    ("A25_29", 25, 29),
    ("A30_34", 30, 34),
    ("A35_49", 35, 49),
    ("A50_64", 50, 64),
    ("A65P", 65, None),
)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (1 if before_birthday else 0)


def age_band(date_of_birth: dt.date, on: dt.date) -> str:
    age = age_on(date_of_birth, on)
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    raise ValueError(f"No age band for age {age}.")
