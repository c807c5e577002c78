"""Writes for agreements and privacy notices: validated in full, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ceangal.agreements.models import (
    AgreementParty,
    AgreementPurpose,
    AgreementStatus,
    AgreementVersion,
    Article9Condition,
    Article10Condition,
    Frequency,
    LawfulBasis,
    NoticeStatus,
    OnEnd,
    PrivacyNotice,
    SharingAgreement,
)
from ceangal.audit.services import audit_record
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of
from ceangal.reference.purposes import Purpose


@dataclass(frozen=True)
class PurposeTerms:
    purpose: str
    lawful_basis: str
    categories: Sequence[str]
    article9_condition: str = ""
    article10_condition: str = ""
    why_necessary: str = ""


@dataclass(frozen=True)
class AgreementTerms:
    summary: str
    frequency: str
    retention: str
    retention_months: int
    on_end: str
    starts_on: dt.date
    review_on: dt.date
    parties: Sequence[Organisation]
    purposes: Sequence[PurposeTerms]
    ends_on: dt.date | None = None
    dpia_reference: str = ""
    security: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _require_dpo(actor: StaffMember) -> None:
    if not actor.active or actor.role != Role.DPO:
        raise NotPermitted("Only a data protection officer can manage agreements and notices.")


def _audit(actor: StaffMember, action: str, obj: Any, **detail: Any) -> None:
    audit_record(
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        detail=detail,
    )


def _check_terms(terms: AgreementTerms, partnership: Partnership) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not terms.summary.strip():
        add("summary", "Say why the partners share, in plain words.")
    if terms.frequency not in Frequency.values:
        add("frequency", f"Choose one of: {', '.join(Frequency.values)}.")
    if terms.on_end not in OnEnd.values:
        add("on_end", f"Say what happens to shared data at the end: {', '.join(OnEnd.values)}.")
    if not terms.retention.strip():
        add("retention", "Say how long recipients keep what they receive.")
    if terms.retention_months < 1:
        add("retention_months", "Give the retention period in months (1 or more).")
    if terms.ends_on is not None and terms.ends_on < terms.starts_on:
        add("ends_on", "The end date must be on or after the start date.")
    if terms.review_on < terms.starts_on:
        add("review_on", "The review date must be on or after the start date.")
    parties = list(terms.parties)
    if len({p.pk for p in parties}) < 2:
        add("parties", "An agreement needs at least two different partner organisations.")
    if any(p.partnership_id != partnership.pk for p in parties):
        add("parties", "Every party must be an organisation of this partnership.")
    if not terms.purposes:
        add("purposes", "Name at least one purpose.")
    seen: set[str] = set()
    for index, p in enumerate(terms.purposes):
        where = f"purposes[{index}]"
        if p.purpose not in Purpose.values:
            add(f"{where}.purpose", f"Choose one of: {', '.join(Purpose.values)}.")
        elif p.purpose in seen:
            add(f"{where}.purpose", "Each purpose appears once; put all its categories together.")
        seen.add(p.purpose)
        if not p.lawful_basis:
            add(f"{where}.lawful_basis", "Every purpose needs a lawful basis (Article 6).")
        elif p.lawful_basis not in LawfulBasis.values:
            add(f"{where}.lawful_basis", f"Choose one of: {', '.join(LawfulBasis.values)}.")
        if not p.categories:
            add(f"{where}.categories", "Name the kinds of information shared for this purpose.")
        unknown = [c for c in p.categories if c not in DataCategory.values]
        if unknown:
            add(f"{where}.categories", f"Unknown categories {unknown}; choose from {', '.join(DataCategory.values)}.")
        sensitivities = {sensitivity_of(c) for c in p.categories if c in DataCategory.values}
        if Sensitivity.SPECIAL_CATEGORY in sensitivities and p.article9_condition not in Article9Condition.values:
            add(
                f"{where}.article9_condition",
                "Special category information (health, equality) needs an Article 9 condition for this purpose.",
            )
        if Sensitivity.CRIMINAL_OFFENCE in sensitivities and p.article10_condition not in Article10Condition.values:
            add(
                f"{where}.article10_condition",
                "Conviction information needs an Article 10 condition from DPA 2018 Schedule 1 for this purpose.",
            )
    return errors


def _write_version(
    agreement: SharingAgreement, number: int, terms: AgreementTerms, actor: StaffMember
) -> AgreementVersion:
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        summary=terms.summary.strip(),
        frequency=terms.frequency,
        retention=terms.retention.strip(),
        retention_months=terms.retention_months,
        on_end=terms.on_end,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        review_on=terms.review_on,
        dpia_reference=terms.dpia_reference,
        security=terms.security,
        created_by=actor,
    )
    AgreementParty.objects.bulk_create(
        AgreementParty(version=version, organisation=org) for org in {p.pk: p for p in terms.parties}.values()
    )
    AgreementPurpose.objects.bulk_create(
        AgreementPurpose(
            version=version,
            purpose=p.purpose,
            lawful_basis=p.lawful_basis,
            article9_condition=p.article9_condition,
            article10_condition=p.article10_condition,
            categories=sorted(set(p.categories)),
            why_necessary=p.why_necessary,
        )
        for p in terms.purposes
    )
    return version


def agreement_create(*, actor: StaffMember, title: str, reference: str = "", terms: AgreementTerms) -> AgreementVersion:
    """A new agreement, as version 1 in draft, waiting for each party's sign-off."""
    _require_dpo(actor)
    partnership = actor.organisation.partnership
    errors = _check_terms(terms, partnership)
    reference = slugify(reference or title)[:60]
    if not title.strip():
        errors["title"] = ["Give the agreement a title."]
    elif SharingAgreement.objects.filter(partnership=partnership, reference=reference).exists():
        errors["reference"] = ["Another agreement already has this reference; choose a different one."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(partnership=partnership, reference=reference, title=title.strip())
        version = _write_version(agreement, 1, terms, actor)
        _audit(actor, "agreement.created", version, reference=reference)
    return version


def agreement_new_version(
    *, actor: StaffMember, agreement: SharingAgreement, terms: AgreementTerms
) -> AgreementVersion:
    """Change an agreement: a new draft version. The live one stays in force until this is signed."""
    _require_dpo(actor)
    if agreement.partnership_id != actor.organisation.partnership_id:
        raise NotPermitted("This agreement belongs to another partnership.")
    if agreement.versions.filter(status=AgreementStatus.DRAFT).exists():
        raise InvalidInput({"version": "There is already a draft version: finish or discard that one first."})
    errors = _check_terms(terms, actor.organisation.partnership)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        number = (agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = _write_version(agreement, number, terms, actor)
        _audit(actor, "agreement.version_drafted", version, number=number)
    return version


def agreement_sign(*, actor: StaffMember, version: AgreementVersion) -> AgreementVersion:
    """A party's DPO signs a draft. When the last party signs, the version comes into force and any
    earlier live version of the same agreement ends."""
    _require_dpo(actor)
    if version.status != AgreementStatus.DRAFT:
        raise InvalidInput({"status": "Only a draft can be signed; this version is already settled."})
    with transaction.atomic():
        party = (
            AgreementParty.objects.select_for_update()
            .filter(version=version, organisation_id=actor.organisation_id)
            .first()
        )
        if party is None:
            raise NotPermitted("Your organisation is not a party to this agreement.")
        if party.signed_at is not None:
            raise InvalidInput({"signed_by": f"{party.organisation} signed this on {party.signed_at:%-d %B %Y}."})
        party.signed_by = actor
        party.signed_at = timezone.now()
        party.save(update_fields=["signed_by", "signed_at"])
        _audit(actor, "agreement.signed", version, organisation=actor.organisation_id)
        if not AgreementParty.objects.filter(version=version, signed_at__isnull=True).exists():
            now = timezone.now()
            AgreementVersion.objects.filter(
                agreement_id=version.agreement_id, status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED]
            ).update(
                status=AgreementStatus.ENDED,
                status_changed_at=now,
                status_reason=f"Replaced by version {version.number}.",
            )
            version.status = AgreementStatus.ACTIVE
            version.activated_at = now
            version.status_changed_at = now
            version.save(update_fields=["status", "activated_at", "status_changed_at"])
            _audit(actor, "agreement.activated", version, number=version.number)
    return version


_TRANSITIONS = {
    AgreementStatus.SUSPENDED: {AgreementStatus.ACTIVE},
    AgreementStatus.ACTIVE: {AgreementStatus.SUSPENDED},
    AgreementStatus.ENDED: {AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED},
}


def agreement_set_status(
    *, actor: StaffMember, version: AgreementVersion, status: str, reason: str
) -> AgreementVersion:
    """Suspend, resume or end a live version. Sharing under it stops (or restarts) at once."""
    _require_dpo(actor)
    if not version.parties.filter(organisation_id=actor.organisation_id).exists():
        raise NotPermitted("Your organisation is not a party to this agreement.")
    allowed_from = _TRANSITIONS.get(AgreementStatus(status)) if status in AgreementStatus.values else None
    errors: dict[str, list[str]] = {}
    if allowed_from is None or version.status not in allowed_from:
        errors["status"] = [f"A {version.get_status_display().lower()} agreement cannot become {status}."]
    if not reason.strip():
        errors["status_reason"] = ["Say why, for the agreement's record."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        version.status = status
        version.status_reason = reason.strip()
        version.status_changed_at = timezone.now()
        try:
            version.save(update_fields=["status", "status_reason", "status_changed_at"])
        except IntegrityError:
            raise InvalidInput({"status": "Another version of this agreement is live; end that one first."}) from None
        _audit(actor, f"agreement.{status}", version, reason=reason.strip())
    return version


@dataclass(frozen=True)
class NoticeTerms:
    title: str
    body: str
    purposes: Sequence[str]
    categories: Sequence[str]
    controllers: Sequence[Organisation]
    retention: str
    rights: str
    recipients: Sequence[Organisation] = ()
    recipient_types: Sequence[str] = ()
    language: str = "en"


def _check_notice(terms: NoticeTerms, partnership: Partnership) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not terms.title.strip():
        errors["title"] = ["Give the notice a title."]
    if not terms.body.strip():
        errors["body"] = ["Write the notice the client will read."]
    bad_purposes = [p for p in terms.purposes if p not in Purpose.values]
    if not terms.purposes or bad_purposes:
        errors["purposes"] = [f"Name the purposes, from: {', '.join(Purpose.values)}."]
    bad_categories = [c for c in terms.categories if c not in DataCategory.values]
    if not terms.categories or bad_categories:
        errors["categories"] = [f"Name the kinds of information, from: {', '.join(DataCategory.values)}."]
    if not terms.controllers:
        errors["controllers"] = ["Name the controllers (the partners responsible for the data)."]
    bad_types = [t for t in terms.recipient_types if t not in OrganisationType.values]
    if bad_types:
        errors["recipient_types"] = [f"Unknown organisation types {bad_types}."]
    if not terms.recipients and not terms.recipient_types:
        errors["recipients"] = ["Name who the information may be shared with: organisations or kinds of organisation."]
    if any(o.partnership_id != partnership.pk for o in (*terms.controllers, *terms.recipients)):
        errors["recipients"] = ["Controllers and recipients must be organisations of this partnership."]
    if not terms.retention.strip():
        errors["retention"] = ["Say how long information is kept."]
    if not terms.rights.strip():
        errors["rights"] = ["Tell the client their rights, including how to complain to the ICO."]
    return errors


def notice_create(*, actor: StaffMember, terms: NoticeTerms) -> PrivacyNotice:
    _require_dpo(actor)
    partnership = actor.organisation.partnership
    errors = _check_notice(terms, partnership)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        number = (
            PrivacyNotice.objects.filter(partnership=partnership)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        ) + 1
        notice = PrivacyNotice.objects.create(
            partnership=partnership,
            version=number,
            title=terms.title.strip(),
            body=terms.body.strip(),
            language=terms.language,
            purposes=sorted(set(terms.purposes)),
            categories=sorted(set(terms.categories)),
            recipient_types=sorted(set(terms.recipient_types)),
            retention=terms.retention.strip(),
            rights=terms.rights.strip(),
            created_by=actor,
        )
        notice.controllers.set(terms.controllers)
        notice.recipients.set(terms.recipients)
        _audit(actor, "notice.created", notice, version=number)
    return notice


def notice_publish(*, actor: StaffMember, notice: PrivacyNotice) -> PrivacyNotice:
    """Publish a draft. From now on it is fixed; consents are recorded against it."""
    _require_dpo(actor)
    if notice.status != NoticeStatus.DRAFT:
        raise InvalidInput({"status": "Only a draft notice can be published."})
    with transaction.atomic():
        notice.status = NoticeStatus.PUBLISHED
        notice.published_at = timezone.now()
        notice.save(update_fields=["status", "published_at"])
        _audit(actor, "notice.published", notice)
    return notice
