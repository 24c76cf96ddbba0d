from django.urls import path

from . import reports_views, suggestions_views, tasks_views

app_name = "work"

urlpatterns = [
    path("tasks/<int:task_id>/", tasks_views.task_detail, name="task"),
    path("suggestions/", suggestions_views.suggestion_box, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestions_views.suggestion_detail, name="suggestion"),
    path("reports/", reports_views.report_home, name="reports"),
    path("reports/write/", reports_views.report_write, name="report_write"),
    path("reports/templates/", reports_views.report_templates, name="report_templates"),
    path("reports/<int:report_id>/", reports_views.report_detail, name="report"),
]
