import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

from targets.models import Unit

ADMIN_LOGIN_FILE = Path(settings.BASE_DIR) / ".local" / "admin-login.txt"


class Command(BaseCommand):
    help = "首次运行：载入涪陵区2021年基础数据（单位、目标、规则、专项招商组），创建管理员账号并打印登录信息。"

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000", help="服务器地址，用于打印登录网址（默认 127.0.0.1:8000）")

    def handle(self, *args, **options):
        if Unit.objects.exists():
            self.stdout.write("基础数据已存在，未重新载入（避免覆盖已修改的目标）。")
        else:
            call_command("loaddata", "fuling_2021", verbosity=0)
            self.stdout.write(self.style.SUCCESS("已载入涪陵区2021年基础数据。"))
        self.ensure_admin(options["address"])

    def ensure_admin(self, address: str):
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", password=password)
            ADMIN_LOGIN_FILE.parent.mkdir(exist_ok=True)
            ADMIN_LOGIN_FILE.write_text(password)
            ADMIN_LOGIN_FILE.chmod(0o600)
        if ADMIN_LOGIN_FILE.exists():
            password = ADMIN_LOGIN_FILE.read_text().strip()
            login = f"用户名 admin，密码 {password}"
        else:
            login = "用户名 admin（密码已由您修改）"
        self.stdout.write(self.style.SUCCESS(f"管理后台：http://{address}/admin/  {login}"))
