"""Building regulations in a given lifecycle state through the real services."""

from __future__ import annotations

from zhidu.org.models import Member
from zhidu.policies import services
from zhidu.policies.models import PolicyVersion, VersionStatus
from zhidu.policies.parser import parse_text

# Our own small regulation: 2 chapters, 4 articles, 3 items.
SMALL = """测试管理制度
第一章 总则
第一条 为了检验导入功能，制定本制度。
第二条 本制度适用于测试团队的全体成员。
第二章 行为规范
第三条 成员不得有下列行为：
（一）虚构业绩；
（二）泄露客户资料；
（三）辱骂同事。
第四条 违反第三条的，依照公司规定处理。
"""

SMALL_V2 = SMALL.replace(
    "第四条 违反第三条的，依照公司规定处理。", "第四条 违反第三条的，给予警告。\n第五条 本制度自发布之日起施行。"
)


def make_version(
    *,
    text: str = SMALL,
    code: str = "test-rules",
    status: str = VersionStatus.DRAFT,
    actor: Member | None = None,
    fmt: str = "text",
    title: str = "",
) -> PolicyVersion:
    """Import `text` and walk it through the lifecycle up to `status` (published with the minimum notice)."""
    parsed = parse_text(text, fmt=fmt)
    version = services.policy_import(actor=actor, parsed=parsed, source=text, code=code, title=title)
    order = [VersionStatus.DRAFT, VersionStatus.DISCUSSION, VersionStatus.APPROVED, VersionStatus.PUBLISHED]
    target = order.index(VersionStatus(status))
    if target >= 1:
        version = services.version_open_discussion(actor=actor, version=version)
    if target >= 2:
        version = services.version_approve(actor=actor, version=version)
    if target >= 3:
        version = services.version_publish(
            actor=actor, version=version, effective_date=services.earliest_effective_date()
        )
    version.refresh_from_db()
    return version
