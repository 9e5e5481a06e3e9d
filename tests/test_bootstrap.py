"""`manage.py bootstrap`: what `make run` does before serving."""

from django.contrib.auth import get_user_model
from django.core.management import call_command

from targets.management.commands import bootstrap
from targets.models import RuleSet, Unit, UnitTarget


def test_it_loads_the_reference_data_and_creates_an_admin_with_a_printed_login(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap")
    out = capsys.readouterr().out
    assert Unit.objects.count() == 22 and RuleSet.objects.filter(year=2021).exists()
    password = (tmp_path / "admin-login.txt").read_text()
    assert f"用户名 admin，密码 {password}" in out
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)


def test_it_never_overwrites_targets_edited_since(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap")
    UnitTarget.objects.filter(unit__name="白涛园区").update(agreement_capital=151)
    call_command("bootstrap")
    assert UnitTarget.objects.get(unit__name="白涛园区").agreement_capital == 151
    assert get_user_model().objects.count() == 1
    assert "基础数据已存在" in capsys.readouterr().out


def test_it_prints_the_address_the_server_will_listen_on(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap", address="127.0.0.1:8123")
    assert "管理后台：http://127.0.0.1:8123/admin/" in capsys.readouterr().out
