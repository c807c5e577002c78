from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from ceangal.web.views import caseload, clients, documents, engagements, pages, sections

app_name = "web"

CLIENT = "clients/<uuid:client_id>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:caseload"), name="home"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("clients/find/", caseload.client_find, name="client_find"),
    path("clients/new/", clients.client_register, name="client_register"),
    path(CLIENT, clients.client_record, name="client_record"),
    path(CLIENT + "documents/upload/", documents.document_upload, name="document_upload"),
    path(CLIENT + "documents/<int:document_id>/download/", documents.document_download, name="document_download"),
    path(CLIENT + "engagements/<int:engagement_id>/edit/", engagements.engagement_edit, name="engagement_edit"),
    path(CLIENT + "<slug:section_key>/edit/", sections.section_edit, name="section_edit"),
    path(CLIENT + "<slug:section_key>/add/", sections.item_add, name="item_add"),
    path(CLIENT + "<slug:section_key>/history/", sections.section_history, name="section_history"),
    path(CLIENT + "<slug:section_key>/<int:item_id>/edit/", sections.item_edit, name="item_edit"),
    path(CLIENT + "<slug:section_key>/<int:item_id>/history/", sections.item_history, name="item_history"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
]
