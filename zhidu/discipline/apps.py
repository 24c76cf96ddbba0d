from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "zhidu.discipline"
    label = "discipline"

    def ready(self) -> None:
        from zhidu.core.events import subscribe
        from zhidu.performance.contracts import RANKING_FROZEN
        from zhidu.web.demo import register_demo_step
        from zhidu.work.suggestions_services import SUGGESTION_ACCEPTED

        from .demo import demo_discipline
        from .services import on_ranking_frozen, on_suggestion_accepted, on_violation_confirmed

        subscribe("violation.confirmed", on_violation_confirmed)
        subscribe(RANKING_FROZEN, on_ranking_frozen)
        subscribe(SUGGESTION_ACCEPTED, on_suggestion_accepted)
        register_demo_step("discipline", demo_discipline, order=85)
