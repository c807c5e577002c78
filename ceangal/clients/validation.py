"""Validation of a section's input against its spec: every error at once, named by field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ceangal.clients.sections import FieldSpec, Kind, SectionSpec
from ceangal.errors import InvalidInput
from ceangal.reference import lookups
from ceangal.reference.ages import age_on

MINIMUM_AGE = 14

# HMRC's published rules: two prefix letters (not D, F, I, Q, U or V; second not O; not the
# reserved pairs), six digits, and a suffix of A to D.
_NI_RE = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")
# UK postcodes, including BFPO-free forms; normalised to upper case with one space.
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_PHONE_RE = re.compile(r"^(?:\+44|0)[0-9]{9,10}$")


def normalise_ni_number(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def looks_like_ni_number(normalised: str) -> bool:
    return bool(_NI_RE.match(normalised))


def normalise_postcode(value: str) -> str | None:
    match = _POSTCODE_RE.match(re.sub(r"\s+", " ", value.strip().upper()))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _clean_one(spec: FieldSpec, raw: Any, today: dt.date) -> Any:
    """The cleaned value, or raises ValueError with a message that says how to fix it."""
    if spec.kind == Kind.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        # An unticked checkbox is simply absent from a form post.
        text = "" if raw is None else str(raw).strip().lower()
        if text in {"true", "on", "1", "yes"}:
            return True
        if text in {"false", "off", "0", "no", ""}:
            return False
        raise ValueError("Answer yes or no.")
    if spec.kind == Kind.CODES:
        items = [str(v).strip() for v in (raw if isinstance(raw, (list, tuple)) else [raw]) if str(v).strip()]
        cleaned: list[str] = []
        for item in items:
            try:
                cleaned.append(lookups.resolve(spec.code_list, item))
            except lookups.UnknownCode:
                raise ValueError(f"{item!r} is not one of the listed options; choose from the list.") from None
        return sorted(set(cleaned))
    text = "" if raw is None else str(raw).strip()
    if text == "":
        if spec.required:
            raise ValueError(
                f"Enter {spec.label.lower()}." if spec.kind != Kind.CODE else f"Choose {spec.label.lower()}."
            )
        return None if spec.kind in {Kind.DATE, Kind.INTEGER} else ""
    if spec.kind in {Kind.TEXT, Kind.LONG_TEXT}:
        if len(text) > spec.max_length:
            raise ValueError(f"Use {spec.max_length} characters or fewer (this has {len(text)}).")
        return text
    if spec.kind == Kind.DATE:
        try:
            value = _as_date(raw)
        except ValueError:
            raise ValueError("Enter a real date in the form YYYY-MM-DD, for example 2024-03-31.") from None
        if spec.not_future and value > today:
            raise ValueError("The date cannot be in the future.")
        if value.year < 1900:
            raise ValueError("Enter a date after 1900.")
        return value
    if spec.kind == Kind.INTEGER:
        try:
            number = int(text)
        except ValueError:
            raise ValueError("Enter a whole number, for example 3.") from None
        if spec.minimum is not None and number < spec.minimum:
            raise ValueError(f"Enter a number of at least {spec.minimum}.")
        if spec.maximum is not None and number > spec.maximum:
            raise ValueError(f"Enter a number no more than {spec.maximum}.")
        return number
    if spec.kind == Kind.CODE:
        try:
            return lookups.resolve(spec.code_list, text)
        except lookups.UnknownCode:
            raise ValueError(f"{text!r} is not a known {spec.label.lower()} code; choose one from the list.") from None
    if spec.kind == Kind.CHOICE:
        allowed = [value for value, _ in spec.choices]
        if text not in allowed:
            raise ValueError(f"Choose one of: {', '.join(label for _, label in spec.choices)}.")
        return text
    if spec.kind == Kind.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError("Enter an email address in the form name@example.org.") from None
        return text.lower()
    if spec.kind == Kind.PHONE:
        digits = re.sub(r"[\s()-]", "", text)
        if not _PHONE_RE.match(digits):
            raise ValueError("Enter a UK phone number, for example 07700 900123 or +44 7700 900123.")
        return digits
    if spec.kind == Kind.POSTCODE:
        postcode = normalise_postcode(text)
        if postcode is None:
            raise ValueError("Enter a UK postcode, for example KY1 1XX.")
        return postcode
    if spec.kind == Kind.NI_NUMBER:
        ni = normalise_ni_number(text)
        if not _NI_RE.match(ni):
            raise ValueError(
                "Enter a National Insurance number in the form AB 12 34 56 C: two letters, six numbers, "
                "then A, B, C or D."
            )
        return ni
    raise AssertionError(f"Unhandled kind {spec.kind}")


def clean_section(
    spec: SectionSpec, data: Mapping[str, Any], *, today: dt.date, partial: bool = False
) -> dict[str, Any]:
    """Clean `data` for `spec`. With partial=True only the fields given are checked.

    Raises InvalidInput naming every bad field; unknown fields are errors too, so a typo in an
    API call is never silently ignored.
    """
    errors: dict[str, list[str]] = {}
    known = set(spec.field_names)
    for name in data:
        if name not in known:
            errors[name] = [f"{spec.label} has no field {name!r}. Fields are: {', '.join(spec.field_names)}."]
    cleaned: dict[str, Any] = {}
    for field_spec in spec.fields:
        if partial and field_spec.name not in data:
            continue
        try:
            cleaned[field_spec.name] = _clean_one(field_spec, data.get(field_spec.name), today)
        except ValueError as exc:
            errors[field_spec.name] = [str(exc)]
    _cross_checks(spec, cleaned, errors, today)
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _cross_checks(spec: SectionSpec, cleaned: dict[str, Any], errors: dict[str, list[str]], today: dt.date) -> None:
    dob = cleaned.get("date_of_birth")
    too_young = isinstance(dob, dt.date) and age_on(dob, today) < MINIMUM_AGE
    # Employability support starts at school-leaving age; younger people are outwith the service.
    if spec.key == "identity" and too_young and "date_of_birth" not in errors:
        errors["date_of_birth"] = [
            f"The person must be at least {MINIMUM_AGE} years old to be registered; check the date of birth."
        ]
    start, end = cleaned.get("started_on"), cleaned.get("ended_on")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors.setdefault("ended_on", []).append("The end date must be on or after the start date.")
    if spec.key == "benefits" and cleaned.get("uc_regime") and cleaned.get("benefit") not in (None, "UC"):
        errors.setdefault("uc_regime", []).append("Only give a Universal Credit regime for Universal Credit.")
