"""/agreements and /notices: the partnership's information sharing agreements and privacy notices.

Both are partnership documents, not client data: every staff member may read them (a key worker
needs the notice to record consent against it). Only a data protection officer changes them, which
the services enforce (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status

from ceangal.agreements import selectors, services
from ceangal.agreements.models import AgreementVersion, PrivacyNotice
from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.api.sharing_schemas import (
    AgreementCreateIn,
    AgreementStatusIn,
    AgreementTermsIn,
    AgreementVersionIn,
    AgreementVersionOut,
    NoticeCreateIn,
    NoticeOut,
)
from ceangal.errors import InvalidInput, NotFound
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.selectors import partnership_organisations

router = Router(tags=["Agreements"])
notices_router = Router(tags=["Privacy notices"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


def organisations(*, actor: StaffMember, ids: Iterable[int], field: str) -> list[Organisation]:
    """Organisations of the actor's partnership by id, in the order given; any other id is a 422 on `field`."""
    wanted = list(dict.fromkeys(ids))
    found = {o.pk: o for o in partnership_organisations(actor=actor).filter(pk__in=wanted)}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise InvalidInput({field: f"No organisation of your partnership has the id {', '.join(map(str, unknown))}."})
    return [found[i] for i in wanted]


def _terms(actor: StaffMember, body: AgreementTermsIn) -> services.AgreementTerms:
    return services.AgreementTerms(
        summary=body.summary,
        frequency=body.frequency,
        retention=body.retention,
        retention_months=body.retention_months,
        on_end=body.on_end,
        starts_on=body.starts_on,
        review_on=body.review_on,
        ends_on=body.ends_on,
        parties=organisations(actor=actor, ids=body.parties, field="parties"),
        purposes=[
            services.PurposeTerms(
                purpose=p.purpose,
                lawful_basis=p.lawful_basis,
                categories=list(p.categories),
                article9_condition=p.article9_condition,
                article10_condition=p.article10_condition,
                why_necessary=p.why_necessary,
            )
            for p in body.purposes
        ],
        dpia_reference=body.dpia_reference,
        security=body.security,
    )


def _version(actor: StaffMember, version_id: int) -> AgreementVersion:
    version = selectors.agreement_version(actor=actor, version_id=version_id)
    if version is None:
        raise NotFound("There is no agreement version with this id in your partnership.")
    return version


def _reloaded(actor: StaffMember, version: AgreementVersion) -> AgreementVersionOut:
    # Read back through the selector, so that the answer has parties and purposes as stored.
    return AgreementVersionOut.of(_version(actor, version.pk))


def _version_location(version: AgreementVersion) -> str:
    return reverse("api:agreement_get", kwargs={"version_id": version.pk})


@router.get(
    "",
    response={200: list[AgreementVersionOut], **READ_ERRORS},
    url_name="agreement_list",
    summary="The agreements register: every version of every agreement",
)
def agreement_list(request: HttpRequest) -> list[AgreementVersionOut]:
    """Ordered by agreement reference, newest version first; each with its status, parties (and who
    signed for each, when) and purposes (lawful basis, Article 9 and 10 conditions, categories)."""
    return [AgreementVersionOut.of(v) for v in selectors.agreement_versions(actor=actor_of(request))]


@router.get(
    "/{version_id}",
    response={200: AgreementVersionOut, **READ_ERRORS},
    url_name="agreement_get",
    summary="One version of an agreement",
)
def agreement_get(request: HttpRequest, version_id: int) -> AgreementVersionOut:
    return AgreementVersionOut.of(_version(actor_of(request), version_id))


@router.post(
    "",
    response={201: AgreementVersionOut, **WRITE_ERRORS},
    url_name="agreement_create",
    summary="Draft a new agreement (DPO)",
)
def agreement_create(
    request: HttpRequest, body: AgreementCreateIn, response: HttpResponse
) -> Status[AgreementVersionOut]:
    """Version 1, in draft until each party's DPO signs it. Every mistake in the terms is named at
    once (`parties`, `ends_on`, `purposes[0].lawful_basis`, `purposes[0].article9_condition`, ...)."""
    actor = actor_of(request)
    version = services.agreement_create(
        actor=actor, title=body.title, reference=body.reference, terms=_terms(actor, body)
    )
    response["Location"] = _version_location(version)
    return Status(201, _reloaded(actor, version))


@router.post(
    "/{version_id}/versions",
    response={201: AgreementVersionOut, **WRITE_ERRORS},
    url_name="agreement_new_version",
    summary="Draft a new version of an agreement (DPO)",
)
def agreement_new_version(
    request: HttpRequest, version_id: int, body: AgreementVersionIn, response: HttpResponse
) -> Status[AgreementVersionOut]:
    """Agreements change only by new version. The live version stays in force until the new one is
    signed by every party. An agreement has at most one draft at a time."""
    actor = actor_of(request)
    current = _version(actor, version_id)
    version = services.agreement_new_version(actor=actor, agreement=current.agreement, terms=_terms(actor, body))
    response["Location"] = _version_location(version)
    return Status(201, _reloaded(actor, version))


@router.post(
    "/{version_id}/sign",
    response={200: AgreementVersionOut, **WRITE_ERRORS},
    url_name="agreement_sign",
    summary="Sign a draft for your organisation (DPO)",
)
def agreement_sign(request: HttpRequest, version_id: int) -> AgreementVersionOut:
    """When the last party signs, the version comes into force and any earlier live version ends."""
    actor = actor_of(request)
    version = services.agreement_sign(actor=actor, version=_version(actor, version_id))
    return _reloaded(actor, version)


@router.post(
    "/{version_id}/status",
    response={200: AgreementVersionOut, **WRITE_ERRORS},
    url_name="agreement_set_status",
    summary="Suspend, resume or end a live version (DPO)",
)
def agreement_set_status(request: HttpRequest, version_id: int, body: AgreementStatusIn) -> AgreementVersionOut:
    """Sharing under the version stops (or restarts) with the very next decision."""
    actor = actor_of(request)
    version = _version(actor, version_id)
    try:
        version = services.agreement_set_status(actor=actor, version=version, status=body.status, reason=body.reason)
    except InvalidInput as exc:
        # The service names the stored field; the request calls it `reason`.
        raise InvalidInput({("reason" if k == "status_reason" else k): v for k, v in exc.errors.items()}) from None
    return _reloaded(actor, version)


# --- privacy notices --------------------------------------------------------------------------


def _notice(actor: StaffMember, notice_id: int) -> PrivacyNotice:
    notice = selectors.notices(actor=actor).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("There is no privacy notice with this id in your partnership.")
    return notice


@notices_router.get(
    "",
    response={200: list[NoticeOut], **READ_ERRORS},
    url_name="notice_list",
    summary="Every version of the partnership's privacy notice, newest first",
)
def notice_list(request: HttpRequest) -> list[NoticeOut]:
    return [NoticeOut.of(n) for n in selectors.notices(actor=actor_of(request)).order_by("-version")]


@notices_router.get(
    "/{notice_id}",
    response={200: NoticeOut, **READ_ERRORS},
    url_name="notice_get",
    summary="One version of the privacy notice",
)
def notice_get(request: HttpRequest, notice_id: int) -> NoticeOut:
    return NoticeOut.of(_notice(actor_of(request), notice_id))


@notices_router.post(
    "",
    response={201: NoticeOut, **WRITE_ERRORS},
    url_name="notice_create",
    summary="Draft a new version of the privacy notice (DPO)",
)
def notice_create(request: HttpRequest, body: NoticeCreateIn, response: HttpResponse) -> Status[NoticeOut]:
    """A draft, numbered after the newest. Consent is recorded only against a published notice."""
    actor = actor_of(request)
    terms = services.NoticeTerms(
        title=body.title,
        body=body.body,
        language=body.language,
        purposes=list(body.purposes),
        categories=list(body.categories),
        controllers=organisations(actor=actor, ids=body.controllers, field="controllers"),
        recipients=organisations(actor=actor, ids=body.recipients, field="recipients"),
        recipient_types=list(body.recipient_types),
        retention=body.retention,
        rights=body.rights,
    )
    notice = services.notice_create(actor=actor, terms=terms)
    response["Location"] = reverse("api:notice_get", kwargs={"notice_id": notice.pk})
    return Status(201, NoticeOut.of(_notice(actor, notice.pk)))


@notices_router.post(
    "/{notice_id}/publish",
    response={200: NoticeOut, **WRITE_ERRORS},
    url_name="notice_publish",
    summary="Publish a draft notice (DPO)",
)
def notice_publish(request: HttpRequest, notice_id: int) -> NoticeOut:
    """From now on it is fixed, and new consent is recorded against it."""
    actor = actor_of(request)
    notice = services.notice_publish(actor=actor, notice=_notice(actor, notice_id))
    return NoticeOut.of(_notice(actor, notice.pk))
