from django.urls import path

from . import views, views_calendar

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("members/<int:member_id>/", views.member_detail, name="member"),
    path("members/<int:member_id>/<str:action>/", views.member_transition, name="member_transition"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:application_id>/<str:decision>/", views.application_decide, name="application_decide"),
    path("apply/", views.apply, name="apply"),
    path("tokens/", views.tokens, name="tokens"),
    path("profile-reviews/", views.profile_reviews, name="profile_reviews"),
    path("profile-reviews/<int:review_id>/", views.profile_review, name="profile_review"),
    path("profile-reviews/<int:review_id>/<str:decision>/", views.profile_review_decide, name="profile_review_decide"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/new/", views_calendar.session_new, name="session_new"),
    path("calendar/import/", views_calendar.calendar_import, name="calendar_import"),
    path("calendar/<int:entry_id>/", views_calendar.session_edit, name="session_edit"),
    path("calendar/<int:entry_id>/cancel/", views_calendar.session_cancel, name="session_cancel"),
    path("calendar/flags/<int:department_id>/", views_calendar.meeting_flag, name="meeting_flag"),
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/default/", views.calendar_edit, name="calendar_default"),
    path("calendars/<int:department_id>/", views.calendar_edit, name="calendar_edit"),
]
