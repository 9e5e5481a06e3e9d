"""A real browser for the end-to-end stories: Debian's Chromium driven by Playwright.

`playwright install` cannot download here, so Playwright drives /usr/bin/chromium (installed
by `make browser`). Every page the story visits is checked for Content-Security-Policy
violations and script errors: a page that needs an inline script fails the story.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    # live_server runs Django in a thread while Playwright's sync API runs an event loop in this
    # one; Django would refuse its ORM calls. Only for these tests: production never sets it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def is_a_problem(page, message) -> bool:
    """An error in the console, except the page's own status: an error page (404, 403) is what
    a test may visit on purpose, and the test checks that status itself; a script or stylesheet
    that fails to load is still a problem."""
    if message.type != "error":
        return False
    document_status = message.text.startswith("Failed to load resource") and message.location.get("url") == page.url
    return not document_status


@pytest.fixture
def open_page(browser, live_server):
    """open_page() → a new signed-out page at the office screen's size; problems are collected."""
    contexts, problems = [], []

    def open_page(width: int = 1366, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: is_a_problem(page, m) and problems.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "browser errors (CSP violations, script errors):\n" + "\n".join(problems)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/**")
