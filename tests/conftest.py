import os

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def static_files_without_manifest(settings):
    """Production serves collected, hashed static files; tests read them from the source folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_in_the_test_thread(settings):
    """Without a broker tasks run in a thread of their own (TASKS_IN_THREAD); tests run them
    where they can see them: on commit, in the test's thread."""
    settings.TASKS_IN_THREAD = False


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files (evidence, imports) go to a fresh folder, removed after the test."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def fuling_2021(db):
    """The district's 2021 reference data: 22 units, their targets, the rule set, 12 groups, and
    the industry chains of the groups (fixtures/chains_2021.json), the plan's 15 key tasks and the
    non-assessed units they name (fixtures/key_tasks_2021.json)."""
    call_command("loaddata", "fuling_2021", "chains_2021", "key_tasks_2021", verbosity=0)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    # CI must not pass on a suite that silently skipped what it could not reach (a service, a tool).
    if os.environ.get("FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"FAIL_ON_SKIP=1: {len(skipped)} test(s) were skipped; CI treats that as a failure.", red=True)
        session.exitstatus = 1
