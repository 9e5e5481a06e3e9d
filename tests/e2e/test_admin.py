"""The admin obeys the Content-Security-Policy too (the browser fixture fails on any violation)."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import ProjectFactory


def test_the_administrator_works_in_the_admin_without_policy_violations(open_page, transactional_db):
    call_command("loaddata", "fuling_2021", verbosity=0)
    get_user_model().objects.create_superuser("root", password="管理员-2021-pass")
    project = ProjectFactory()
    page = open_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "管理员-2021-pass")
    page.get_by_role("button", name="登录").click()
    for url in ["/admin/", "/admin/projects/project/", f"/admin/projects/project/{project.pk}/change/", "/admin/auth/user/"]:
        page.goto(url)
        expect(page.locator("#site-name")).to_contain_text("涪陵区招商引资目标考核系统")
