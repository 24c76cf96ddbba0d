"""The experience library on a phone (390×844, zh-CN): a salesperson searches for a published script, copies it
(the copy counts as a use) and likes it; the page never scrolls sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhidu.org.tests.factories import PASSWORD
from zhidu.work import library_services as svc
from zhidu.work.models import LibraryItem, LibraryLike

from .conftest import fits
from .test_membership import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "理解您的顾虑。价格里包含一年的上门售后，算下来每天不到两块钱。"


def test_a_salesperson_finds_copies_and_likes_a_script(live_server, phone, actors):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    for title, body, tags in (
        ("客户嫌价格贵", SCRIPT, ["价格异议"]),
        ("首次添加的问候", "您好，我是顾问小周，很高兴为您服务。", ["开场"]),
    ):
        item = svc.item_create(
            actor=actors.sales_b, kind="script", topic="price", title=title, body=body, tags=tags, submit=True
        )
        svc.item_review(actor=actors.supervisor_b, item=item, decision="approve")
    target = LibraryItem.objects.get(title="客户嫌价格贵")
    context, page, errors = phone.context, phone.page, phone.errors
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server.url, "sales", PASSWORD)
    page.goto(live_server.url + reverse("work:library"))
    assert "经验库" in page.inner_text("h1") and fits(page)
    page.fill("[data-testid=library-q]", "价格贵")
    with page.expect_navigation():
        page.click("[data-testid=library-search-submit]")
    listed = page.inner_text("[data-testid=library-list]")
    assert "客户嫌价格贵" in listed and "首次添加的问候" not in listed and fits(page)
    with page.expect_navigation():
        page.click("text=客户嫌价格贵")
    assert page.input_value("[data-testid=library-text]") == SCRIPT and fits(page)
    assert page.inner_text("[data-testid=library-uses]") == "0"
    page.click("[data-testid=library-copy]")
    expect(page.locator("[data-testid=library-uses]")).to_have_text("1")
    assert "已复制" in page.inner_text("main")
    target.refresh_from_db()
    assert target.use_count == 1
    copied = page.evaluate("navigator.clipboard.readText()")
    selected = page.evaluate("window.getSelection().toString() || ''")
    assert SCRIPT in (copied, selected)  # the clipboard, or the fallback's selection
    with page.expect_navigation():
        page.click("[data-testid=library-like]")
    assert page.inner_text("[data-testid=library-likes]") == "1"
    assert "已赞" in page.inner_text("[data-testid=library-like]") and fits(page)
    assert LibraryLike.objects.filter(item=target, member=actors.sales).exists()
    assert errors == []


def test_a_supervisor_makes_a_case_from_a_chat_on_a_phone(live_server, phone, actors):  # type: ignore[no-untyped-def]
    from zhidu.work.tests.test_library import chat

    msgs = chat(actors.sales, "wmBrowserCase01")
    page, errors = phone.page, phone.errors
    log_in(page, live_server.url, "supervisor", PASSWORD)
    page.goto(live_server.url + reverse("work:library_cases"))
    with page.expect_navigation():
        page.click("[data-testid=case-new]")
    assert actors.sales.name in page.inner_text("[data-testid=case-members]") and fits(page)
    with page.expect_navigation():
        page.click(f"[data-testid=case-members] >> text={actors.sales.name}")
    assert "单聊" in page.inner_text("[data-testid=case-chats]") and fits(page)
    with page.expect_navigation():
        page.click("[data-testid=case-chats] a")
    lines = page.inner_text("[data-testid=case-lines]")
    assert "王建国" not in lines and "13912345678" not in lines and "销售人员" in lines and fits(page)
    page.check(f"input[name=first][value='{msgs[0].pk}']")
    page.check(f"input[name=last][value='{msgs[1].pk}']")
    page.fill("input[name=title]", "先问预算")
    page.select_option("select[name=verdict]", "good")
    page.fill("textarea[name=lesson]", "先问预算再推荐，客户更愿意聊。")
    with page.expect_navigation():
        page.click("[data-testid=case-save]")
    assert "草稿" in page.inner_text("[data-testid=case-status]") and fits(page)
    with page.expect_navigation():
        page.click("[data-testid=case-publish]")
    assert "已发布" in page.inner_text("[data-testid=case-status]")
    assert "客户 1" in page.inner_text("[data-testid=case-lines]") and fits(page)
    assert errors == []
