from __future__ import annotations

from django.urls import path

from ceangal.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/printed/", views.sign_in_printed, name="sign_in_printed"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
