from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from ceangal.clients import models as m
from ceangal.clients.services import document_upload, engagement_open, engagement_update, item_add, section_save
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted
from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db


def test_two_editors_on_the_same_section_second_is_refused(personas):
    client = make_client(personas.council_worker)
    loaded = client.identity.version
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="identity",
        data={"preferred_name": "Mo"},
        expected_version=loaded,
    )
    with pytest.raises(EditConflict) as caught:
        section_save(
            actor=personas.council_leader,
            client=client,
            section_key="identity",
            data={"preferred_name": "Morag"},
            expected_version=loaded,
        )
    assert "changed by someone else" in str(caught.value)
    assert caught.value.current_version == loaded + 1
    client.identity.refresh_from_db()
    assert client.identity.preferred_name == "Mo"


def test_an_edit_without_a_version_is_refused(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        section_save(
            actor=personas.council_worker,
            client=client,
            section_key="identity",
            data={"preferred_name": "X"},
            expected_version=None,
        )
    assert "version" in caught.value.errors


def test_bad_edit_changes_nothing(personas):
    client = make_client(personas.council_worker)
    version = client.identity.version
    with pytest.raises(InvalidInput):
        section_save(
            actor=personas.council_worker,
            client=client,
            section_key="identity",
            data={"preferred_name": "Mo", "postcode": "??"},
            expected_version=version,
        )
    client.identity.refresh_from_db()
    assert (client.identity.preferred_name, client.identity.version) == ("", version)


def test_creating_a_section_someone_else_just_created_is_a_conflict(personas):
    client = make_client(personas.council_worker)
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"town": "Kirkcaldy"},
        expected_version=None,
    )
    with pytest.raises(EditConflict):
        section_save(
            actor=personas.council_leader,
            client=client,
            section_key="contact",
            data={"town": "Leven"},
            expected_version=0,
        )


def test_another_organisation_cannot_write_to_a_client_it_does_not_work_with(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(NotFound):
        item_add(
            actor=personas.college_worker,
            client=client,
            section_key="qualifications",
            data={"title": "HNC", "scqf_level": "SCQF07"},
        )
    assert not m.Qualification.objects.exists()


def test_only_the_supplier_changes_an_item(personas):
    client = make_client(personas.council_worker)
    engagement_open(actor=personas.college_worker, client=client)
    item = item_add(
        actor=personas.college_worker,
        client=client,
        section_key="qualifications",
        data={"title": "HNC Social Care", "scqf_level": "SCQF07"},
    )
    assert item.supplied_by == personas.college
    with pytest.raises(NotPermitted) as caught:
        section_save(
            actor=personas.council_worker,
            client=client,
            section_key="qualifications",
            item_id=item.pk,
            data={"title": "X"},
            expected_version=1,
        )
    assert "Fife College" in str(caught.value)


def test_employment_outcome_schedules_follow_ups_not_due(personas):
    client = make_client(personas.council_worker)
    start = dt.date.today() - dt.timedelta(days=35)
    outcome = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="outcomes",
        data={
            "destination": "D_EMP",
            "employment_type": "PT",
            "achieved_on": start.isoformat(),
            "hours_per_week": "16",
        },
    )
    follow_ups = {f.week: f for f in m.FollowUp.objects.filter(outcome_id=outcome.pk)}
    assert set(follow_ups) == {"FU04", "FU13", "FU26", "FU52"}
    assert all(f.status == "NOT_DUE" for f in follow_ups.values())
    assert follow_ups["FU13"].due_on == start + dt.timedelta(weeks=13)
    with pytest.raises(InvalidInput):
        item_add(actor=personas.council_worker, client=client, section_key="follow_ups", data={"status": "IN_EMP"})
    done = section_save(
        actor=personas.council_worker,
        client=client,
        section_key="follow_ups",
        item_id=follow_ups["FU04"].pk,
        data={"status": "IN_EMP", "checked_on": dt.date.today().isoformat()},
        expected_version=1,
    )
    assert isinstance(done, m.FollowUp)
    assert done.status == "IN_EMP"


def test_non_employment_outcome_has_no_follow_ups(personas):
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="outcomes",
        data={"destination": "D_FE", "achieved_on": "2026-08-20"},
    )
    assert not m.FollowUp.objects.exists()


def test_end_before_start_is_refused(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        item_add(
            actor=personas.council_worker,
            client=client,
            section_key="experience",
            data={"kind": "employment", "role_title": "Porter", "started_on": "2024-05-01", "ended_on": "2023-01-01"},
        )
    assert "ended_on" in caught.value.errors


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_document_upload_keeps_hash_and_generated_name(personas):
    client = make_client(personas.council_worker)
    upload = SimpleUploadedFile("Morag's letter.pdf", PDF, content_type="application/pdf")
    document = document_upload(
        actor=personas.council_worker, client=client, title="Offer letter", kind="letter", upload=upload
    )
    assert document.original_name == "Morag's letter.pdf"
    assert "Morag" not in str(document.file.name)
    assert document.content_type == "application/pdf"
    import hashlib

    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    with document.file.open("rb") as stored:
        assert stored.read() == PDF


@override_settings(CEANGAL_UPLOAD_MAX_BYTES=16)
def test_too_large_upload_is_refused_and_nothing_stored(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        document_upload(
            actor=personas.council_worker,
            client=client,
            title="Big",
            kind="letter",
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    assert "MB or smaller" in caught.value.errors["file"][0]
    assert not m.Document.objects.exists()


def test_disallowed_type_is_refused_whatever_its_name(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        document_upload(
            actor=personas.council_worker,
            client=client,
            title="Tool",
            kind="other",
            upload=SimpleUploadedFile(
                "cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", content_type="application/pdf"
            ),
        )
    assert "PDF, JPEG, PNG" in caught.value.errors["file"][0]
    assert not m.Document.objects.exists()


def test_engagement_close_needs_a_reason_and_a_current_version(personas):
    client = make_client(personas.council_worker)
    engagement = client.engagements.get()
    with pytest.raises(InvalidInput) as caught:
        engagement_update(actor=personas.council_worker, engagement=engagement, expected_version=1, status="closed")
    assert "closure_reason" in caught.value.errors
    engagement_update(actor=personas.council_worker, engagement=engagement, expected_version=1, status="active")
    with pytest.raises(EditConflict):
        engagement_update(
            actor=personas.council_leader,
            engagement=engagement,
            expected_version=1,
            status="closed",
            closure_reason="ENTERED_WORK",
        )
    closed = engagement_update(
        actor=personas.council_leader,
        engagement=engagement,
        expected_version=2,
        status="closed",
        closure_reason="ENTERED_WORK",
    )
    assert closed.closed_on == dt.date.today()


@pytest.mark.django_db(transaction=True)
def test_concurrent_editors_exactly_one_wins(reference_data):
    """Two threads save the same version at once, on real connections: one wins, one conflicts."""
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite has one connection")
    from ceangal.testing.factories import make_personas

    personas = make_personas()
    client = make_client(personas.council_worker)
    version = client.identity.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(actor, name):
        try:
            barrier.wait()
            section_save(
                actor=actor,
                client=client,
                section_key="identity",
                data={"preferred_name": name},
                expected_version=version,
            )
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")
        finally:
            # Each thread has its own connection; close it so the test database can be dropped.
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(a, n))
        for a, n in [(personas.council_worker, "A"), (personas.council_leader, "B")]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    client.identity.refresh_from_db()
    assert client.identity.version == version + 1


def test_nobody_writes_what_they_may_not_read(personas):
    client = make_client(personas.council_worker)
    conviction = {"status": "spent", "offence_summary": "Theft, 2019"}
    with pytest.raises(NotPermitted) as caught:
        item_add(actor=personas.council_worker, client=client, section_key="convictions", data=conviction)
    assert "not cleared" in str(caught.value)
    assert not m.Conviction.objects.exists()
    item_add(actor=personas.council_leader, client=client, section_key="convictions", data=conviction)
    assert m.Conviction.objects.count() == 1


def test_closing_reason_comes_from_the_exit_reason_list_and_key_worker_can_be_unassigned(personas):
    client = make_client(personas.council_worker)
    engagement = client.engagements.get()
    with pytest.raises(InvalidInput) as caught:
        engagement_update(
            actor=personas.council_worker,
            engagement=engagement,
            expected_version=1,
            status="closed",
            closure_reason="bored",
        )
    assert "closure_reason" in caught.value.errors
    unassigned = engagement_update(
        actor=personas.council_leader, engagement=engagement, expected_version=1, key_worker=None
    )
    assert unassigned.key_worker is None
    kept = engagement_update(actor=personas.council_leader, engagement=unassigned, expected_version=2, status="active")
    assert kept.key_worker is None


def test_no_file_chosen_is_named(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        document_upload(actor=personas.council_worker, client=client, title="Letter", kind="letter", upload=None)
    assert caught.value.errors["file"] == ["Choose a file to upload."]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "Higher English", "scqf_level": "SCQF13"}, "scqf_level"),
        ({"title": "Higher English", "scqf_level": "6"}, "scqf_level"),
        ({"title": "", "scqf_level": "SCQF06"}, "title"),
        ({"title": "Higher English", "scqf_level": "SCQF06", "achieved_on": "2999-06-01"}, "achieved_on"),
    ],
)
def test_bad_qualification_is_refused_naming_the_field(personas, data, field):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        item_add(actor=personas.council_worker, client=client, section_key="qualifications", data=data)
    assert field in caught.value.errors
    assert not m.Qualification.objects.exists()
