"""Signals the client services send, for higher apps to keep their own rows in step.

client_merged is sent by clients_merge inside its transaction, after everything the clients app
owns has moved to the kept record, with keep, duplicate (the tombstone) and actor: an app whose
rows point at a client (referrals, messages) re-points them there, in the same transaction, so a
failure undoes the whole merge.
"""

from __future__ import annotations

from django.dispatch import Signal

client_merged = Signal()
