from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "zhidu.groups"
    label = "groups"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhidu.web.dashboard import register
        from zhidu.web.demo import register_demo_step

        from .demo import demo_conventions, demo_moderation

        register("groups", _("Customer groups in my scope"), _group_count)
        register_demo_step("group-conventions", demo_conventions, order=72)
        register_demo_step("moderation", demo_moderation, order=74)


def _group_count(member):  # type: ignore[no-untyped-def]
    from zhidu.org.models import Role

    from .models import GroupChat, GroupStatus

    if member.role == Role.ADMIN:
        return None
    return GroupChat.objects.visible_to(member).exclude(status=GroupStatus.DISMISSED).count()
