from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from backup.archive import restore_backup
from backup.databases import BackupError


class Command(BaseCommand):
    help = "从 backup 生成的文件恢复数据库和上传的文件。数据库或文件夹中已有数据时须加 --force。见 docs/deploy.md。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup 生成的 .tar.gz 文件")
        parser.add_argument(
            "--force", action="store_true", help="数据库或上传文件夹中已有数据时，用备份替换数据库中的全部数据"
        )

    def handle(self, *args, file, force, **options):
        try:
            manifest = restore_backup(file, connection=connection, media_root=settings.MEDIA_ROOT, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"已从 {file} 恢复（备份于 {manifest.created_at[:19].replace('T', ' ')}）：数据库 {len(manifest.tables)} 张数据表、"
            f"{manifest.rows} 行数据，与备份一致；上传的文件 {len(manifest.files)} 个，校验无误。"
            "代码比备份新时，请接着运行 migrate。"
        )
