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
