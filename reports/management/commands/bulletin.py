from pathlib import Path

from django.core.management import BaseCommand, CommandError

from figures.assessment import NoRuleSet
from reports import services


class Command(BaseCommand):
    help = (
        "生成某季度的通报（第四季度为年度考核）：与网页上“生成”相同，保存为草稿（已发布的通报不变），"
        "并可将 PDF 和 Excel 写入文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2021")
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4], help="季度 1–4（4 为年度考核）")
        parser.add_argument("--pdf", type=Path, help="PDF 写入此文件")
        parser.add_argument("--xlsx", type=Path, help="Excel 写入此文件")

    def handle(self, *args, year, quarter, pdf, xlsx, **options):
        try:
            services.check_period(year=year, quarter=quarter)
        except services.AlreadyPublished:
            pass  # the published documents are written as they are
        except services.BulletinError as error:
            raise CommandError(str(error)) from None
        try:
            generated = services.generate_bulletin(year=year, quarter=quarter)
        except NoRuleSet as error:
            raise CommandError(str(error)) from None
        bulletin = generated.bulletin
        self.stdout.write(f"{bulletin.title}：{generated.outcome}")
        for path, content in ((pdf, bulletin.pdf), (xlsx, bulletin.xlsx)):
            if path is not None:
                try:
                    path.write_bytes(bytes(content))
                except OSError as error:
                    raise CommandError(f"无法写入 {path}：{error.strerror}") from None
                self.stdout.write(f"已写入 {path}（{len(content) // 1024} KB）")
