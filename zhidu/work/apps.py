from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "zhidu.work"
    label = "work"

    def ready(self) -> None:
        from zhidu.web.demo import register_demo_step

        from .library_demo import demo_library
        from .suggestions_demo import demo_suggestions

        register_demo_step("work-suggestions", demo_suggestions, order=96)
        register_demo_step("work-library", demo_library, order=94)
