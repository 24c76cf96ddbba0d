"""Imports refuse .docx bombs and oversized documents before parsing them, with a clear Chinese message
(zhidu #7, defect 6). The bombs are built here, small, with the limits (settings) turned down to match."""

from __future__ import annotations

import base64
import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhidu.policies.models import PolicyVersion

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)


def docx(paragraphs: list[str], *, prefix: str = "w", filler: bytes = b"", extra: bytes = b"") -> bytes:
    """A minimal Word package: one paragraph per string; `filler` pads document.xml (compressible), `extra` is a
    stored (uncompressed) media part."""
    body = "".join(
        f"<{prefix}:p><{prefix}:r><{prefix}:t>{t}</{prefix}:t></{prefix}:r></{prefix}:p>" for t in paragraphs
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><{prefix}:document xmlns:{prefix}="{W}"><{prefix}:body>{body}'
        f"</{prefix}:body></{prefix}:document>"
    ).encode()
    xml = xml.replace(b'<?xml version="1.0" encoding="UTF-8"?>', b'<?xml version="1.0" encoding="UTF-8"?>' + filler)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", xml)
        if extra:
            z.writestr("word/media/image1.png", extra, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


GOOD = ["测试管理制度", "第一条 为了检验导入功能，制定本制度。", "第二条 本制度适用于测试团队的全体成员。"]


def upload(client, data: bytes, name: str = "r.docx", **extra):  # type: ignore[no-untyped-def]
    return client.post("/api/policies/import", {"file": SimpleUploadedFile(name, data), "dry_run": "true"}, **extra)


def many_articles(n: int) -> list[str]:
    return ["长制度"] + [f"第{i}条 内容。" for i in range(1, n)]


def test_a_small_docx_still_imports(actors, login):
    resp = upload(login(actors.director), docx(GOOD))
    assert resp.status_code == 200, resp.content
    assert resp.json()["articles"] == 2


def test_too_many_paragraphs_are_refused_before_parsing(actors, login, settings):
    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 200
    client = login(actors.director)
    assert upload(client, docx(many_articles(200))).status_code == 200  # 200 paragraphs: at the limit
    resp = upload(client, docx(many_articles(201)))
    assert resp.status_code == 400
    assert resp.json()["detail"] == "无法导入该文件：第 1 行：文档超过 200 段，请拆分为多个制度"
    assert resp.json()["field"] == "file"


def test_paragraphs_are_counted_whatever_the_namespace_prefix(actors, login, settings):
    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 50
    resp = upload(login(actors.director), docx(many_articles(51), prefix="x"), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400
    assert "more than 50 paragraphs" in resp.json()["detail"]


def test_a_zip_bomb_is_refused_by_its_ratio(actors, login):
    """1 MB of document XML that packs into a few KB: far above the default ratio (100)."""
    bomb = docx(GOOD, filler=b" " * (1024 * 1024))
    assert len(bomb) < 10 * 1024
    resp = upload(login(actors.director), bomb)
    assert resp.status_code == 400
    assert "看起来是压缩炸弹" in resp.json()["detail"]


def test_unpacked_size_is_limited(actors, login, settings):
    settings.POLICY_IMPORT_MAX_UNZIPPED_MB = 1
    resp = upload(login(actors.director), docx(GOOD, extra=os.urandom(1024 * 1024 + 1)))
    assert resp.status_code == 400
    assert resp.json()["detail"] == "无法导入该文件：第 1 行：该 .docx 解压后超过 1 MB，请拆分文档或删除大图片"


def test_text_files_are_limited_by_lines(actors, login, settings):
    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 100
    text = "\n".join(many_articles(101)).encode()
    resp = upload(login(actors.director), text, name="r.txt")
    assert resp.status_code == 400 and "文档超过 100 段" in resp.json()["detail"]
    assert PolicyVersion.objects.count() == 0


def test_the_page_shows_the_refusal(actors, login, settings):
    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 20
    resp = login(actors.director).post(
        "/policies/import/", {"file": SimpleUploadedFile("r.docx", docx(many_articles(30)))}
    )
    assert [str(m) for m in resp.context["messages"]] == ["无法导入该文件：第 1 行：文档超过 20 段，请拆分为多个制度"]


def test_the_worker_task_answers_text_or_the_refusal(settings):
    """What a Celery worker runs (here eagerly): JSON in, JSON out, a bomb answered as an error, not raised."""
    from zhidu.policies.tasks import policy_parse_task

    settings.POLICY_IMPORT_MAX_PARAGRAPHS = 10
    ok = policy_parse_task.apply(args=[base64.b64encode(docx(GOOD)).decode(), "r.docx"]).get()
    assert ok["fmt"] == "md" and "第二条" in ok["text"]
    refused = policy_parse_task.apply(args=[base64.b64encode(docx(many_articles(11))).decode(), "r.docx"]).get()
    assert refused["error"]["template"].startswith("the document has more than")
    assert refused["error"]["params"] == {"max": 10}
