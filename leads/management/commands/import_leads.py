from django.core.management import BaseCommand, CommandError

from leads.importing import ImportRejected, apply_lead_plan, parse_lead_workbook


class Command(BaseCommand):
    help = "从 Excel 文件导入目标企业、招商线索和招商活动（模板用 import_leads_template 生成）。有任何错误时全部列出，不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示将新建、更新的数量，不写入数据")

    def handle(self, *args, file, dry_run, **options):
        plan = parse_lead_workbook(file)
        try:
            result = apply_lead_plan(plan=plan, dry_run=dry_run)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：发现 {len(rejected.problems)} 处错误，未写入任何数据。") from None
        for line in result.summary():
            self.stdout.write(line)
