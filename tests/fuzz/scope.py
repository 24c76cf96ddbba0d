"""Which objects a JSON response names, and whether the caller may see each of them.

The walk follows the operation's OpenAPI response schema, so it finds objects however they are nested
(lists, pages, detail objects). `SCOPED` says which component schemas stand for which scoped model;
`UNSCOPED` lists the id-carrying schemas that need no check. A new component schema with an `id` that is
in neither fails `test_every_id_schema_is_classified`, so a new endpoint cannot skip the scope check silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet

from zhidu.compliance.models import Violation
from zhidu.customers.models import Customer, DevelopmentPlan, FollowRelation, FollowUp, Transfer, TransferItem
from zhidu.discipline.models import Appeal, Sanction
from zhidu.groups.models import (
    BanAlert,
    ConventionIssue,
    GroupAdminDesignation,
    GroupChat,
    ModerationAction,
    ModerationCase,
)
from zhidu.org.models import Department, Member, MembershipApplication, ProfileReview
from zhidu.performance.models import Scorecard
from zhidu.policies.models import Article, PolicyVersion
from zhidu.sales.models import Order
from zhidu.sales.models.targets import CorrectivePlan, TargetNode, TargetTree
from zhidu.work.models import (
    LibraryCase,
    LibraryItem,
    Report,
    ReportComment,
    ReportTemplate,
    Suggestion,
    SuggestionReply,
    Task,
    TaskAttachment,
    TaskChecklistItem,
    TaskComment,
)
from zhidu.work.models import Plan as WorkPlan
from zhidu.work.models.meetings import ActionItem, Meeting

Visible = Callable[[Member], QuerySet[Any]]

KINDS: dict[str, Visible] = {
    "member": lambda m: Member.objects.visible_to(m),
    "customer": lambda m: Customer.objects.visible_to(m),
    "group": lambda m: GroupChat.objects.visible_to(m),
    "moderation_action": lambda m: ModerationAction.objects.visible_to(m),
    "moderation_case": lambda m: ModerationCase.objects.visible_to(m),
    "ban_alert": lambda m: BanAlert.objects.visible_to(m),
    "violation": lambda m: Violation.objects.visible_to(m),
    "department": lambda m: Department.objects.visible_to(m),
    "application": lambda m: MembershipApplication.objects.visible_to(m),
    "profile_review": lambda m: ProfileReview.objects.visible_to(m),
    "version": lambda m: PolicyVersion.objects.visible_to(m),
    "article": lambda m: Article.objects.filter(version__in=PolicyVersion.objects.visible_to(m)),
    "follow": lambda m: FollowRelation.objects.visible_to(m),
    "followup": lambda m: FollowUp.objects.visible_to(m),
    "plan": lambda m: DevelopmentPlan.objects.visible_to(m),
    "order": lambda m: Order.objects.visible_to(m),
    "transfer": lambda m: Transfer.objects.visible_to(m),
    "target": lambda m: TargetNode.objects.visible_to(m),
    "target_plan": lambda m: CorrectivePlan.objects.filter(node__in=TargetNode.objects.visible_to(m)),
    "transfer_item": lambda m: TransferItem.objects.filter(transfer__in=Transfer.objects.visible_to(m)),
    "tree": lambda m: TargetTree.objects.filter(nodes__in=TargetNode.objects.visible_to(m)),
    "convention_issue": lambda m: ConventionIssue.objects.visible_to(m),
    "designation": lambda m: GroupAdminDesignation.objects.filter(group__in=GroupChat.objects.visible_to(m)),
    "suggestion": lambda m: Suggestion.objects.visible_to(m),
    "suggestion_reply": lambda m: SuggestionReply.objects.filter(suggestion__in=Suggestion.objects.visible_to(m)),
    "task": lambda m: Task.objects.visible_to(m),
    "task_check": lambda m: TaskChecklistItem.objects.filter(task__in=Task.objects.visible_to(m)),
    "task_attachment": lambda m: TaskAttachment.objects.filter(task__in=Task.objects.visible_to(m)),
    "task_comment": lambda m: TaskComment.objects.filter(task__in=Task.objects.visible_to(m)),
    "work_plan": lambda m: WorkPlan.objects.visible_to(m),
    "report": lambda m: Report.objects.visible_to(m),
    "report_comment": lambda m: ReportComment.objects.filter(report__in=Report.objects.visible_to(m)),
    "report_template": lambda m: ReportTemplate.objects.visible_to(m),
    "scorecard": lambda m: Scorecard.objects.visible_to(m),
    "sanction": lambda m: Sanction.objects.visible_to(m),
    "appeal": lambda m: Appeal.objects.filter(sanction__in=Sanction.objects.visible_to(m)),
    "meeting": lambda m: Meeting.objects.visible_to(m),
    "meeting_item": lambda m: ActionItem.objects.filter(meeting__in=Meeting.objects.visible_to(m)),
    "library_item": lambda m: LibraryItem.objects.visible_to(m),
    "library_case": lambda m: LibraryCase.objects.visible_to(m),
}

# component schema name -> [(kind, field holding that kind's id)]
SCOPED: dict[str, list[tuple[str, str]]] = {
    "MemberOut": [("member", "id")],
    "ReplyMemberFiguresOut": [("member", "id")],
    "MemberBrief": [("member", "id")],
    "CustomerOut": [("customer", "id")],
    "CustomerDetailOut": [("customer", "id")],
    "GroupOut": [("group", "id")],
    "GroupDetailOut": [("group", "id")],
    "ModerationActionOut": [("moderation_action", "id"), ("group", "group_id")],
    "ModerationCaseOut": [("moderation_case", "id")],
    "BanAlertOut": [("ban_alert", "id"), ("group", "group_id")],
    "ViolationOut": [("violation", "id")],
    "ViolationDetailOut": [("violation", "id")],
    "DepartmentOut": [("department", "id")],
    "ApplicationOut": [("application", "id")],
    "ProfileReviewOut": [("profile_review", "id"), ("member", "member_id")],
    "VersionBrief": [("version", "id")],
    "VersionOut": [("version", "id")],
    "ArticleOut": [("article", "id")],
    "ArticleDetailOut": [("article", "id"), ("version", "version_id")],
    "ResolveOut": [("article", "article_id")],
    "AckOut": [("version", "version_id")],
    "ImportOut": [("version", "version_id")],
    "CitationOut": [("version", "version_id"), ("article", "article_id")],
    "CitedOut": [("version", "version"), ("article", "article")],
    "TextOut": [("version", "id")],
    "FollowOut": [("follow", "id")],
    "FollowRowOut": [("follow", "id"), ("customer", "customer_id")],
    "FollowUpOut": [("followup", "id"), ("follow", "follow_id")],
    "PlanOut": [("plan", "id")],
    "OrderBrief": [("order", "id")],
    "OrderOut": [("order", "id")],
    "TransferOut": [("transfer", "id"), ("member", "handover_id")],
    "NodeOut": [("target", "id"), ("tree", "tree_id"), ("member", "owner_id")],
    "NodeLiveOut": [("target", "id"), ("tree", "tree_id"), ("member", "owner_id")],
    "TreeOut": [("tree", "id")],
    "TargetPlanOut": [("target_plan", "id"), ("target", "node_id")],
    "TransferItemOut": [("transfer_item", "id")],
    "ConventionIssueOut": [("convention_issue", "id"), ("group", "group_id")],
    "DesignationOut": [("designation", "id"), ("group", "group_id")],
    # author_id / a reply's author_id: the people who wrote or answered it, shown by name to the reader on purpose
    "SuggestionOut": [("suggestion", "id")],
    "SuggestionDetailOut": [("suggestion", "id")],
    "SuggestionReplyOut": [("suggestion_reply", "id")],
    # tasks: the creator and assignees (TaskPersonOut) are shown by name to whoever reads the task, on purpose
    "TaskOut": [("task", "id"), ("work_plan", "plan_id")],
    "TaskDetailOut": [("task", "id"), ("work_plan", "plan_id")],
    "TaskCheckOut": [("task_check", "id")],
    "TaskAttachmentOut": [("task_attachment", "id")],
    "TaskCommentOut": [("task_comment", "id")],
    "TaskPlanOut": [("work_plan", "id")],
    "TaskPlanDetailOut": [("work_plan", "id")],
    # a report names its author (the reader is the author or their lead, who reads the author's work)
    "ReportOut": [("report", "id"), ("member", "member_id")],
    "ReportDetailOut": [("report", "id"), ("member", "member_id")],
    "ReportCommentOut": [("report_comment", "id")],
    "ReportTemplateOut": [("report_template", "id")],
    # library: the author of a published item or case is shown by name to every reader on purpose
    "LibraryItemOut": [("library_item", "id")],
    "LibraryItemDetailOut": [("library_item", "id")],
    "LibraryCaseOut": [("library_case", "id")],
    "LibraryCaseDetailOut": [("library_case", "id")],
    "ScorecardOut": [("scorecard", "id"), ("member", "member_id")],
    "ScorecardDetailOut": [("scorecard", "id"), ("member", "member_id")],
    "RankRowOut": [("member", "member_id")],
    "SanctionOut": [("sanction", "id"), ("member", "member_id"), ("violation", "violation_id")],
    "AppealOut": [("appeal", "id"), ("sanction", "sanction_id")],
    "SanctionPolicyOut": [("article", "article_id")],
    # organizer_id, assignee_id, member_id, task_id: the meeting's own people and tasks, shown to its readers
    "MeetingOut": [("meeting", "id")],
    "MeetingDetailOut": [("meeting", "id")],
    "MeetingActionItemOut": [("meeting_item", "id")],
}
# Schemas with an `id` that carry nothing scoped: regulation-wide or configuration objects.
UNSCOPED = {"PolicyOut", "ItemOut", "CommentOut", "RuleOut", "RuleDetailOut", "ProductOut", "PricePolicyOut"}
# performance: a frozen period (no member in it) and KPI definitions (configuration).
UNSCOPED |= {"SnapshotOut", "KpiSetOut"}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    name = None
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    return name, node


def named_ids(spec: dict[str, Any], schema: dict[str, Any], value: Any) -> Iterator[tuple[str, int, str]]:
    """(kind, id, where) for every scoped object in `value`, walked along `schema`."""
    name, schema = _resolve(spec, schema)
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from named_ids(spec, sub, value)
    if isinstance(value, list) and "items" in schema:
        for item in value:
            yield from named_ids(spec, schema["items"], item)
    elif isinstance(value, dict):
        for kind, field in SCOPED.get(name or "", []):
            if isinstance(value.get(field), int):
                yield kind, value[field], f"{name}.{field}"
        props = schema.get("properties", {})
        for key, sub in props.items():
            if key in value:
                yield from named_ids(spec, sub, value[key])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                if key not in props:
                    yield from named_ids(spec, extra, item)


def out_of_scope(viewer: Member, found: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """The entries of `found` that `viewer` may not see (read fresh from the database)."""
    bad = []
    for kind in {k for k, _, _ in found}:
        ids = {i for k, i, _ in found if k == kind}
        seen = set(KINDS[kind](viewer).filter(pk__in=ids).values_list("pk", flat=True))
        bad += [f for f in found if f[0] == kind and f[1] not in seen]
    return bad


def id_schemas(spec: dict[str, Any]) -> set[str]:
    return {n for n, s in spec.get("components", {}).get("schemas", {}).items() if "id" in s.get("properties", {})}
