from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from backup.archive import create_backup
from backup.databases import ENGINE_LABELS, BackupError


class Command(BaseCommand):
    help = "备份数据库和上传的文件（凭证、导入文件）到一个 .tar.gz 文件；恢复用 restore。见 docs/deploy.md。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件，如 /var/backups/fuling-invest/2021-12-31.tar.gz（不覆盖已有文件）")

    def handle(self, *args, file, **options):
        try:
            manifest = create_backup(file, connection=connection, media_root=settings.MEDIA_ROOT)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"已备份到 {file}：{ENGINE_LABELS[manifest.engine]} 数据库 {len(manifest.tables)} 张数据表、"
            f"{manifest.rows} 行数据，上传的文件 {len(manifest.files)} 个。"
        )
