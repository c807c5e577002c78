"""Who a service is for, and how full it is: pure functions over plain facts.

`eligibility` answers with the criteria a client does not meet, each as a sentence a key worker
can read to the client; an empty list means eligible. A fact that is not known (None) is not held
against the client: the referral step asks for it instead. `capacity_note` says how full a
service is. Neither touches the database, so they can be property-tested and reused by the
referral checks and the "services this client is eligible for" filter.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

# A UK postcode: outward code (area letters, district digits) and inward code.
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2})([0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
# What a service may list: a postcode area ("KY") or a district ("KY1", "EH10", "W1A").
POSTCODE_AREA_RE = re.compile(r"^[A-Z]{1,2}([0-9][A-Z0-9]?)?$")


class Criteria(Protocol):
    """What eligibility reads: a directory Service, or any object with these attributes."""

    @property
    def min_age(self) -> int | None: ...
    @property
    def max_age(self) -> int | None: ...
    @property
    def local_authorities(self) -> Sequence[str]: ...
    @property
    def postcode_areas(self) -> Sequence[str]: ...
    @property
    def benefits(self) -> Sequence[str]: ...


class Capacity(Protocol):
    @property
    def places_available(self) -> int | None: ...
    @property
    def waiting_days(self) -> int | None: ...
    @property
    def active(self) -> bool: ...


def normalise_area(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def outward_code(postcode: str) -> tuple[str, str] | None:
    """(area, district) of a UK postcode: "ky1 1xx" is ("KY", "KY1"); None if it is not one."""
    match = _POSTCODE_RE.match(re.sub(r"\s+", "", postcode).upper())
    if match is None:
        return None
    area, district_digits, _inward = match.groups()
    return area, area + district_digits


def postcode_in_areas(postcode: str, areas: Collection[str]) -> bool | None:
    """Whether the postcode lies in one of the areas or districts; None if it is not a postcode."""
    outward = outward_code(postcode)
    if outward is None:
        return None
    area, district = outward
    wanted = {normalise_area(a) for a in areas}
    return area in wanted or district in wanted


def _listed(codes: Sequence[str], labels: Mapping[str, str]) -> str:
    names = [labels.get(code, code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def eligibility(
    service: Criteria,
    age: int | None = None,
    local_authority: str | None = None,
    postcode: str | None = None,
    benefits: Collection[str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """The service's criteria the client does not meet, in plain words; empty means eligible.

    `labels` turns codes (council GSS codes, benefit codes) into names; a code without a label is
    shown as it is.
    """
    names = labels or {}
    unmet: list[str] = []
    if age is not None:
        if service.min_age is not None and age < service.min_age:
            unmet.append(f"The service is for people aged {service.min_age} and over; the client is {age}.")
        if service.max_age is not None and age > service.max_age:
            unmet.append(f"The service is for people aged up to {service.max_age}; the client is {age}.")
    if local_authority and service.local_authorities and local_authority not in service.local_authorities:
        unmet.append(
            f"The service covers {_listed(service.local_authorities, names)}; "
            f"the client lives in {names.get(local_authority, local_authority)}."
        )
    if postcode and service.postcode_areas:
        inside = postcode_in_areas(postcode, service.postcode_areas)
        areas = ", ".join(normalise_area(a) for a in service.postcode_areas)
        if inside is None:
            unmet.append(
                f"The service covers postcodes {areas}, and the client's postcode is not a UK postcode to check."
            )
        elif not inside:
            unmet.append(f"The service covers postcodes {areas}; the client's postcode is outside them.")
    if benefits is not None and service.benefits and not set(benefits) & set(service.benefits):
        unmet.append(f"The service is for people receiving {_listed(service.benefits, names)}.")
    return unmet


def is_full(service: Capacity) -> bool:
    return service.places_available == 0


def capacity_note(service: Capacity) -> str:
    """How full the service is, in plain words."""
    if not service.active:
        return "This service has been retired and is not taking referrals."
    if service.places_available is None:
        places = "Places are not limited"
    elif service.places_available == 0:
        places = "No places available at the moment"
    elif service.places_available == 1:
        places = "1 place available"
    else:
        places = f"{service.places_available} places available"
    if service.waiting_days is None or service.waiting_days == 0:
        wait = "no waiting time" if service.waiting_days == 0 else ""
    elif service.waiting_days == 1:
        wait = "waiting time about 1 day"
    else:
        wait = f"waiting time about {service.waiting_days} days"
    return f"{places}; {wait}." if wait else f"{places}."
