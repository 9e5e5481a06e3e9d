from django.core.management import BaseCommand, CommandError

from projects.importing import ImportRejected, apply_plan, parse_workbook


class Command(BaseCommand):
    help = "从 Excel 文件导入招商项目、到位资金和补充协议（模板用 import_template 生成）。有任何错误时全部列出，不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--approve", action="store_true", help="导入的项目直接设为“已审核”、写入的到位资金和补充协议设为“已核实”（默认“待审核”“待核实”）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示将新建、更新的内容，不写入数据")

    def handle(self, *args, file, approve, dry_run, **options):
        plan = parse_workbook(file)
        try:
            result = apply_plan(plan=plan, approve=approve, dry_run=dry_run)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"导入失败：发现 {len(rejected.problems)} 处错误，未写入任何数据。") from None
        for warning in plan.warnings:
            self.stdout.write(f"提醒：{warning}")
        for line in result.summary():
            self.stdout.write(line)
