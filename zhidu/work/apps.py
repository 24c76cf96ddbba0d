from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "zhidu.work"
    label = "work"

    def ready(self) -> None:
        from zhidu.web.demo import register_demo_step

        # Periodic tasks and KPI metrics register themselves on import.
        from . import meetings_tasks, reports_tasks, tasks_metrics, tasks_tasks  # noqa: F401
        from .library_demo import demo_library
        from .meetings_demo import demo_meetings
        from .reports_demo import demo_reports
        from .reports_metrics import register as register_report_metrics
        from .suggestions_demo import demo_suggestions
        from .tasks_demo import demo_tasks

        register_report_metrics()
        register_demo_step("work-tasks", demo_tasks, order=91)
        register_demo_step("work-reports", demo_reports, order=92)
        register_demo_step("work-meetings", demo_meetings, order=93)
        register_demo_step("work-library", demo_library, order=94)
        register_demo_step("work-suggestions", demo_suggestions, order=96)
