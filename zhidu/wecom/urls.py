from django.urls import path

from . import views

app_name = "wecom"
urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("members/<int:member_id>/profile/", views.member_profile, name="member_profile"),
]
