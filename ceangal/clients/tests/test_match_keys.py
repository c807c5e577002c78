"""Match keys: keyed hashes of normalised identifiers, kept up to date with the identity section."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from ceangal.clients import models as m
from ceangal.clients.matching import (
    match_keys_backfill,
    name_dob_postcode_key,
    ni_number_key,
    normalise_name,
)
from ceangal.clients.services import section_save
from ceangal.crypto import blind_index
from ceangal.testing.factories import make_client

DOB = dt.date(1998, 4, 12)
# Letters with and without accents, as names are typed in Scotland and beyond.
NAME_LETTERS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzáéíóúàèìòùâêîôûçñ"))
NAMES = st.lists(st.text(NAME_LETTERS, min_size=1, max_size=10), min_size=1, max_size=3).map(" ".join)


def _strip_accents(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


def _respace(value: str, gap: str) -> str:
    return gap + gap.join(value.split()) + gap


@given(given_name=NAMES, family_name=NAMES, gap=st.sampled_from(["  ", "\t", " \n "]))
def test_case_spacing_and_accents_do_not_change_the_key(given_name: str, family_name: str, gap: str) -> None:
    key = name_dob_postcode_key(given_name, family_name, DOB, "KY1 1YG")
    assert key is not None
    assert name_dob_postcode_key(given_name.upper(), family_name.title(), DOB, "ky11yg") == key
    assert name_dob_postcode_key(_respace(given_name, gap), _respace(family_name, gap), DOB, " ky1  1yg ") == key
    assert name_dob_postcode_key(_strip_accents(given_name), _strip_accents(family_name), DOB, "KY1 1YG") == key


@given(
    given_name=NAMES,
    family_name=NAMES,
    first=st.dates(dt.date(1920, 1, 1), dt.date(2015, 12, 31)),
    second=st.dates(dt.date(1920, 1, 1), dt.date(2015, 12, 31)),
)
def test_a_different_date_of_birth_gives_a_different_key(
    given_name: str, family_name: str, first: dt.date, second: dt.date
) -> None:
    same = name_dob_postcode_key(given_name, family_name, first, "KY1 1YG") == name_dob_postcode_key(
        given_name, family_name, second, "KY1 1YG"
    )
    assert same == (first == second)


VALID_NI = st.from_regex(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]", fullmatch=True)


@given(ni=VALID_NI, gap=st.sampled_from([" ", "  ", ""]))
def test_ni_number_case_and_spacing_do_not_change_the_key(ni: str, gap: str) -> None:
    spaced = gap.join([ni[:2], ni[2:4], ni[4:6], ni[6:8], ni[8]])
    assert ni_number_key(spaced.lower()) == ni_number_key(ni)
    assert ni_number_key(ni) is not None


def test_a_different_postcode_or_name_gives_a_different_key() -> None:
    key = name_dob_postcode_key("Morag", "McLeod", DOB, "KY1 1YG")
    assert name_dob_postcode_key("Morag", "McLeod", DOB, "KY1 1YH") != key
    assert name_dob_postcode_key("Morag", "MacLeod", DOB, "KY1 1YG") != key
    assert name_dob_postcode_key("Mhairi", "McLeod", DOB, "KY1 1YG") != key


def test_apostrophes_and_hyphens_are_normalised() -> None:
    assert normalise_name("  Seán  O'Brien-Kelly ") == normalise_name("sean obrien kelly") == "sean obrien kelly"
    assert normalise_name("O\u2019Neil") == "oneil"


def test_missing_or_malformed_identifiers_give_no_key() -> None:
    assert ni_number_key("") is None
    assert ni_number_key("not an NI number") is None
    assert name_dob_postcode_key("Morag", "", DOB, "KY1 1YG") is None
    assert name_dob_postcode_key("Morag", "McLeod", None, "KY1 1YG") is None
    assert name_dob_postcode_key("Morag", "McLeod", DOB, "") is None


def test_the_key_is_keyed_and_not_the_ni_blind_index() -> None:
    key = ni_number_key("AB123456C")
    assert key is not None
    assert key != blind_index("AB123456C")
    # Without the key, a plain hash of the identifier does not give it.
    assert key != hashlib.sha256(b"AB123456C").hexdigest()
    assert key != hmac.new(b"", b"ni\x1fAB123456C", hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_registering_makes_both_keys(personas) -> None:
    client = make_client(
        personas.council_worker, given_name="Morag", family_name="McLeod", ni_number="AB 12 34 56 C", postcode="KY1 1YG"
    )
    keys = dict(m.MatchKey.objects.filter(client=client).values_list("kind", "digest"))
    assert keys == {
        "ni": ni_number_key("AB123456C"),
        "name_dob_postcode": name_dob_postcode_key("Morag", "McLeod", DOB, "KY1 1YG"),
    }


@pytest.mark.django_db
def test_changing_the_identity_section_changes_the_keys(personas) -> None:
    client = make_client(personas.council_worker, given_name="Morag", family_name="McLeod", ni_number="AB123456C")
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="identity",
        data={"family_name": "Robertson", "ni_number": ""},
        expected_version=1,
    )
    keys = dict(m.MatchKey.objects.filter(client=client).values_list("kind", "digest"))
    assert keys == {"name_dob_postcode": name_dob_postcode_key("Morag", "Robertson", DOB, "KY1 1XX")}


@pytest.mark.django_db
def test_backfill_command_makes_missing_keys(personas) -> None:
    first = make_client(personas.council_worker, given_name="Morag", family_name="McLeod")
    second = make_client(personas.council_worker, given_name="Iain", family_name="Gray", ni_number="AB123456C")
    m.MatchKey.objects.all().delete()
    call_command("match_keys_backfill")
    assert m.MatchKey.objects.filter(client=first).count() == 1
    assert m.MatchKey.objects.filter(client=second).count() == 2
    assert match_keys_backfill([first.pk]) == 1
