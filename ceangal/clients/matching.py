"""Match keys: keyed hashes of a client's normalised identifiers, for finding the same person across
the partnership without comparing or revealing the identifiers themselves.

Two kinds, as issue 4 names them: the National Insurance number, and the name with date of birth
and postcode. Each is HMAC-SHA256 under a key derived from the field key for this purpose alone
(not the NI blind-index key), so a leaked table of match keys cannot be joined to the blind index
and says nothing to someone without the key. Normalisation makes small differences in how a
person typed the same identifiers (case, spacing, accents, a hyphen or an apostrophe) give the
same key; anything else (another date of birth, another postcode) gives another. docs/matching.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
import uuid
from collections.abc import Iterable
from functools import cache

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ceangal.clients import models as m
from ceangal.clients.validation import looks_like_ni_number, normalise_ni_number

# The HKDF "info" of the match-key key: a purpose of its own, beside crypto's encryption and blind
# index keys from the same master key.
_MATCH_KEY_INFO = b"ceangal match key"
_SEPARATOR = "\x1f"  # unit separator: no name, date or postcode contains it
_DROPPED = re.compile(r"['\u2019\u2018`.]")  # O'Neil, ONeil (and curly quotes) are the same name
_SPACED = re.compile(r"[\s\-\u2010\u2011\u2013]+")  # Anne-Marie and Anne Marie too


@cache
def _match_key(master_b64: str) -> bytes:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError:
        raise ImproperlyConfigured("CEANGAL_FIELD_KEY must be base64.") from None
    if len(master) != 32:
        raise ImproperlyConfigured("CEANGAL_FIELD_KEY must decode to 32 bytes (make one with `make key`).")
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=_MATCH_KEY_INFO).derive(master)


def _digest(kind: str, *parts: str) -> str:
    message = _SEPARATOR.join((kind, *parts)).encode()
    return hmac.new(_match_key(settings.FIELD_ENCRYPTION_KEY), message, hashlib.sha256).hexdigest()


def normalise_name(value: str) -> str:
    """Casefolded, without accents, apostrophes or full stops; hyphens and runs of spaces become
    one space. "  Seán  O'Brien-Kelly " and "sean obrien kelly" are the same."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_SPACED.sub(" ", _DROPPED.sub("", bare)).split())


def normalise_postcode(value: str) -> str:
    """Upper case, no spaces: "ky1 1yg" and "KY11YG" are the same."""
    return "".join(value.split()).upper()


def ni_number_key(ni_number: str) -> str | None:
    """The key of a National Insurance number, or None when it is empty or not one."""
    compact = normalise_ni_number(ni_number or "")
    if not compact or not looks_like_ni_number(compact):
        return None
    return _digest(m.MatchKind.NI_NUMBER, compact)


def name_dob_postcode_key(
    given_name: str, family_name: str, date_of_birth: dt.date | None, postcode: str
) -> str | None:
    """The key of a name with date of birth and postcode, or None when any of them is missing."""
    given, family, code = (
        normalise_name(given_name or ""),
        normalise_name(family_name or ""),
        normalise_postcode(postcode or ""),
    )
    if not (given and family and code and date_of_birth):
        return None
    return _digest(m.MatchKind.NAME_DOB_POSTCODE, given, family, date_of_birth.isoformat(), code)


def match_keys_for(
    *,
    ni_number: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
) -> dict[str, str]:
    """Every key these identifiers give, by kind."""
    keys: dict[str, str] = {}
    ni_key = ni_number_key(ni_number)
    if ni_key is not None:
        keys[m.MatchKind.NI_NUMBER] = ni_key
    name_key = name_dob_postcode_key(given_name, family_name, date_of_birth, postcode)
    if name_key is not None:
        keys[m.MatchKind.NAME_DOB_POSTCODE] = name_key
    return keys


def match_keys_refresh(identity: m.IdentitySection) -> None:
    """Make a client's match keys those of their identity section as it now is. Called by the
    client services wherever the identity section is written, in the same transaction."""
    keys = match_keys_for(
        ni_number=identity.ni_number or "",
        given_name=identity.given_name,
        family_name=identity.family_name,
        date_of_birth=identity.date_of_birth,
        postcode=identity.postcode,
    )
    m.MatchKey.objects.filter(client_id=identity.client_id).exclude(kind__in=list(keys)).delete()
    for kind, digest in keys.items():
        m.MatchKey.objects.update_or_create(client_id=identity.client_id, kind=kind, defaults={"digest": digest})


def match_keys_backfill(client_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Recompute the match keys of every live (not merged) client, or of those given; the number
    of clients done. For clients registered before match keys existed, and after a key rotation."""
    identities = m.IdentitySection.objects.filter(client__merged_into__isnull=True).order_by("pk")
    if client_ids is not None:
        identities = identities.filter(client_id__in=list(client_ids))
    done = 0
    for identity in identities.iterator(chunk_size=500):
        match_keys_refresh(identity)
        done += 1
    return done


def client_ids_merged_into(client_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of every record merged into this client, directly or through another merged record
    (tombstones keep their ids in the ledger and the audit trail)."""
    found: list[uuid.UUID] = []
    frontier = [client_id]
    while frontier:
        merged = list(m.Client.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        merged = [pk for pk in merged if pk not in found and pk != client_id]
        found.extend(merged)
        frontier = merged
    return found
