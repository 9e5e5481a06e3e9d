from django.core.management import BaseCommand

from projects.importing import write_template


class Command(BaseCommand):
    help = "生成空白的项目导入模板（.xlsx），含填写说明和单位、专项招商组等下拉列表。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写出的 .xlsx 文件")

    def handle(self, *args, file, **options):
        write_template(file)
        self.stdout.write(f"已生成导入模板：{file}")
