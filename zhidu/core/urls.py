"""Core pages, mounted at the site root: the audit log (/audit/audit/) and the member's inbox (/notifications/)."""

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("audit/audit/", views.audit_list, name="audit"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
]
