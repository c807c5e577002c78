from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from ceangal.web.views import (
    agreement_new,
    agreements,
    breakglass,
    caseload,
    client_services,
    clients,
    consent,
    directory,
    documents,
    dpo,
    engagements,
    ledger,
    notices,
    pages,
    sections,
)

app_name = "web"

CLIENT = "clients/<uuid:client_id>/"
CONSENT = CLIENT + "consent/<uuid:record_id>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:caseload"), name="home"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("clients/find/", caseload.client_find, name="client_find"),
    path("clients/new/", clients.client_register, name="client_register"),
    path(CLIENT, clients.client_record, name="client_record"),
    path(CLIENT + "documents/upload/", documents.document_upload, name="document_upload"),
    path(CLIENT + "documents/<int:document_id>/download/", documents.document_download, name="document_download"),
    path(CLIENT + "engagements/<int:engagement_id>/edit/", engagements.engagement_edit, name="engagement_edit"),
    # Consent and break-glass come before the section routes: "consent" is not a section key.
    path(CLIENT + "consent/", consent.consent_list, name="consent_list"),
    path(CLIENT + "consent/new/", consent.consent_new, name="consent_new"),
    path(CLIENT + "consent/form/", consent.consent_form, name="consent_form"),
    path(CONSENT, consent.consent_receipt, name="consent_receipt"),
    path(CONSENT + "export/<slug:fmt>/", consent.consent_export, name="consent_export"),
    path(CONSENT + "withdraw/", consent.consent_withdraw, name="consent_withdraw"),
    path(CONSENT + "evidence/", consent.consent_evidence, name="consent_evidence"),
    path(CONSENT + "evidence/file/", consent.consent_evidence_download, name="consent_evidence_download"),
    path(CLIENT + "break-glass/", breakglass.break_glass, name="break_glass"),
    path(CLIENT + "services/", client_services.client_services, name="client_services"),
    path(CLIENT + "<slug:section_key>/edit/", sections.section_edit, name="section_edit"),
    path(CLIENT + "<slug:section_key>/add/", sections.item_add, name="item_add"),
    path(CLIENT + "<slug:section_key>/history/", sections.section_history, name="section_history"),
    path(CLIENT + "<slug:section_key>/<int:item_id>/edit/", sections.item_edit, name="item_edit"),
    path(CLIENT + "<slug:section_key>/<int:item_id>/history/", sections.item_history, name="item_history"),
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/new/", agreement_new.agreement_new, name="agreement_new"),
    path("agreements/<int:version_id>/", agreements.agreement_detail, name="agreement_detail"),
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/<int:notice_id>/", notices.notice_detail, name="notice_detail"),
    path("dpo/", dpo.dpo_dashboard, name="dpo_dashboard"),
    path("dpo/break-glass/", dpo.dpo_break_glass_queue, name="dpo_break_glass_queue"),
    path("dpo/break-glass/<int:grant_id>/", dpo.dpo_break_glass_review, name="dpo_break_glass_review"),
    path("dpo/consents/", dpo.dpo_consent_list, name="dpo_consent_list"),
    path("dpo/consents/<uuid:record_id>/", dpo.dpo_consent_record, name="dpo_consent_record"),
    path("dpo/consents/<uuid:record_id>/evidence/", dpo.dpo_consent_evidence, name="dpo_consent_evidence"),
    path("dpo/ledger/", ledger.ledger_search_page, name="ledger_search"),
    path("dpo/ledger/export.csv", ledger.ledger_export, name="ledger_export"),
    path("directory/", directory.directory_list, name="directory_list"),
    path("directory/new/", directory.directory_new, name="directory_new"),
    path("directory/export.json", directory.directory_export, name="directory_export"),
    path("directory/<int:service_id>/", directory.directory_detail, name="directory_detail"),
    path("directory/<int:service_id>/edit/", directory.directory_edit, name="directory_edit"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
]
