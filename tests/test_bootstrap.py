"""`manage.py bootstrap`: what `make run` does before serving."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from access.roles import access_of
from figures import activity_index
from figures.assessment import assess
from leads.demo import remove_demo_pipeline
from leads.models import Activity, Lead, TargetEnterprise, WeeklyIndex
from projects.models import Project
from targets.activity_index import Week
from targets.scoring import Period

from targets.management.commands import bootstrap
from supervision.models import KeyTask
from targets.models import RuleSet, Unit, UnitTarget


def test_it_loads_the_reference_data_and_creates_an_admin_with_a_printed_login(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    call_command("bootstrap")
    out = capsys.readouterr().out
    assert Unit.objects.assessed().count() == 22 and RuleSet.objects.filter(year=2021).exists()
    assert KeyTask.objects.filter(year=2021).count() == 15
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


def test_demo_creates_one_account_per_role_with_printed_passwords(db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    out = capsys.readouterr().out
    User = get_user_model()
    for username, role, has_unit, _ in bootstrap.DEMO_ACCOUNTS:
        password = (tmp_path / "demo" / username).read_text()
        assert f"用户名 {username}，密码 {password}" in out
        user = User.objects.get(username=username)
        assert user.check_password(password)
        access = access_of(user)
        assert access.role is role
        assert (access.unit.name if access.unit else None) == ("涪陵新城区" if has_unit else None)  # the first park


def test_demo_data_is_labelled_and_counts_in_the_ranking(db, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    projects = Project.objects.all()
    assert projects.count() > 50
    assert all(p.name.startswith("【演示】") and p.code.startswith("DEMO") and p.investor.startswith("演示") for p in projects)
    results = assess(Period(2021, 4))
    assert sum(1 for r in results if r.score) >= 20
    call_command("bootstrap", demo=True)
    assert Project.objects.count() == projects.count()
    assert "演示数据已存在" in capsys.readouterr().out


def test_demo_is_refused_on_a_database_given_by_database_url(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://somewhere/production")
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    with pytest.raises(CommandError, match="DATABASE_URL"):
        call_command("bootstrap", demo=True)
    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()
    assert not Unit.objects.exists()


def test_demo_pipeline_is_labelled_and_spread_over_the_last_weeks(db, tmp_path, monkeypatch):
    """The board, the map and the weekly index show something on first start: demo enterprises,
    leads and activities, every one labelled, with activity in each of the last weeks."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(bootstrap, "ADMIN_LOGIN_FILE", tmp_path / "admin-login.txt")
    monkeypatch.setattr(bootstrap, "DEMO_LOGIN_DIR", tmp_path / "demo")
    call_command("bootstrap", demo=True)
    enterprises, leads, activities = TargetEnterprise.objects.all(), Lead.objects.all(), Activity.objects.all()
    assert enterprises.count() >= 20 and leads.count() >= 50 and activities.count() >= 100
    assert all(e.name.startswith("【演示】") for e in enterprises)
    assert all(lead.code.startswith("DEMO") and lead.name.startswith("【演示】") for lead in leads)
    assert all(a.summary.startswith("【演示】") for a in activities)
    today = timezone.localdate()
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    weeks = {(today - a.date).days // 7 for a in activities if a.date >= last_monday - datetime.timedelta(weeks=3)}
    assert len(weeks) >= 3, "activity in several of the last weeks"
    assert {lead.stage for lead in leads} >= {"clue", "contact", "negotiating"}
    assert all(lead.next_step and lead.deadline and lead.responsible_person for lead in leads if lead.is_open)
    last_week = Week.of(today).previous()
    stored = activity_index.stored_week(last_week)
    assert stored is not None and stored.rules_year == 2021, "stored with the latest rules' weights"
    assert any(r.index > 0 for r in stored.results) and activity_index.last_week_top_bottom(today=today).kinds
    assert WeeklyIndex.objects.values("year", "week").distinct().count() == 8
    call_command("bootstrap", demo=True)
    assert Lead.objects.count() == leads.count()
    assert remove_demo_pipeline() > 0 and not Lead.objects.exists() and not TargetEnterprise.objects.exists()
