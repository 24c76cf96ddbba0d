from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "zhidu.work"
    label = "work"

    def ready(self) -> None:
        from zhidu.web.demo import register_demo_step

        from .suggestions_demo import demo_suggestions

        register_demo_step("work-suggestions", demo_suggestions, order=96)

        from . import tasks_metrics, tasks_tasks  # noqa: F401  (registers the KPI metric and the periodic task)
        from .tasks_demo import demo_tasks

        register_demo_step("work-tasks", demo_tasks, order=91)
        self._ready_reports()

    def _ready_reports(self) -> None:
        from zhidu.web.demo import register_demo_step

        from . import reports_tasks  # noqa: F401  (registers the reminder task)
        from .reports_demo import demo_reports
        from .reports_metrics import register

        register()
        register_demo_step("work-reports", demo_reports, order=92)
