from django.urls import path

from . import convention_views, views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("conventions/", convention_views.overview, name="conventions"),
    path("conventions/departments/", convention_views.departments, name="convention_departments"),
    path("conventions/departments/<int:department_id>/", convention_views.convention_edit, name="convention_edit"),
    path(
        "conventions/departments/<int:department_id>/reset/",
        convention_views.convention_reset,
        name="convention_reset",
    ),
    path("<int:group_id>/admins/", convention_views.designate, name="designate"),
    path("<int:group_id>/admins/<int:member_id>/revoke/", convention_views.revoke, name="revoke"),
    path("<int:group_id>/remind-all/", convention_views.remind_all, name="remind_all"),
    path("issues/<int:issue_id>/remind/", convention_views.remind, name="remind"),
]
