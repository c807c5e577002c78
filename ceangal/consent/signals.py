"""Signals the consent services send, for the layers above that must act when consent changes.

``consent_withdrawn``
    Sent by ``consent.services.consent_withdraw`` for every withdrawal it saves, and only then: a
    withdrawal refused by its checks (no actor, rows of another record, a refused record) sends
    nothing. Expiry (``consents_expire``), invalidation and refusal send nothing either.

    It is sent *inside* the withdrawal's transaction, after the withdrawal event and its audit row
    are saved, so a receiver sees the withdrawal and may write in the same transaction (a row it
    writes is kept exactly when the withdrawal is). Two consequences for receivers:

    - an exception a receiver raises rolls the withdrawal back and reaches the caller, so a
      receiver must not fail for reasons that should not stop a client withdrawing consent;
    - side effects outside the database (emails, webhooks, tasks) belong in
      ``transaction.on_commit``, never straight in the receiver, which must not assume the
      transaction commits.

    Keyword arguments (``sender`` is ``ConsentRecord``):

    ``record``
        The ``ConsentRecord`` withdrawn from.
    ``event``
        The ``ConsentEvent`` just saved (kind ``withdrawn``; its ``scopes`` are empty for a
        whole-record withdrawal, else the rows chosen).
    ``scopes``
        A list of the ``ConsentScope`` rows the withdrawal ended: the rows that were in force just
        before it (as the decision would have found them) and that it covers. For a whole-record
        withdrawal that is every row then in force; for a partial one, the chosen rows that were in
        force. It may be empty, for example for a record still awaiting its signed form or already
        expired, which let nothing be shared.
    ``actor``
        The ``StaffMember`` who recorded it, or ``None`` when the client withdrew themselves.
"""

from __future__ import annotations

import django.dispatch

consent_withdrawn = django.dispatch.Signal()
