from __future__ import annotations

from django.urls import path

from ceangal.portal import views, views_consents, views_copies, views_requests

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/printed/", views.sign_in_printed, name="sign_in_printed"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("information/", views.information, name="information"),
    path("who-has-seen/", views.who_has_seen, name="who_has_seen"),
    path("referrals/", views.referrals, name="referrals"),
    path("copies/", views_copies.copies, name="copies"),
    path("copies/<uuid:pack_id>/<str:fmt>/", views_copies.copy_download, name="copy_download"),
    path("copies/<uuid:pack_id>/documents/<int:document_id>/", views_copies.copy_document, name="copy_document"),
    path("consents/", views_consents.consents, name="consents"),
    path("consents/<uuid:record_id>/withdraw/", views_consents.consent_withdraw, name="consent_withdraw"),
    path("consents/<uuid:record_id>/receipt/<int:event_id>/", views_consents.consent_receipt, name="consent_receipt"),
    path("requests/", views_requests.requests, name="requests"),
    path("requests/new/<str:kind>/", views_requests.request_new, name="request_new"),
    path("requests/<uuid:request_id>/", views_requests.request_detail, name="request_detail"),
    path("requests/<uuid:request_id>/sent/", views_requests.request_sent, name="request_sent"),
    path("requests/<uuid:request_id>/withdraw/", views_requests.request_withdraw, name="request_withdraw"),
]
