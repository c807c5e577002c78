"""Writes for organisations, staff and API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import ApiKey, Organisation, OrganisationType, Partnership, StaffMember, User
from ceangal.partners.roles import Role
from ceangal.reference import lookups

TRAINING_VALID_FOR = dt.timedelta(days=365)


def _audit(by: User | None, action: str, obj: Model, *, organisation_id: int | None, **extra: Any) -> None:
    """The audit event of a partners write; must run inside the write's transaction."""
    audit_record(
        actor_user_id=by.pk if by else None,
        organisation_id=organisation_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        **extra,
    )


API_KEY_PREFIX = "cgl_"


def staff_create(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | str,
    password: str | None = None,
    job_title: str = "",
    training_completed_on: dt.date | None = None,
    created_by: User | None = None,
    is_service_account: bool = False,
) -> StaffMember:
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address in the form name@example.org."]
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = ["A user with this email address already exists; use a different address."]
    if role not in Role.values:
        errors["role"] = [f"Choose one of: {', '.join(Role.values)}."]
    if not first_name.strip():
        errors["first_name"] = ["Enter a first name."]
    if not last_name.strip():
        errors["last_name"] = ["Enter a last name."]
    if password is not None:
        try:
            validate_password(password, User(email=email, first_name=first_name, last_name=last_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            username=email, email=email, password=password, first_name=first_name.strip(), last_name=last_name.strip()
        )
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        staff = StaffMember.objects.create(
            user=user,
            organisation=organisation,
            role=role,
            job_title=job_title,
            training_completed_on=training_completed_on,
            training_expires_on=(training_completed_on + TRAINING_VALID_FOR) if training_completed_on else None,
            is_service_account=is_service_account,
        )
        _audit(created_by, "staff.created", staff, organisation_id=organisation.pk, detail={"role": str(role)})
    return staff


def staff_record_training(*, staff: StaffMember, completed_on: dt.date, recorded_by: User | None) -> StaffMember:
    if completed_on > timezone.localdate():
        raise InvalidInput({"training_completed_on": "The training date cannot be in the future."})
    with transaction.atomic():
        staff.training_completed_on = completed_on
        staff.training_expires_on = completed_on + TRAINING_VALID_FOR
        staff.save(update_fields=["training_completed_on", "training_expires_on"])
        _audit(
            recorded_by,
            "staff.training_recorded",
            staff,
            organisation_id=staff.organisation_id,
            fields=["training_completed_on", "training_expires_on"],
        )
    return staff


def staff_deactivate(*, staff: StaffMember, by: User | None) -> StaffMember:
    """Access is removed at once: the next request from this person is refused."""
    with transaction.atomic():
        staff.active = False
        staff.save(update_fields=["active"])
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
        _audit(by, "staff.deactivated", staff, organisation_id=staff.organisation_id)
    return staff


def _hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_issue(
    *, staff_member: StaffMember, name: str, created_by: User, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """Make a key and return it with its secret, which is shown once and never stored."""
    if not name.strip():
        raise InvalidInput({"name": "Give the key a name that says which system uses it."})
    issuer = getattr(created_by, "staff", None)
    if not created_by.is_superuser and (issuer is None or issuer.organisation_id != staff_member.organisation_id):
        raise NotPermitted("Keys can only be issued within your own organisation.")
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            staff_member=staff_member,
            name=name.strip(),
            prefix=prefix,
            secret_hash=_hash_secret(secret),
            created_by=created_by,
            expires_at=expires_at,
        )
        _audit(created_by, "api_key.issued", key, organisation_id=staff_member.organisation_id)
    return key, secret


def api_key_revoke(*, key: ApiKey, by: User) -> ApiKey:
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        _audit(by, "api_key.revoked", key, organisation_id=key.staff_member.organisation_id)
    return key


def api_key_authenticate(secret: str) -> StaffMember | None:
    """The staff member a presented key acts as, or None for an unknown, revoked or expired key."""
    if not secret.startswith(API_KEY_PREFIX):
        return None
    prefix = secret[len(API_KEY_PREFIX) :].split("_", 1)[0]
    key = (
        ApiKey.objects.select_related("staff_member__user", "staff_member__organisation").filter(prefix=prefix).first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if not key.staff_member.active or not key.staff_member.user.is_active:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.staff_member


def staff_update(
    *, staff: StaffMember, by: User, role: Role | str | None = None, job_title: str | None = None
) -> StaffMember:
    if role is not None and role not in Role.values:
        raise InvalidInput({"role": f"Choose one of: {', '.join(Role.values)}."})
    changed: list[str] = []
    with transaction.atomic():
        if role is not None and role != staff.role:
            staff.role = role
            changed.append("role")
        if job_title is not None and job_title != staff.job_title:
            staff.job_title = job_title
            changed.append("job_title")
        if changed:
            staff.save(update_fields=changed)
            _audit(by, "staff.changed", staff, organisation_id=staff.organisation_id, fields=changed)
    return staff


def partnership_create(
    *, name: str, slug: str, local_authority: str = "", created_by: User | None = None
) -> Partnership:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter the partnership's name."]
    if not slug.strip() or Partnership.objects.filter(slug=slug).exists():
        errors["slug"] = ["Choose a short name (letters, numbers, hyphens) that no other partnership uses."]
    local_authority = _resolve_local_authority(local_authority, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        partnership = Partnership.objects.create(name=name.strip(), slug=slug, local_authority=local_authority)
        _audit(created_by, "partnership.created", partnership, organisation_id=None)
    return partnership


def organisation_create(
    *,
    partnership: Partnership,
    name: str,
    slug: str,
    org_type: OrganisationType | str,
    local_authority: str = "",
    contact_email: str = "",
    created_by: User | None = None,
) -> Organisation:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter the organisation's name."]
    if not slug.strip() or Organisation.objects.filter(partnership=partnership, slug=slug).exists():
        errors["slug"] = ["Choose a short name that no other organisation in the partnership uses."]
    if org_type not in OrganisationType.values:
        errors["org_type"] = [f"Choose one of: {', '.join(OrganisationType.values)}."]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = ["Enter an email address in the form name@example.org."]
    local_authority = _resolve_local_authority(local_authority, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            partnership=partnership,
            name=name.strip(),
            slug=slug,
            org_type=org_type,
            local_authority=local_authority,
            contact_email=contact_email,
        )
        _audit(created_by, "organisation.created", organisation, organisation_id=organisation.pk)
    return organisation


def staff_grant_admin_site(*, staff: StaffMember, by: User | None) -> StaffMember:
    """Let an organisation admin use the Django admin (where they see only their organisation)."""
    if staff.role != Role.ORG_ADMIN:
        raise InvalidInput({"role": "Only an organisation admin may use the admin site."})
    with transaction.atomic():
        staff.user.is_staff = True
        staff.user.save(update_fields=["is_staff"])
        _audit(by, "staff.admin_site_granted", staff, organisation_id=staff.organisation_id, fields=["is_staff"])
    return staff


def _resolve_local_authority(value: str, errors: dict[str, list[str]]) -> str:
    if not value:
        return ""
    try:
        return lookups.resolve("local_authority", value)
    except lookups.UnknownCode:
        errors["local_authority"] = [f"{value!r} is not a Scottish council's GSS code (S12…); choose from the list."]
        return value
