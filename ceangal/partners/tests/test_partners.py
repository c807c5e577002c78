from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import ApiKey, StaffMember
from ceangal.partners.roles import ROLE_CLEARANCE, Role
from ceangal.partners.services import (
    api_key_authenticate,
    api_key_issue,
    api_key_revoke,
    organisation_create,
    staff_create,
    staff_deactivate,
    staff_grant_admin_site,
    staff_record_training,
)
from ceangal.reference.categories import Sensitivity

pytestmark = pytest.mark.django_db


def test_every_role_has_a_clearance_and_only_leaders_see_convictions():
    assert set(ROLE_CLEARANCE) == set(Role)
    assert Sensitivity.CRIMINAL_OFFENCE not in ROLE_CLEARANCE[Role.KEY_WORKER]
    assert Sensitivity.CRIMINAL_OFFENCE in ROLE_CLEARANCE[Role.TEAM_LEADER]
    assert ROLE_CLEARANCE[Role.ANALYST] == frozenset()


def test_api_key_secret_is_shown_once_and_stored_hashed(personas):
    key, secret = api_key_issue(
        staff_member=personas.council_worker, name="Council MIS", created_by=personas.council_admin.user
    )
    assert secret.startswith("cgl_")
    assert secret not in key.secret_hash
    assert api_key_authenticate(secret) == personas.council_worker
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None
    assert api_key_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_key_authenticate("nonsense") is None
    api_key_revoke(key=key, by=personas.council_admin.user)
    assert api_key_authenticate(secret) is None
    assert AuditEvent.objects.filter(action__in=["api_key.issued", "api_key.revoked"]).count() == 2


def test_expired_key_and_key_of_deactivated_staff_are_refused(personas):
    _key, secret = api_key_issue(
        staff_member=personas.council_worker,
        name="Old",
        created_by=personas.council_admin.user,
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert api_key_authenticate(secret) is None
    _key2, secret2 = api_key_issue(
        staff_member=personas.council_leader, name="New", created_by=personas.council_admin.user
    )
    staff_deactivate(staff=personas.council_leader, by=personas.council_admin.user)
    assert api_key_authenticate(secret2) is None


def test_keys_are_issued_only_within_the_issuers_organisation(personas):
    with pytest.raises(NotPermitted):
        api_key_issue(staff_member=personas.college_worker, name="X", created_by=personas.council_admin.user)


def test_staff_create_names_each_bad_field(personas):
    with pytest.raises(InvalidInput) as caught:
        staff_create(
            organisation=personas.council, email="nope", first_name="", last_name="X", role="wizard", password="short"
        )
    assert {"email", "first_name", "role", "password"} <= set(caught.value.errors)
    with pytest.raises(InvalidInput) as duplicate:
        staff_create(
            organisation=personas.council,
            email=personas.council_worker.user.email.upper(),
            first_name="A",
            last_name="B",
            role="key_worker",
        )
    assert "already exists" in duplicate.value.errors["email"][0]


def test_training_lasts_a_year(personas):
    staff = staff_record_training(staff=personas.untrained, completed_on=dt.date(2026, 3, 1), recorded_by=None)
    assert staff.training_expires_on == dt.date(2027, 3, 1)
    with pytest.raises(InvalidInput):
        staff_record_training(staff=staff, completed_on=timezone.localdate() + dt.timedelta(days=1), recorded_by=None)


def test_admin_shows_an_organisation_admin_only_their_own_staff(personas, client):
    admin_user = personas.council_admin.user
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/partners/staffmember/")
    assert page.status_code == 200
    body = page.content.decode()
    assert personas.council_worker.user.email in body or str(personas.council_worker.user) in body
    assert str(personas.college_worker.user) not in body
    assert client.get(f"/admin/partners/staffmember/{personas.college_worker.pk}/change/").status_code in (302, 404)


def test_admin_adds_staff_through_the_service(personas, client):
    admin_user = personas.council_admin.user
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    form = {
        "email": "new.worker@example.org",
        "first_name": "New",
        "last_name": "Worker",
        "organisation": personas.college.pk,
        "role": "key_worker",
        "job_title": "Adviser",
        "training_completed_on": "2026-10-01",
    }
    refused = client.post("/admin/partners/staffmember/add/", form)
    assert refused.status_code == 200  # another organisation is not a choice for this admin
    assert not StaffMember.objects.filter(user__email="new.worker@example.org").exists()
    response = client.post("/admin/partners/staffmember/add/", {**form, "organisation": personas.council.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    created = StaffMember.objects.get(user__email="new.worker@example.org")
    assert created.organisation == personas.council
    assert AuditEvent.objects.filter(action="staff.created", object_id=str(created.pk)).exists()


def test_a_key_worker_has_no_admin(personas, client):
    client.force_login(personas.council_worker.user)
    assert client.get("/admin/partners/staffmember/").status_code == 302


def test_organisation_create_checks_each_field(personas):
    with pytest.raises(InvalidInput) as caught:
        organisation_create(
            partnership=personas.partnership,
            name="",
            slug=personas.council.slug,
            org_type="pub",
            local_authority="S99999999",
            contact_email="nope",
        )
    assert {"name", "slug", "org_type", "local_authority", "contact_email"} <= set(caught.value.errors)
    created = organisation_create(
        partnership=personas.partnership,
        name="Fife Housing",
        slug="fife-housing",
        org_type="housing",
        local_authority="S12000015",
    )
    assert created.local_authority == "S12000047"  # the superseded Fife code is mapped
    assert AuditEvent.objects.filter(action="organisation.created", object_id=str(created.pk)).exists()


def test_only_organisation_admins_get_the_admin_site(personas):
    with pytest.raises(InvalidInput):
        staff_grant_admin_site(staff=personas.council_worker, by=None)
    staff_grant_admin_site(staff=personas.council_admin, by=None)
    personas.council_admin.user.refresh_from_db()
    assert personas.council_admin.user.is_staff
