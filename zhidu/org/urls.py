from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("members/<int:member_id>/<str:action>/", views.member_transition, name="member_transition"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:application_id>/<str:decision>/", views.application_decide, name="application_decide"),
    path("apply/", views.apply, name="apply"),
    path("tokens/", views.tokens, name="tokens"),
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/default/", views.calendar_edit, name="calendar_default"),
    path("calendars/<int:department_id>/", views.calendar_edit, name="calendar_edit"),
]
