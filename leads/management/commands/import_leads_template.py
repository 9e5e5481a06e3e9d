from django.core.management import BaseCommand

from leads.importing import write_lead_template


class Command(BaseCommand):
    help = "生成空白的招商线索导入模板（.xlsx：目标企业、线索、活动），含填写说明和渠道、阶段、类型、单位等下拉列表。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写出的 .xlsx 文件")

    def handle(self, *args, file, **options):
        write_lead_template(file)
        self.stdout.write(f"已生成导入模板：{file}")
