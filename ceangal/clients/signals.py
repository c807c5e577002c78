"""Signals the client services send, for higher apps to keep their own rows in step.

client_merged is sent by clients_merge inside its transaction, after everything the clients app
owns has moved to the kept record, with keep, duplicate (the tombstone) and actor: an app whose
rows point at a client (referrals, messages) re-points them there, in the same transaction, so a
failure undoes the whole merge.
"""

from __future__ import annotations

from django.dispatch import Signal

client_merged = Signal()

# Erasure (clients.erasure). Both are sent with client, organisation_ids (the organisations whose
# data goes; every organisation when full is True) and full. Each receiver returns a list of
# (organisation id or None for the partnership as a whole, kind, count).
# - client_erasure_planned: only count what would go (the DPO's plan page); change nothing.
# - client_erased: delete it, inside the erasure's transaction (actor given too), so a failure
#   undoes the whole erasure; return what was deleted.
client_erasure_planned = Signal()
client_erased = Signal()
