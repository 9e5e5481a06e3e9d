"""The login throttle sees the real client behind the reverse proxy (PROXY_COUNT), and a client
cannot forge its address with X-Forwarded-For to dodge a lock or to lock someone else out."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fuling_invest.client_ip import forwarded_client
from access.roles import Role
from tests.factories import user_with_role

PASSWORD = "正确的密码-2021"
PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the app from it
ATTACKER, VICTIM = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin", password=PASSWORD)


def log_in(password: str, *, remote: str, forwarded: str | None = None) -> int:
    """A login as admin; the status code: 302 signed in, 200 wrong password, 429 locked."""
    headers = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return Client().post(reverse("login"), {"username": "admin", "password": password}, **headers).status_code


def fail_until_locked(*, remote: str, forwarded=lambda attempt: None) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in("wrong", remote=remote, forwarded=forwarded(attempt))


# --- Behind one proxy (PROXY_COUNT=1, docs/deploy.md) ------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def test_behind_the_proxy_five_bad_passwords_lock_the_client_who_typed_them_not_everyone(behind_one_proxy, admin):
    fail_until_locked(remote=PROXY, forwarded=lambda attempt: ATTACKER)

    assert log_in(PASSWORD, remote=PROXY, forwarded=ATTACKER) == 429
    assert log_in(PASSWORD, remote=PROXY, forwarded=VICTIM) == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_behind_the_proxy_only_the_entry_the_proxy_appended_counts_so_a_forged_one_dodges_nothing(
    behind_one_proxy, admin
):
    # The attacker sends its own X-Forwarded-For each time; the proxy appends the real address.
    fail_until_locked(remote=PROXY, forwarded=lambda attempt: f"192.0.2.{attempt}, {ATTACKER}")

    assert log_in(PASSWORD, remote=PROXY, forwarded=f"192.0.2.99, {ATTACKER}") == 429
    assert log_in(PASSWORD, remote=PROXY, forwarded=f"{ATTACKER}, {VICTIM}") == 302


def test_behind_the_proxy_a_forged_victim_address_does_not_lock_the_victim(behind_one_proxy, admin):
    fail_until_locked(remote=PROXY, forwarded=lambda attempt: f"{VICTIM}, {ATTACKER}")

    assert log_in(PASSWORD, remote=PROXY, forwarded=VICTIM) == 302


# --- Without a proxy (PROXY_COUNT=0, the default) ----------------------------------------------


@pytest.fixture
def without_proxy(settings):
    settings.PROXY_COUNT = 0


def test_without_a_proxy_a_forged_header_does_not_dodge_the_lock(without_proxy, admin):
    fail_until_locked(remote=ATTACKER, forwarded=lambda attempt: f"192.0.2.{attempt}")

    assert log_in(PASSWORD, remote=ATTACKER, forwarded="192.0.2.99") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_a_proxy_a_forged_header_does_not_lock_out_the_address_it_names(without_proxy, admin):
    fail_until_locked(remote=ATTACKER, forwarded=lambda attempt: VICTIM)

    assert log_in(PASSWORD, remote=VICTIM) == 302


# --- Reading X-Forwarded-For --------------------------------------------------------------------


@pytest.mark.parametrize(
    "header, proxy_count, client",
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        ("1.1.1.1, 203.0.113.5", 1, "203.0.113.5"),
        ("1.1.1.1,203.0.113.5", 1, "203.0.113.5"),
        ("1.1.1.1, 203.0.113.5, 10.0.0.3", 2, "203.0.113.5"),  # two proxies: the second one's entry is the first's
        ("2001:DB8::1", 1, "2001:db8::1"),
        ("203.0.113.5", 0, None),  # no proxy: the header is never read
        ("", 1, None),  # not through the proxy
        ("203.0.113.5", 2, None),  # fewer entries than proxies
        ("1.1.1.1, unknown", 1, None),
        ("1.1.1.1, 203.0.113.5:4711", 1, None),
        ("1.1.1.1, ", 1, None),
        ("<script>", 1, None),
    ],
)
def test_the_client_is_the_entry_the_outermost_proxy_appended_or_none(header, proxy_count, client):
    assert forwarded_client(header, proxy_count) == client


def test_a_malformed_header_falls_back_to_the_peer_address(behind_one_proxy, admin):
    fail_until_locked(remote=PROXY, forwarded=lambda attempt: "1.1.1.1, unknown")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
