from django.urls import path
from django.views.generic import RedirectView

app_name = "web"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:caseload"), name="home"),
    path("caseload/", RedirectView.as_view(url="/"), name="caseload"),
]
