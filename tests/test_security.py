"""Security basics of issue 3: deploy checks, cookies, login throttling, CSP, no inline script."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from access.roles import Role
from tests.factories import user_with_role

BASE = Path(settings.BASE_DIR)
# What production sets (docs/deploy.md): a real key, no debug, its host name, HTTPS.
PRODUCTION_ENV = {
    "SECRET_KEY": "k3-" + "x9Q!z" * 12,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "zsj.fuling.example.gov.cn",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


# Set by the test run itself (the browser tests need it), never in production.
NOT_IN_PRODUCTION = ("DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_with_production_env(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION} | PRODUCTION_ENV
    return subprocess.run([sys.executable, *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = run_with_production_env("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_the_development_key(tmp_path):
    # Only DEBUG falls back to the development key (without it the app does not start at all:
    # tests/test_secret_key.py); the working copy's own key file is kept out of the way.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env={k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", *NOT_IN_PRODUCTION)}
        | {"DEBUG": "1", "SECRET_KEY_FILE": str(tmp_path / "secret_key")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "security.W009" in result.stdout + result.stderr


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite_in_production():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'fuling_invest.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE, s.DEBUG)"
    )
    result = run_with_production_env("-c", code)
    assert result.stdout.split() == ["True", "True", "Lax", "True", "Lax", "False"], result.stderr


def test_login_is_locked_after_five_failed_attempts_even_with_the_right_password(db):
    user_with_role(Role.LEADER, username="leader", password="正确的密码-2021")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "leader", "password": "wrong"})
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    assert client.post(reverse("login"), {"username": "leader", "password": "wrong"}).status_code == 429
    response = client.post(reverse("login"), {"username": "leader", "password": "正确的密码-2021"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count(db):
    user_with_role(Role.LEADER, username="leader", password="正确的密码-2021")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "leader", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "leader", "password": "正确的密码-2021"}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "leader", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "leader", "password": "正确的密码-2021"}).status_code == 302


def test_every_page_carries_a_content_security_policy_without_inline_script(db):
    response = Client().get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in directives["script-src"] + directives["default-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


@pytest.mark.parametrize("template", sorted(str(p.relative_to(BASE)) for p in (BASE / "templates").rglob("*.html")))
def test_templates_hold_no_inline_script_handler_or_style(template):
    text = (BASE / template).read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not EVENT_HANDLER.search(text), "inline event handler: bind it in static/js/"
    assert not STYLE.search(text), "inline style: use a class in static/css/app.css"


def test_the_inline_script_rule_can_fail():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/charts.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<button onclick="x()">') and STYLE.search('<td style="color:red">')


def test_pages_are_in_chinese_whatever_language_the_browser_asks_for(db):
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(reverse("login"))
    assert "用户名" in response.content.decode() and "Username" not in response.content.decode()
