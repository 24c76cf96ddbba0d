"""A violation's citation is read by the member it names: it cites published regulations only, never a draft."""

from __future__ import annotations

import pytest

from zhidu.compliance.services import article_citation
from zhidu.policies import services as policies
from zhidu.policies.models import VersionStatus
from zhidu.policies.tests.factories import SMALL, make_version

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "内部草案管理制度"


def test_a_draft_is_never_cited():
    make_version(text=SMALL.replace("测试管理制度", DRAFT_TITLE), code="draft-only-rules")
    assert article_citation("draft-only-rules#3.1") == ""


def test_the_published_version_is_cited_not_a_newer_draft():
    make_version(code="cited-rules", status=VersionStatus.PUBLISHED)
    make_version(text=SMALL.replace("测试管理制度", DRAFT_TITLE), code="cited-rules")
    assert article_citation("cited-rules#3.1") == "《测试管理制度》第三条第（一）项"


def test_a_draft_is_cited_once_it_is_published():
    version = make_version(code="later-rules", status=VersionStatus.APPROVED)
    assert article_citation("later-rules#3.2") == ""
    policies.version_publish(actor=None, version=version, effective_date=policies.earliest_effective_date())
    assert article_citation("later-rules#3.2") == "《测试管理制度》第三条第（二）项"
