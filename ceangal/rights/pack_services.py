"""Access packs: generating one (by the task worker), the DPO's decision on each third-party flag,
release to the client, and reading the files back (the DPO's preview, the client's download).

Every write is one transaction with its audit event. The pack's files are stored encrypted
(ceangal.crypto) under generated names; the sha256 of each file's plain bytes is kept on the pack
and written to the audit event of the release, so the copy the client was given can be proved.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as cm
from ceangal.crypto import decrypt, encrypt
from ceangal.errors import InvalidInput, NotFound
from ceangal.partners.models import StaffMember
from ceangal.rights import pack_render, packs
from ceangal.rights.models import (
    AccessPack,
    EventKind,
    FlagDecision,
    PackFlag,
    PackFormat,
    PackStatus,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from ceangal.rights.services import _audit, _event, _require_dpo, _text, request_complete

logger = logging.getLogger(__name__)
_S = RequestStatus
PACK_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)
# Identity verified and work under way: not while identity or clarification is awaited.
PACK_FROM = (_S.IDENTITY_VERIFIED, _S.IN_PROGRESS, _S.EXTENDED)
SOURCE = "source"


def available_days() -> int:
    return int(settings.CEANGAL_PACK_AVAILABLE_DAYS)


# -- files, encrypted at rest -----------------------------------------------------------------------


def _store(pack: AccessPack, name: str, data: bytes) -> dict[str, Any]:
    sealed = encrypt(base64.b64encode(data).decode()).encode()
    stored = default_storage.save(f"rights/packs/{pack.pk}/{uuid.uuid4().hex}.enc", ContentFile(sealed))
    return {"name": stored, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _load(entry: dict[str, Any]) -> bytes:
    with default_storage.open(entry["name"], "rb") as handle:
        sealed = handle.read()
    data = base64.b64decode(decrypt(sealed.decode()))
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise RuntimeError("A stored pack file does not match its recorded hash.")
    return data


def _discard(pack: AccessPack) -> None:
    for entry in pack.files.values():
        default_storage.delete(entry["name"])


def pack_source(pack: AccessPack) -> packs.Content:
    """The assembled content, before the DPO's decisions."""
    if SOURCE not in pack.files:
        raise NotFound("This copy has not been gathered yet.")
    content: packs.Content = json.loads(_load(pack.files[SOURCE]))
    return content


def _redacted(pack: AccessPack) -> set[str]:
    return set(pack.flags.filter(decision=FlagDecision.REDACT).values_list("key", flat=True))


# -- generating -------------------------------------------------------------------------------------


def pack_generate(*, actor: StaffMember, request: RightsRequest) -> AccessPack:
    """Start gathering a copy for an access or portability request (DPO only, once identity is
    verified). An unreleased copy of the same request is replaced; a released one is kept as it is."""
    _require_dpo(actor, request)
    if request.kind not in PACK_KINDS:
        raise InvalidInput(
            {"kind": ["A copy of the client's information is made only for an access or portability request."]}
        )
    if request.status not in PACK_FROM:
        status = RequestStatus(request.status).label.lower()
        message = (
            "Verify the client's identity before gathering their information."
            if request.status in (_S.RECEIVED, _S.AWAITING_IDENTITY)
            else f"A request that is {status} cannot have a copy made now."
        )
        raise InvalidInput({"status": [message]})
    with transaction.atomic():
        replaced = list(
            AccessPack.objects.select_for_update().filter(request=request).exclude(status=PackStatus.RELEASED)
        )
        for old in replaced:
            transaction.on_commit(lambda old=old: _discard(old))  # type: ignore[misc]
            old.delete()
        pack = AccessPack.objects.create(request=request, requested_by=actor, requested_at=timezone.now())
        _audit(
            actor, "rights_request.pack_requested", request, pack=str(pack.pk), replaced=[str(o.pk) for o in replaced]
        )
        transaction.on_commit(lambda: _enqueue(pack.pk))
    return pack


def _enqueue(pack_id: uuid.UUID) -> None:
    from ceangal.rights.tasks import generate_access_pack

    generate_access_pack.enqueue(str(pack_id))


def _progress(pack: AccessPack) -> packs.Progress:
    def report(done: int, total: int, step: str) -> None:
        AccessPack.objects.filter(pk=pack.pk).update(
            status=PackStatus.GATHERING, done=done, total=total, step=step[:200]
        )

    return report


def pack_gather(pack_id: uuid.UUID | str) -> AccessPack | None:
    """The task's work: gather, store the content encrypted, find the flags. A pack replaced
    meanwhile is left alone (None); any failure marks the pack failed with a message (the error
    itself goes to the log, not the page: it may hold client data)."""
    pack = AccessPack.objects.select_related("request").filter(pk=pack_id).first()
    if pack is None or pack.status not in (PackStatus.QUEUED, PackStatus.GATHERING):
        return None
    request = pack.request
    try:
        content = packs.pack_assemble(request, progress=_progress(pack))
        found = packs.find_flags(content)
        source = _store(pack, SOURCE, json.dumps(content, ensure_ascii=False).encode())
    except Exception as exc:
        AccessPack.objects.filter(pk=pack.pk).update(
            status=PackStatus.FAILED,
            error=f"The copy could not be made ({type(exc).__name__}). Try again; if it fails again, "
            "tell the service desk.",
        )
        with transaction.atomic():
            _audit(None, "rights_request.pack_failed", request, pack=str(pack.pk), error=type(exc).__name__)
        logger.exception("Access pack %s failed", pack.pk)
        pack.refresh_from_db()
        return pack
    with transaction.atomic():
        locked = AccessPack.objects.select_for_update().filter(pk=pack.pk).first()
        if locked is None:  # replaced while it was gathered
            default_storage.delete(source["name"])
            return None
        PackFlag.objects.bulk_create(
            PackFlag(pack=locked, key=f.key, where=f.where, reason=f.reason, text=f.text) for f in found
        )
        locked.files = {SOURCE: source}
        locked.status = PackStatus.READY_FOR_REVIEW
        locked.generated_at = timezone.now()
        locked.done = locked.total = max(locked.total, 1)
        locked.step = ""
        locked.save(update_fields=["files", "status", "generated_at", "done", "total", "step"])
        _audit(
            None,
            "rights_request.pack_generated",
            request,
            pack=str(pack.pk),
            organisations_searched=content["organisations_searched"],
            flags=len(found),
        )
    return locked


# -- the DPO's decisions ------------------------------------------------------------------------------


def pack_for_request(*, actor: StaffMember, request: RightsRequest) -> AccessPack | None:
    """The request's newest pack, for the DPO."""
    _require_dpo(actor, request)
    return AccessPack.objects.filter(request=request).order_by("-requested_at").first()


def _require_reviewable(pack: AccessPack) -> None:
    if pack.status != PackStatus.READY_FOR_REVIEW:
        label = PackStatus(pack.status).label.lower()
        raise InvalidInput({"status": [f"This copy is {label}: it can be reviewed only once it is ready for review."]})


def flag_decide(*, actor: StaffMember, flag: PackFlag, decision: str, reason: str) -> PackFlag:
    """Release the flagged text as it is, or redact it; the reason is the DPO's, kept for the record."""
    pack = AccessPack.objects.select_related("request").get(pk=flag.pack_id)
    _require_dpo(actor, pack.request)
    _require_reviewable(pack)
    errors: dict[str, list[str]] = {}
    if decision not in (FlagDecision.RELEASE, FlagDecision.REDACT):
        errors["decision"] = ["Choose whether to release this as it is or redact it."]
    reason = _text(reason, "reason", errors, required="Give the reason for your decision.")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Decisions are taken only while the pack waits for review: a release in between wins.
        if not AccessPack.objects.select_for_update().filter(pk=pack.pk, status=PackStatus.READY_FOR_REVIEW).exists():
            raise InvalidInput({"status": ["This copy has been released or replaced since you loaded it."]})
        flag.decision = decision
        flag.decision_reason = reason
        flag.decided_by = actor
        flag.decided_at = timezone.now()
        flag.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
        _audit(
            actor, "rights_request.pack_flag_decided", pack.request, pack=str(pack.pk), flag=flag.pk, decision=decision
        )
    return flag


def pack_preview(*, actor: StaffMember, pack: AccessPack, fmt: str) -> bytes:
    """The copy as it would be released with the decisions so far (undecided flags shown as they
    are), for the DPO; once released, the released file itself."""
    _require_dpo(actor, pack.request)
    fmt = _format(pack, fmt)
    if pack.status == PackStatus.RELEASED:
        data = _load(pack.files[fmt])
    else:
        _require_reviewable(pack)
        data = pack_render.render(packs.apply_decisions(pack_source(pack), _redacted(pack)), fmt)
    with transaction.atomic():
        _audit(actor, "rights_request.pack_previewed", pack.request, pack=str(pack.pk), format=fmt)
    return data


def _format(pack: AccessPack, fmt: str) -> PackFormat:
    allowed = pack_render.formats_for(pack.request.kind)
    if fmt not in allowed:
        raise InvalidInput({"format": [f"Choose one of these formats: {', '.join(allowed)}."]})
    return PackFormat(fmt)


DOCUMENT_PREFIX = "document-"


def _document_files(pack: AccessPack, content: packs.Content) -> dict[str, dict[str, Any]]:
    """The documents released with the copy, copied into its own encrypted files: the copy stays
    whole if a document is later changed or deleted. One removed since gathering is left out."""
    files: dict[str, dict[str, Any]] = {}
    for document in packs.released_documents(content):
        row = cm.Document.objects.filter(pk=document["id"], client_id=pack.request.client_id).first()
        if row is None or not row.file:
            continue
        with row.file.open("rb") as handle:
            data = handle.read()
        entry = _store(pack, f"{DOCUMENT_PREFIX}{row.pk}", data)
        entry |= {"document": row.pk, "original_name": row.original_name, "content_type": row.content_type}
        files[f"{DOCUMENT_PREFIX}{row.pk}"] = entry
    return files


def pack_release(*, actor: StaffMember, pack: AccessPack, complete: bool = False, note: str = "") -> AccessPack:
    """Release the copy to the client: every flag must be decided. The files are rendered with the
    redactions and stored; the hashes go to the audit event; the request's timeline records it;
    with `complete`, the request is completed too (the note says what the client was sent)."""
    request = pack.request
    _require_dpo(actor, request)
    _require_reviewable(pack)
    undecided = list(pack.flags.filter(decision=FlagDecision.UNDECIDED).order_by("pk"))
    errors: dict[str, list[str]] = {}
    if undecided:
        first = undecided[0]
        errors[f"flag-{first.pk}"] = [
            f"Decide every flag before release: {len(undecided)} left, the first at {first.where}."
        ]
    if complete and not note.strip():
        note = "A copy of their information was released on their own pages."
    if errors:
        raise InvalidInput(errors)
    content = packs.apply_decisions(pack_source(pack), _redacted(pack))
    with transaction.atomic():
        locked = AccessPack.objects.select_for_update().get(pk=pack.pk)
        if locked.status != PackStatus.READY_FOR_REVIEW:
            raise InvalidInput({"status": ["This copy has been released or replaced since you loaded it."]})
        files = {SOURCE: locked.files[SOURCE]}
        for fmt in pack_render.formats_for(request.kind):
            files[str(fmt)] = _store(locked, str(fmt), pack_render.render(content, fmt))
        files |= _document_files(locked, content)
        locked.files = files
        locked.status = PackStatus.RELEASED
        locked.released_at = timezone.now()
        locked.released_by = actor
        locked.save(update_fields=["files", "status", "released_at", "released_by"])
        hashes = {fmt: entry["sha256"] for fmt, entry in files.items() if fmt != SOURCE}
        _event(request, EventKind.PACK_RELEASED, actor, "The copy is on the client's own pages.")
        _audit(actor, "rights_request.pack_released", request, pack=str(pack.pk), sha256=hashes)
        if complete:
            request.refresh_from_db()
            request_complete(actor=actor, request=request, note=note)
    return locked


# -- the client's copies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientCopy:
    id: uuid.UUID
    kind: str
    kind_label: str
    released_at: dt.datetime
    available_until: dt.datetime
    available: bool
    formats: tuple[tuple[str, str], ...]
    # The documents released with it: (id, file name, size in bytes).
    documents: tuple[tuple[int, str, int], ...] = ()


def client_copies(client_id: uuid.UUID, *, now: dt.datetime | None = None) -> list[ClientCopy]:
    """The client's released copies, newest first: each downloadable for CEANGAL_PACK_AVAILABLE_DAYS."""
    now = now or timezone.now()
    days = dt.timedelta(days=available_days())
    released = AccessPack.objects.filter(request__client_id=client_id, status=PackStatus.RELEASED).select_related(
        "request"
    )
    copies = []
    for pack in released.order_by("-released_at"):
        assert pack.released_at is not None
        until = pack.released_at + days
        copies.append(
            ClientCopy(
                id=pack.pk,
                kind=str(pack.request.kind),
                kind_label=str(RequestKind(pack.request.kind).label),
                released_at=pack.released_at,
                available_until=until,
                available=now < until,
                formats=tuple((str(f), str(f.label)) for f in pack_render.formats_for(pack.request.kind)),
                documents=tuple(
                    (int(entry["document"]), str(entry["original_name"]), int(entry["bytes"]))
                    for key, entry in sorted(pack.files.items())
                    if key.startswith(DOCUMENT_PREFIX)
                ),
            )
        )
    return copies


def _client_pack(client_id: uuid.UUID, pack_id: object, now: dt.datetime) -> AccessPack:
    try:
        key = uuid.UUID(str(pack_id))
    except ValueError:
        raise NotFound("No such copy.") from None
    pack = (
        AccessPack.objects.select_related("request")
        .filter(pk=key, request__client_id=client_id, status=PackStatus.RELEASED)
        .first()
    )
    if pack is None or pack.released_at is None or now >= pack.released_at + dt.timedelta(days=available_days()):
        raise NotFound("No such copy.")
    return pack


def _audit_download(pack: AccessPack, client_id: uuid.UUID, action: str, **detail: object) -> None:
    with transaction.atomic():
        audit_record(
            actor_user_id=None,
            organisation_id=pack.request.received_by_id,
            action=action,
            object_type="access_pack",
            object_id=pack.pk,
            client_id=client_id,
            detail=detail,
        )


@dataclass(frozen=True)
class ClientDocument:
    name: str
    content_type: str
    data: bytes


def client_copy_document(
    *, client_id: uuid.UUID, pack_id: object, document_id: int, now: dt.datetime | None = None
) -> ClientDocument:
    """A document released with the client's own copy, audited; NotFound for anything else,
    including a document the DPO withheld."""
    pack = _client_pack(client_id, pack_id, now or timezone.now())
    entry = pack.files.get(f"{DOCUMENT_PREFIX}{document_id}")
    if entry is None:
        raise NotFound("No such document in this copy.")
    data = _load(entry)
    _audit_download(pack, client_id, "portal.copy_document_downloaded", document=document_id, sha256=entry["sha256"])
    return ClientDocument(str(entry["original_name"]), str(entry["content_type"]), data)


def client_copy_download(*, client_id: uuid.UUID, pack_id: object, fmt: str, now: dt.datetime | None = None) -> bytes:
    """One released file of the client's own pack, audited. Anyone else's pack, an unreleased one,
    one past its time, or an unknown id: NotFound, the same for each."""
    pack = _client_pack(client_id, pack_id, now or timezone.now())
    formats = [str(f) for f in pack_render.formats_for(pack.request.kind)]
    if fmt not in formats or fmt not in pack.files:
        raise InvalidInput({"format": [f"Choose one of these formats: {', '.join(formats)}."]})
    data = _load(pack.files[fmt])
    _audit_download(pack, client_id, "portal.copy_downloaded", format=fmt, sha256=pack.files[fmt]["sha256"])
    return data
