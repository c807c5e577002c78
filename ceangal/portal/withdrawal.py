"""A client withdrawing consent on their own pages (UK GDPR Art 7(3): as easy as giving it).

One form, one button: the client ticks the rows of a consent record to withdraw, or the whole
record, and it takes effect for the very next decision anywhere (consent_withdraw; nothing caches
consent). Adding new sharing is done with the key worker, never here.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from django.utils.translation import gettext as _

from ceangal.consent.models import ConsentEvent, ConsentRecord
from ceangal.consent.services import consent_withdraw
from ceangal.errors import InvalidInput
from ceangal.policy.subject import subject_consent


def consent_withdraw_by_client(
    *, client_id: uuid.UUID, record_id: object, scope_ids: Collection[str | int], everything: bool = False
) -> ConsentEvent:
    """Withdraw the chosen rows (or, with `everything` or every row in force ticked, the whole
    record) of one of the client's own consent records. Another client's record is NotFound."""
    consent = subject_consent(client_id, record_id)
    in_force = {row.id for row in consent.rows_in_force}
    if not in_force:
        raise InvalidInput({"scopes": [_("Nothing in this consent is in force, so there is nothing to withdraw.")]})
    chosen: set[int] = set()
    for value in scope_ids:
        try:
            chosen.add(int(value))
        except (TypeError, ValueError):
            raise InvalidInput({"scopes": [_("Choose from the parts listed.")]}) from None
    if chosen - in_force:
        raise InvalidInput({"scopes": [_("Choose from the parts listed: some you chose are not in force.")]})
    if not chosen and not everything:
        raise InvalidInput({"scopes": [_("Tick what you want to withdraw, or tick 'All of this consent'.")]})
    record = ConsentRecord.objects.get(pk=consent.id, client_id=client_id)
    if everything or chosen == in_force:
        return consent_withdraw(record=record, scopes=None, by_client=True)
    return consent_withdraw(record=record, scopes=list(record.scopes.filter(pk__in=chosen)), by_client=True)
