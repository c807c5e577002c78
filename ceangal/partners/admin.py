"""The Django admin, for an organisation admin's set-up tasks: staff, training and API keys.

An organisation admin sees and changes only their own organisation's rows. Writes go through the
partner services, so each writes its audit event. Client records are deliberately not in the
admin: every read of client data goes through the policy layer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ceangal.errors import InvalidInput
from ceangal.partners import services
from ceangal.partners.models import ApiKey, Organisation, Partnership, StaffMember, User
from ceangal.partners.roles import Role


def _member(request: HttpRequest) -> StaffMember | None:
    return getattr(request.user, "staff", None)


def _is_org_admin(request: HttpRequest) -> bool:
    member = _member(request)
    return bool(request.user.is_active and member and member.active and member.role == Role.ORG_ADMIN)


class OrganisationScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers see everything; an organisation admin sees their own organisation only."""

    organisation_path = "organisation"

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _is_org_admin(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # staff are deactivated, keys revoked: nothing is deleted

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        member = _member(request)
        if member is None:
            return queryset.none()
        return queryset.filter(**{self.organisation_path: member.organisation})


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "local_authority"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_path = "pk"
    list_display = ["name", "org_type", "local_authority", "active"]
    list_filter = ["org_type", "active"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        member = _member(request)
        return queryset.filter(pk=member.organisation_id) if member else queryset.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if request.user.is_superuser else ["partnership", "slug", "org_type", "active"]


class StaffAddForm(forms.ModelForm):  # type: ignore[type-arg]
    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)

    class Meta:
        model = StaffMember
        fields = ["organisation", "role", "job_title", "training_completed_on", "is_service_account"]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists; use a different address.")
        return email


@admin.register(StaffMember)
class StaffMemberAdmin(OrganisationScopedAdmin):
    list_display = ["__str__", "role", "training_expires_on", "active", "is_service_account"]
    list_filter = ["role", "active"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    actions = ["deactivate"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = StaffAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                "email",
                "first_name",
                "last_name",
                "organisation",
                "role",
                "job_title",
                "training_completed_on",
                "is_service_account",
            ]
        return ["user", "organisation", "role", "job_title", "training_completed_on", "training_expires_on", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "organisation", "training_expires_on", "active"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        member = _member(request)
        if db_field.name == "organisation" and not request.user.is_superuser and member is not None:
            kwargs["queryset"] = Organisation.objects.filter(pk=member.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: StaffMember, form: Any, change: bool) -> None:
        data = form.cleaned_data
        user = request.user
        assert isinstance(user, User)
        try:
            if not change:
                member = _member(request)
                organisation = data["organisation"] if user.is_superuser or member is None else member.organisation
                created = services.staff_create(
                    organisation=organisation,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    job_title=data.get("job_title", ""),
                    training_completed_on=data.get("training_completed_on"),
                    created_by=user,
                    is_service_account=data.get("is_service_account", False),
                )
                # The admin goes on to log and link the row it believes it saved: give it the real one.
                obj.__dict__.update(created.__dict__)
                obj.user = created.user
                messages.info(request, "The new member of staff sets their password with 'Forgotten your password?'.")
                return
            services.staff_update(staff=obj, by=user, role=data["role"], job_title=data["job_title"])
            completed = data.get("training_completed_on")
            if completed and completed != StaffMember.objects.get(pk=obj.pk).training_completed_on:
                services.staff_record_training(staff=obj, completed_on=completed, recorded_by=user)
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                messages.error(request, f"{field}: {' '.join(problems)}")

    @admin.action(description="Deactivate the selected staff (removes access at once)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[StaffMember]) -> None:
        user = request.user
        assert isinstance(user, User)
        for staff in queryset:
            services.staff_deactivate(staff=staff, by=user)
        messages.success(request, f"Deactivated {queryset.count()} staff.")


class ApiKeyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ApiKey
        fields = ["name", "staff_member", "expires_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(OrganisationScopedAdmin):
    organisation_path = "staff_member__organisation"
    form = ApiKeyForm
    list_display = ["name", "prefix", "staff_member", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["name", "staff_member", "expires_at", "prefix", "revoked_at"] if obj else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        member = _member(request)
        if db_field.name == "staff_member" and not request.user.is_superuser and member is not None:
            kwargs["queryset"] = StaffMember.objects.filter(organisation_id=member.organisation_id, active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return  # keys are not edited: revoke and issue a new one
        user = request.user
        assert isinstance(user, User)
        data = form.cleaned_data
        key, secret = services.api_key_issue(
            staff_member=data["staff_member"], name=data["name"], created_by=user, expires_at=data.get("expires_at")
        )
        obj.__dict__.update(key.__dict__)
        messages.warning(request, f"Copy this key now; it will not be shown again: {secret}")

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        user = request.user
        assert isinstance(user, User)
        for key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(key=key, by=user)
        messages.success(request, "Revoked.")
