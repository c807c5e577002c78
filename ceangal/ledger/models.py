"""The access ledger: one append-only, hash-chained row per decision that disclosed client data.

Rows hold plain ids (staff, user, organisation, client, agreement version, consent record,
break-glass grant), never foreign keys: the ledger must outlive, and never block, anything it
mentions, and it sits below the apps that own those rows.

Append-only is enforced three times: the model refuses to update or delete, its queryset refuses
bulk update and delete, and on PostgreSQL a trigger refuses UPDATE and DELETE from any client
(migration 0002). The hash chain (chain.py) makes whatever gets past those visible to
`manage.py ledger_verify`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from ceangal.ledger.chain import GENESIS_HASH, ChainedFields

PURPOSE_MAX_LENGTH = 80


class LedgerIsAppendOnly(RuntimeError):
    """Raised for any attempt to change or remove a ledger entry through Django."""


class Channel(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    EXPORT = "export", "Export"
    REFERRAL = "referral", "Referral"
    RETURN = "return", "Data return"
    RIGHTS = "rights", "Rights request"


def _refuse(what: str) -> NoReturn:
    raise LedgerIsAppendOnly(f"The access ledger is append-only: {what} is refused.")


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        _refuse("update")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("bulk_update")


LedgerEntryManager = models.Manager.from_queryset(LedgerEntryQuerySet)


class LedgerEntry(models.Model):
    # Position in the chain: shard picks the chain, seq counts 1, 2, 3, ... within it.
    shard = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(help_text="When the decision disclosed the data (UTC).")
    actor_staff_id = models.BigIntegerField(help_text="The staff member who was shown the data.")
    actor_user_id = models.BigIntegerField()
    organisation_id = models.BigIntegerField(help_text="The actor's organisation when it happened.")
    client_id = models.UUIDField()
    purpose = models.CharField(max_length=PURPOSE_MAX_LENGTH)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Sorted, de-duplicated, canonical: see services.record_disclosure.
    categories = models.JSONField()
    bases = models.JSONField(help_text="What each category was disclosed on: own data, agreement and consent, ...")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = LedgerEntryManager()

    class Meta:
        verbose_name_plural = "ledger entries"
        # Django's internal lookups use the base manager: make it the refusing one too.
        base_manager_name = "objects"
        default_manager_name = "objects"
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shard", "seq"], name="ledger_entry_shard_seq")]
        # One per DPO question: what happened to this client, what did this person or this
        # organisation see, what happened in this period. (shard, seq) is the verify walk.
        indexes = [
            models.Index(fields=["client_id", "at"], name="ledger_client_at"),
            models.Index(fields=["actor_staff_id", "at"], name="ledger_staff_at"),
            models.Index(fields=["organisation_id", "at"], name="ledger_org_at"),
            models.Index(fields=["at"], name="ledger_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.channel} {self.purpose} chain {self.shard} #{self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an entry")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")

    def chained_fields(self) -> ChainedFields:
        return ChainedFields(
            shard=self.shard,
            seq=self.seq,
            at=self.at,
            actor_staff_id=self.actor_staff_id,
            actor_user_id=self.actor_user_id,
            organisation_id=self.organisation_id,
            client_id=self.client_id,
            purpose=self.purpose,
            channel=self.channel,
            categories=self.categories,
            bases=self.bases,
            prev_hash=self.prev_hash,
        )


class LedgerChainHead(models.Model):
    """Where each chain ends. Locked for the length of an append, so writers to one chain queue
    briefly while writers to the others, and every reader, carry on. verify checks it against the
    last entry, which is how entries cut from the end of a chain are noticed.
    """

    shard = models.PositiveSmallIntegerField(primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"chain {self.shard} at #{self.last_seq}"
