from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("import/", views.import_page, name="import"),
    path("library/", views.library, name="library"),
    path("library/<slug:slug>/adopt/", views.library_adopt, name="adopt"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("versions/<int:pk>/unacknowledged/", views.unacknowledged, name="unacknowledged"),
    path("versions/<int:pk>/discussion/", views.open_discussion, name="discussion"),
    path("versions/<int:pk>/approve/", views.approve, name="approve"),
    path("versions/<int:pk>/publish/", views.publish, name="publish"),
    path("versions/<int:pk>/edit/", views.version_edit, name="edit"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/comments/", views.comment_add, name="comment"),
    path("<slug:code>/", views.policy_detail, name="detail"),
]
