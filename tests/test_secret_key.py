"""SECRET_KEY: from the environment, else from the git-ignored file `make setup` writes; with
DEBUG off and neither, the app refuses to start instead of signing sessions with a public key.

Each test loads the settings in a fresh interpreter with a clean environment and SECRET_KEY_FILE
pointing into its own temporary folder, so the working copy's own key file plays no part.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
DEVELOPMENT_KEY = "django-insecure-development-only-key"
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"
)


def python(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "fuling_invest.settings"} | env
    return subprocess.run([sys.executable, *args], cwd=BASE, env=clean, capture_output=True, text=True, timeout=120)


def loaded_settings(**env: str) -> list[str]:
    result = python("-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def assert_refused(result: subprocess.CompletedProcess) -> None:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "未设置 SECRET_KEY" in result.stderr and "make setup" in result.stderr


def test_without_a_key_and_with_debug_off_the_settings_refuse_to_load(tmp_path):
    missing = str(tmp_path / "secret_key")

    assert_refused(python("-c", PRINT_SETTINGS, SECRET_KEY_FILE=missing))
    assert_refused(python("-c", PRINT_SETTINGS, SECRET_KEY_FILE=missing, DEBUG="0"))


def test_without_a_key_and_with_debug_off_manage_py_refuses_to_start(tmp_path):
    assert_refused(python("manage.py", "check", SECRET_KEY_FILE=str(tmp_path / "secret_key")))


def test_an_empty_key_file_is_no_key(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(" \n")

    assert_refused(python("-c", PRINT_SETTINGS, SECRET_KEY_FILE=str(key_file)))


def test_with_debug_on_and_no_key_the_development_key_is_used(tmp_path):
    assert loaded_settings(DEBUG="1", SECRET_KEY_FILE=str(tmp_path / "secret_key")) == ["True", DEVELOPMENT_KEY]


def test_the_key_file_is_read_when_the_environment_sets_no_key(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-key-from-the-file-" + "Zq8!" * 10 + "\n")

    assert loaded_settings(SECRET_KEY_FILE=str(key_file)) == ["False", "a-key-from-the-file-" + "Zq8!" * 10]


def test_the_environment_s_key_wins_over_the_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("the-file-s-key")

    assert loaded_settings(SECRET_KEY="the-environment-s-key", SECRET_KEY_FILE=str(key_file)) == [
        "False",
        "the-environment-s-key",
    ]


def test_make_setup_writes_a_private_random_key_once_that_passes_the_deploy_check(tmp_path):
    key_file = tmp_path / "local" / "secret_key"
    make = ["make", "--no-print-directory", f"SECRET_KEY_FILE={key_file}", str(key_file)]

    subprocess.run(make, cwd=BASE, check=True, capture_output=True, timeout=60)
    key = key_file.read_text().strip()
    subprocess.run(make, cwd=BASE, check=True, capture_output=True, timeout=60)

    assert key_file.read_text().strip() == key and len(key) >= 50  # made once, not on every run
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    deploy = python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="zsj.example.gov.cn",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr


def test_two_clones_get_different_keys(tmp_path):
    keys = []
    for clone in ("a", "b"):
        key_file = tmp_path / clone / "secret_key"
        subprocess.run(["make", f"SECRET_KEY_FILE={key_file}", str(key_file)], cwd=BASE, check=True, capture_output=True)
        keys.append(key_file.read_text())

    assert keys[0] != keys[1]


def test_the_key_file_stays_out_of_git():
    result = subprocess.run(["git", "check-ignore", "--quiet", ".local/secret_key"], cwd=BASE, timeout=60)

    assert result.returncode == 0
