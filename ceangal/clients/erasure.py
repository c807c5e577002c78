"""Erasure (UK GDPR Art 17): what would go, and carrying it out in one transaction with its proof.

The DPO first sees a plan: per organisation, how many items of each section, documents, consent
records and their evidence scans, referrals and messages, match keys and the client's own sign-in
would be erased. An organisation may keep its data under an Art 17(3) exemption (a public task, a
legal obligation, legal claims), which the DPO names with a reason.

Carrying it out is one transaction: the items and every one of their history rows (history would
otherwise keep the data), engagements, match keys, restrictions, objections and lifted holds here;
the apps above delete their own rows on the client_erased signal (consent records and their
scans, referrals and messages, the client's sign-in). Files are removed from storage once the
transaction commits. When no organisation keeps anything, the client row becomes an anonymised
tombstone (`erased_at` set, not discoverable; it never held names or contact details, which live in
the sections) because rights requests, ledger entries and notices point at its id. When some
organisations are exempt, only the others' data goes, the row stays as it is, and so do the
client's sign-in and any restriction or objection (they still govern what the exempt keep).

Refused while a legal hold stands: the refusal names the hold, and nothing changes. The
ErasureRecord says what was done, by whom and why, in counts: no personal data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.holds import standing_holds
from ceangal.clients.sections import SECTIONS, SectionSpec
from ceangal.clients.signals import client_erased, client_erasure_planned
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role

# The counts an erasure reports, by kind, besides one per section key.
KIND_LABELS: dict[str, str | Promise] = {
    **{spec.key: spec.label for spec in SECTIONS},
    "document_files": _("Document files"),
    "engagements": _("Engagements"),
    "match_keys": _("Match keys"),
    "restrictions": _("Restrictions of processing"),
    "objections": _("Objections"),
    "legal_holds": _("Lifted legal holds"),
    "consent_records": _("Consent records"),
    "consent_evidence": _("Consent evidence scans"),
    "referrals": _("Referrals (with their free text)"),
    "messages": _("Secure messages"),
    "portal_access": _("The client's own sign-in and contact details"),
    "break_glass_grants": _("Break-glass grants"),
}
PARTNERSHIP = "partnership"  # the key for counts that belong to no one organisation
REASON_MAX = 2000

type CountLine = tuple[int | None, str, int]


@dataclass(frozen=True)
class Exemption:
    """An organisation that keeps its data, the Art 17(3) ground and the DPO's reason."""

    organisation_id: int
    exemption: str
    reason: str


@dataclass(frozen=True)
class OrganisationPlan:
    organisation_id: int | None
    name: str
    counts: tuple[tuple[str, str, int], ...]  # (kind, label, count)

    @property
    def total(self) -> int:
        return sum(count for _kind, _label, count in self.counts)


def _require_dpo(actor: StaffMember, client: m.Client) -> None:
    if not actor.active or actor.role != Role.DPO:
        raise NotPermitted("Only the partnership's data protection officer can erase a client's information.")
    if client.registered_by.partnership_id != actor.organisation.partnership_id:
        raise NotFound("No such client.")


def _section_order() -> list[SectionSpec]:
    # Follow-ups belong to an outcome: delete them first, so the outcome's cascade finds none.
    return sorted(SECTIONS, key=lambda spec: 0 if spec.key == "follow_ups" else 1)


def _only(rows: models.QuerySet[Any], field: str, organisation_ids: set[int] | None) -> models.QuerySet[Any]:
    return rows if organisation_ids is None else rows.filter(**{f"{field}__in": organisation_ids})


def _local_counts(client: m.Client, organisation_ids: set[int] | None, full: bool) -> list[CountLine]:
    lines: list[CountLine] = []
    for spec in _section_order():
        grouped = _only(spec.rows(client), "supplied_by_id", organisation_ids).order_by().values("supplied_by_id")
        for row in grouped.annotate(n=models.Count("pk")):
            lines.append((row["supplied_by_id"], spec.key, row["n"]))
            if spec.key == "documents":
                lines.append((row["supplied_by_id"], "document_files", row["n"]))
    engagements = _only(m.Engagement.objects.filter(client=client), "organisation_id", organisation_ids)
    for row in engagements.order_by().values("organisation_id").annotate(n=models.Count("pk")):
        lines.append((row["organisation_id"], "engagements", row["n"]))
    if _identity_goes(client, organisation_ids):
        lines.append((None, "match_keys", m.MatchKey.objects.filter(client=client).count()))
    if full:
        lines.append((None, "restrictions", m.ProcessingRestriction.objects.filter(client=client).count()))
        lines.append((None, "objections", m.Objection.objects.filter(client=client).count()))
        lines.append((None, "legal_holds", m.LegalHold.objects.filter(client=client).count()))
    return [line for line in lines if line[2]]


def _identity_goes(client: m.Client, organisation_ids: set[int] | None) -> bool:
    if organisation_ids is None:
        return True
    return m.IdentitySection.objects.filter(client=client, supplied_by_id__in=organisation_ids).exists()


def _signal_counts(responses: Iterable[tuple[Any, Any]]) -> list[CountLine]:
    lines: list[CountLine] = []
    for _receiver, response in responses:
        lines.extend(line for line in (response or []) if line[2])
    return lines


def organisations_holding(client: m.Client, extra: Iterable[CountLine] = ()) -> list[int]:
    """Every organisation that holds something about the client, from a full plan's counts."""
    lines = [*_local_counts(client, None, True), *_signal_counts(_planned(client, None, True)), *extra]
    return sorted({org for org, _kind, _n in lines if org is not None})


def _planned(client: m.Client, organisation_ids: set[int] | None, full: bool) -> list[tuple[Any, Any]]:
    return client_erasure_planned.send(sender=m.Client, client=client, organisation_ids=organisation_ids, full=full)


def _group(lines: Iterable[CountLine]) -> dict[int | None, dict[str, int]]:
    grouped: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org, kind, n in lines:
        grouped[org][kind] += n
    return grouped


def erasure_plan(*, actor: StaffMember, client: m.Client, extra: Iterable[CountLine] = ()) -> list[OrganisationPlan]:
    """What a full erasure would remove, per organisation (None: the partnership as a whole)."""
    _require_dpo(actor, client)
    lines = [*_local_counts(client, None, True), *_signal_counts(_planned(client, None, True)), *extra]
    grouped = _group(lines)
    names = dict(Organisation.objects.filter(pk__in=[o for o in grouped if o is not None]).values_list("pk", "name"))
    plans = [
        OrganisationPlan(
            organisation_id=org,
            name=names.get(org, "") if org is not None else "",
            counts=tuple((kind, str(KIND_LABELS.get(kind, kind)), n) for kind, n in sorted(counts.items())),
        )
        for org, counts in grouped.items()
    ]
    return sorted(plans, key=lambda p: (p.organisation_id is None, p.name))


def hold_problem(client: m.Client) -> str | None:
    hold = standing_holds(client.pk).order_by("placed_at").first()
    if hold is None:
        return None
    reference = f" (reference {hold.reference})" if hold.reference else ""
    return (
        f"A legal hold placed on {timezone.localtime(hold.placed_at):%d %B %Y}{reference} stands: nothing may be "
        "erased until the data protection officer lifts it."
    )


def _clean_exemptions(
    exemptions: Iterable[Exemption], allowed: Mapping[str, str], holding: set[int]
) -> tuple[list[Exemption], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: list[Exemption] = []
    for ex in exemptions:
        field = f"exemption_{ex.organisation_id}"
        reason = (ex.reason or "").strip()
        if ex.organisation_id not in holding:
            errors[field] = ["This organisation holds nothing about the client: it cannot keep anything."]
        elif ex.exemption not in allowed:
            errors[field] = ["Choose the Art 17(3) ground this organisation relies on: " + ", ".join(allowed.values())]
        elif not reason:
            errors[f"reason_{ex.organisation_id}"] = [
                "Say why this organisation must keep the information (without naming the client)."
            ]
        elif len(reason) > REASON_MAX:
            errors[f"reason_{ex.organisation_id}"] = [f"Keep the reason to {REASON_MAX} characters or fewer."]
        cleaned.append(Exemption(ex.organisation_id, ex.exemption, reason))
    return cleaned, errors


def _delete_files(storage_names: list[tuple[Storage, str]]) -> None:
    for storage, name in storage_names:
        storage.delete(name)


def client_erase(
    *,
    actor: StaffMember,
    client: m.Client,
    exemptions: Iterable[Exemption],
    allowed_exemptions: Mapping[str, str],
    request_id: Any = None,
    extra_lines: Iterable[CountLine] = (),
) -> m.ErasureRecord:
    """Erase the client's information, except that of exempt organisations. Must be called by
    the rights app (which deletes what it holds above, like break-glass grants, in the same
    transaction and passes their counts as `extra_lines`)."""
    _require_dpo(actor, client)
    holding = set(organisations_holding(client, extra_lines))
    kept, errors = _clean_exemptions(exemptions, allowed_exemptions, holding)
    problem = hold_problem(client)
    if problem:
        errors["hold"] = [problem]
    if client.erased_at is not None:
        errors["client"] = ["This client's information has already been erased."]
    if errors:
        raise InvalidInput(errors)
    full = not kept
    kept_ids = {ex.organisation_id for ex in kept}
    organisation_ids: set[int] | None = None if full else holding - kept_ids
    files: list[tuple[Storage, str]] = []
    lines: list[CountLine] = [*extra_lines]
    with transaction.atomic():
        # Lock the client row: a second erasure or a merge waits, then sees erased_at.
        m.Client.objects.select_for_update().filter(pk=client.pk).first()
        if standing_holds(client.pk).exists():
            raise InvalidInput({"hold": [hold_problem(client) or ""]})
        identity_goes = _identity_goes(client, organisation_ids)
        for spec in _section_order():
            rows = _only(spec.rows(client), "supplied_by_id", organisation_ids)
            ids_by_org: dict[int, list[int]] = defaultdict(list)
            for pk, org in rows.values_list("pk", "supplied_by_id"):
                ids_by_org[org].append(pk)
            if spec.key == "documents":
                for doc in m.Document.objects.filter(pk__in=[pk for ids in ids_by_org.values() for pk in ids]):
                    if doc.file and doc.file.name:
                        files.append((doc.file.storage, doc.file.name))
            all_ids = [pk for ids in ids_by_org.values() for pk in ids]
            spec.model._default_manager.filter(pk__in=all_ids).delete()
            history = getattr(spec.model, "history")  # noqa: B009 (added by simple-history)
            history.filter(id__in=all_ids).delete()
            if full:
                history.filter(client_id=client.pk).delete()
            for org, ids in ids_by_org.items():
                lines.append((org, spec.key, len(ids)))
                if spec.key == "documents":
                    lines.append((org, "document_files", len(ids)))
        engagements = _only(m.Engagement.objects.filter(client=client), "organisation_id", organisation_ids)
        engagement_ids: dict[int, list[int]] = defaultdict(list)
        for pk, org in engagements.values_list("pk", "organisation_id"):
            engagement_ids[org].append(pk)
        flat = [pk for ids in engagement_ids.values() for pk in ids]
        m.Engagement.objects.filter(pk__in=flat).delete()
        engagement_history = getattr(m.Engagement, "history")  # noqa: B009 (added by simple-history)
        engagement_history.filter(id__in=flat).delete()
        if full:
            engagement_history.filter(client_id=client.pk).delete()
        lines += [(org, "engagements", len(ids)) for org, ids in engagement_ids.items()]
        if identity_goes:
            lines.append((None, "match_keys", m.MatchKey.objects.filter(client=client).delete()[0]))
        responses = client_erased.send(
            sender=m.Client, client=client, organisation_ids=organisation_ids, full=full, actor=actor
        )
        for _receiver, response in responses:
            returned: list[Any] = list(response or [])  # type: ignore[arg-type]  # receivers return lines
            for line in returned:
                # (organisation, kind, count) and, for files, the (storage, name) pairs to remove.
                lines.append((line[0], line[1], line[2]))
                if len(line) > 3:
                    files.extend(line[3])
        if full:
            lines.append((None, "restrictions", m.ProcessingRestriction.objects.filter(client=client).delete()[0]))
            lines.append((None, "objections", m.Objection.objects.filter(client=client).delete()[0]))
            lines.append((None, "legal_holds", m.LegalHold.objects.filter(client=client).delete()[0]))
            m.Client.objects.filter(pk=client.pk).update(
                erased_at=timezone.now(), discoverable=False, processing_restricted=False, objected_purposes=[]
            )
            client.refresh_from_db()
        counts = {
            (str(org) if org is not None else PARTNERSHIP): dict(sorted(kinds.items()))
            for org, kinds in _group(line for line in lines if line[2]).items()
        }
        record = m.ErasureRecord.objects.create(
            client=client,
            request_id=request_id,
            carried_out_by=actor,
            carried_out_at=timezone.now(),
            full=full,
            counts=counts,
            exemptions=[
                {"organisation_id": ex.organisation_id, "exemption": ex.exemption, "reason": ex.reason} for ex in kept
            ],
        )
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="client.erased" if full else "client.erased_in_part",
            object_type="erasure_record",
            object_id=record.pk,
            client_id=client.pk,
            detail={
                "request": str(request_id) if request_id else "",
                "full": full,
                "kept_by": sorted(kept_ids),
                "counts": counts,
            },
        )
        transaction.on_commit(lambda: _delete_files(files))
    return record
