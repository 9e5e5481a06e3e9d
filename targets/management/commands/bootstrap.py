import datetime
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, CommandError, call_command
from django.utils import timezone

from access.roles import Role
from figures import activity_index
from figures.assessment import NoRuleSet, rules_for
from figures.supervision import group_figures
from landing import demo as signing_demo
from leads import demo as pipeline_demo
from projects import demo
from projects.models import Project, Status
from supervision import demo as supervision_demo
from targets.activity_index import Week
from targets.models import Membership, Organisation, RuleSet, Unit, UnitKind

LOCAL = Path(settings.BASE_DIR) / ".local"
ADMIN_LOGIN_FILE = LOCAL / "admin-login.txt"
DEMO_LOGIN_DIR = LOCAL / "demo-logins"
# One demo account per role (with a unit or not); the unit staff member enters for the first park.
DEMO_ACCOUNTS = [
    ("demo_staff", Role.STAFF, True, "园区填报员（演示）"),
    ("demo_reviewer", Role.REVIEWER, False, "招商局审核员（演示）"),
    ("demo_leader", Role.LEADER, False, "区领导（演示）"),
]
REFERENCE_FIXTURE = "fuling_2021"  # the district's reference data, organisation record included
CHAINS_FIXTURE = "chains_2021"  # the district's industry chains, one leading industry per special group
KEY_TASKS_FIXTURE = "key_tasks_2021"  # the plan's 15 key tasks, and the non-assessed units they name


class Command(BaseCommand):
    help = (
        "首次运行：载入基础数据（地区设置、单位、2021年目标和规则、专项招商组及其产业链），创建管理员账号并打印登录信息；"
        "--demo 另建每个角色的演示账号和一套演示数据（仅限默认的 SQLite 数据库）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000", help="服务器地址，用于打印登录网址（默认 127.0.0.1:8000）")
        parser.add_argument(
            "--demo", action="store_true", help="另建演示账号和演示数据（设置了 DATABASE_URL 时拒绝执行）"
        )

    def handle(self, *args, **options):
        if options["demo"] and os.environ.get("DATABASE_URL"):
            raise CommandError("已设置 DATABASE_URL：演示账号和演示数据只载入默认的 SQLite 数据库，未做任何修改。")
        if Unit.objects.exists():
            self.stdout.write("基础数据已存在，未重新载入（避免覆盖已修改的目标）。")
        else:
            call_command("loaddata", REFERENCE_FIXTURE, CHAINS_FIXTURE, KEY_TASKS_FIXTURE, verbosity=0)
            self.stdout.write(self.style.SUCCESS(f"已载入{Organisation.current().district}基础数据。"))
        address = options["address"]
        admin = self.ensure_admin(address)
        if options["demo"]:
            self.ensure_demo(admin, address)

    def ensure_admin(self, address: str):
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", password=remembered_password(ADMIN_LOGIN_FILE))
        self.stdout.write(self.style.SUCCESS(f"管理后台：http://{address}/admin/  {login_line('admin', ADMIN_LOGIN_FILE)}"))
        return admin

    def ensure_demo(self, admin, address: str):
        User = get_user_model()
        self.stdout.write(self.style.SUCCESS(f"系统网址：http://{address}/  演示账号（每个角色一个）："))
        park = demo_unit()
        for username, role, has_unit, full_name in DEMO_ACCOUNTS:
            password_file = DEMO_LOGIN_DIR / username
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, password=remembered_password(password_file), first_name=full_name)
                user.groups.add(Group.objects.get_or_create(name=role.value)[0])
                if has_unit:
                    Membership.objects.create(user=user, unit=park)
            where = f"（{park.name}）" if has_unit else ""
            self.stdout.write(f"  {role.label}{where}：{login_line(username, password_file)}")
        year = RuleSet.objects.order_by("-year").values_list("year", flat=True).first()
        if demo.has_demo_data():
            self.stdout.write("演示数据已存在，未重复载入。")
        elif year is not None:
            created = demo.load_demo_data(year=year, user=admin)
            self.stdout.write(
                self.style.WARNING(f"已载入演示数据：{year}年虚构项目 {created} 个（名称以“【演示】”开头，编号以 DEMO 开头）。")
            )
        if not pipeline_demo.has_demo_pipeline():
            created = pipeline_demo.load_demo_pipeline(today=timezone.localdate(), user=admin)
            self.stdout.write(
                self.style.WARNING(
                    f"已载入演示招商线索：目标企业 {created['enterprises']} 家、线索 {created['leads']} 条、"
                    f"近{pipeline_demo.WEEKS}周招商活动 {created['activities']} 条（名称以“【演示】”开头）。"
                )
            )
            self.store_demo_weeks()
        if year is not None:
            self.ensure_demo_landing_and_supervision(year, admin)

    def ensure_demo_landing_and_supervision(self, year: int, admin):
        """Signing events of the demo year with demo projects signed at them; the key tasks' and
        two groups' reports of its quarters due by today (after the pipeline: a group's report
        freezes its leads)."""
        today = timezone.localdate()
        if not signing_demo.has_demo_events():
            projects = Project.objects.filter(code__startswith=demo.CODE_PREFIX, signed_on__year=year)
            projects = projects.exclude(status=Status.WITHDRAWN).order_by("signed_on", "code")
            created = signing_demo.load_demo_events(year=year, projects=list(projects), user=admin, today=today)
            self.stdout.write(
                self.style.WARNING(
                    f"已载入演示集中签约活动 {created['events']} 场，关联演示项目 {created['links']} 个（名称以“【演示】”开头）。"
                )
            )
        if not supervision_demo.has_demo_reports():
            created = supervision_demo.load_demo_reports(
                year=year, today=today, figures_of=frozen_figures_of(year), user=admin
            )
            self.stdout.write(
                self.style.WARNING(
                    f"已载入演示季报：{year}年重点任务季报 {created['task_reports']} 份（其中 {created['returned']} 份已退回待重报，"
                    f"{created['missing']} 份未报），专项招商组季报 {created['group_reports']} 份（内容以“【演示】”开头）。"
                )
            )

    def store_demo_weeks(self):
        """The demo activities' weeks stored as the Monday job would have, so the dashboard's block
        and the index page's history show them on first start."""
        last = Week.of(timezone.localdate()).previous()
        try:
            for week in last.back(pipeline_demo.WEEKS):
                activity_index.store_week(week)
        except NoRuleSet as error:
            self.stdout.write(f"招商活跃指数未计算：{error}")


def frozen_figures_of(year: int):
    """What a group's report freezes, as its page computes it: the group's figures of a quarter of
    `year` on the day the report is written, as JSON."""
    try:
        rules = rules_for(year)
    except NoRuleSet:
        rules = None

    def figures_of(group, quarter: int, as_of: datetime.date) -> dict:
        return group_figures(group, year=year, quarter=quarter, rules=rules, today=as_of).as_json()

    return figures_of


def demo_unit() -> Unit:
    """The unit the demo staff member enters for: the first park."""
    return Unit.objects.filter(kind=UnitKind.PARK, is_active=True).order_by("sort_order", "pk").first()


def remembered_password(path: Path) -> str:
    """A new random password, kept in `path` (readable by the owner only) so it can be printed again."""
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password)
    path.chmod(0o600)
    return password


def login_line(username: str, path: Path) -> str:
    if path.exists():
        return f"用户名 {username}，密码 {path.read_text().strip()}"
    return f"用户名 {username}（密码已由您修改）"
