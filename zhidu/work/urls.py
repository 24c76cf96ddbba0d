from django.urls import path

from . import library_views, suggestions_views, tasks_views

app_name = "work"

urlpatterns = [
    path("tasks/<int:task_id>/", tasks_views.task_detail, name="task"),
    path("suggestions/", suggestions_views.suggestion_box, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestions_views.suggestion_detail, name="suggestion"),
]

urlpatterns += [
    path("library/", library_views.library, name="library"),
    path("library/new/", library_views.library_new, name="library_new"),
    path("library/<int:item_id>/", library_views.library_item, name="library_item"),
    path("library/<int:item_id>/edit/", library_views.library_edit, name="library_edit"),
    path("library/<int:item_id>/submit/", library_views.library_submit, name="library_submit"),
    path("library/<int:item_id>/like/", library_views.library_like, name="library_like"),
    path("library/<int:item_id>/use/", library_views.library_use, name="library_use"),
    path("library/cases/", library_views.library_cases, name="library_cases"),
    path("library/cases/new/", library_views.library_case_new, name="library_case_new"),
    path("library/cases/<int:case_id>/", library_views.library_case, name="library_case"),
]
