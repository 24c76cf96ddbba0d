from django.urls import path

from . import suggestions_views, tasks_views

app_name = "work"

urlpatterns = [
    path("tasks/<int:task_id>/", tasks_views.task_detail, name="task"),
    path("suggestions/", suggestions_views.suggestion_box, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestions_views.suggestion_detail, name="suggestion"),
]
