"""Synthetic partnerships for trying Ceangal at scale (`manage.py seed`) and the records the demo uses.

Everything here is made up. The partnership and organisation names say "(synthetic)", contact
emails are at example.org (RFC 2606), phone numbers are in Ofcom's drama range (07700 900xxx),
and every contact record's notes say it is a synthetic record. National Insurance numbers pass
HMRC's published format but are random, so a few may coincide with real ones; they only ever
live in synthetic data.

Deterministic. Client number i of a run with seed S draws everything from its own random stream,
`Random("ceangal-seed:S:i")`, and i continues from the number of clients the partnership already
has. So the same seed gives the same people in any partnership, seeding 50 and then 50 more gives
what seeding 100 at once would, and nothing depends on batch size. Dates are drawn as offsets
from `today`, so two runs on different days differ only by a shift of every date. Primary keys
and client references mix in the partnership slug (one UUID per slug, seed and index), so that
the same seed in two partnerships of one database cannot collide.

Fast. Clients are drafted as plain values, then written one transaction per batch (2,000 by
default) straight into the tables: executemany on SQLite, COPY on PostgreSQL (tables.TableWriter says
why not bulk_create). Each value is still prepared by its own model field, so EncryptedTextField
encrypts (AES-GCM, one value at a time) and dates, UUIDs and JSON are stored exactly as a save
would store them.

Not through clients.services. The services validate, version and audit one change at a time,
which is right for people and far too slow for 100,000 synthetic records. Instead:
- every value comes from the loaded code lists and is drawn to pass the sections' validation
  (tests/test_seed.py runs a sample of every section through clean_section, and the demo sends
  the same drafts through the services themselves);
- every item gets the initial ("+") history row a save would have written, with the change
  reason "synthetic seed", written here beside the item. simple-history's
  bulk_create_with_history was measured too: no faster than bulk_create plus our own history
  rows, and both far slower than this (docs/benchmarks.md). History costs about a third of the
  seed's time, and a record without its first version would look edited by nobody;
- the audit trail gets one AuditEvent per batch (action "seed.batch", with the seed, the first
  client number and the row counts) rather than one per row: the rows are made by a command,
  not by a person acting on a client, and an event each would double the writes and tell
  nobody anything the batch event does not.
Staff are made through partners.services.staff_create; the partnership and organisations
directly, as no service makes them yet, each with its own audit event. Client.registered_at and
each item's recorded_at are the time of the run (they are set automatically, as on save).

The package, by noun: draws (code lists and weighted picks), phrases (made-up names and places),
drafts (one client as plain values), partnership (organisations and staff), tables (the bulk
row writer) and clients (seed_clients, batch by batch). Agreements, notices and consents are
seeded by ceangal.policy.seeding, which may import agreements and consent; this package may not.
"""

from __future__ import annotations

from ceangal.clients.seeding.clients import ProgressFn, SeedReport, seed_clients
from ceangal.clients.seeding.drafts import ClientDraft, EngagementDraft, ItemDraft, client_rng, draft_client
from ceangal.clients.seeding.draws import (
    REQUIRED_CODE_LISTS,
    CodeSnapshot,
    Draws,
    ReferenceDataMissing,
    load_codes,
    load_draws,
)
from ceangal.clients.seeding.partnership import (
    DEFAULT_NAME,
    DEFAULT_SLUG,
    JOB_TITLES,
    ORGANISATIONS,
    OrgPlan,
    SeedOrganisation,
    SeedPartnership,
    ensure_partnership,
    staff_email,
)
from ceangal.clients.seeding.phrases import FIFE, SYNTHETIC_NOTE
from ceangal.clients.seeding.tables import HISTORY_REASON, TableWriter, analyze

__all__ = [
    "DEFAULT_NAME",
    "DEFAULT_SLUG",
    "FIFE",
    "HISTORY_REASON",
    "JOB_TITLES",
    "ORGANISATIONS",
    "REQUIRED_CODE_LISTS",
    "SYNTHETIC_NOTE",
    "ClientDraft",
    "CodeSnapshot",
    "Draws",
    "EngagementDraft",
    "ItemDraft",
    "OrgPlan",
    "ProgressFn",
    "ReferenceDataMissing",
    "SeedOrganisation",
    "SeedPartnership",
    "SeedReport",
    "TableWriter",
    "analyze",
    "client_rng",
    "draft_client",
    "ensure_partnership",
    "load_codes",
    "load_draws",
    "seed_clients",
    "staff_email",
]
