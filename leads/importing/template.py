"""The blank pipeline workbook: the project template's layout, given the pipeline's sheets."""

from __future__ import annotations

import os
from typing import IO

from projects.importing.template import write_blank_workbook

from .columns import SHEETS, Lookups

TITLE = "招商线索导入模板：填写说明"
RULES = (
    "“目标企业”“线索”“活动”三个工作表可以只填其中一部分，不需要的工作表可以删除；第1行是表头，从第2行起填写。",
    "表头为黄色的列必须保留；其中“责任人”“下一步”“截止日期”只在在跟线索（线索、接洽、洽谈、拟签约）必须填写，"
    "“恢复日期”在暂缓时必须填写，“终止原因”在终止时必须填写。灰色的列可不填，也可以整列删除；列的顺序可以调整，多出的列会被忽略。",
    "“已签约”的线索须在系统中关联签约项目，不能导入；签约后在线索页面关联项目。已签约的线索不能通过导入修改。",
    "单位、专项招商组须与系统中的名称完全一致，见“可选值”工作表；渠道、阶段、类型只能填下拉列表中的值。",
    "目标企业按统一社会信用代码（没有代码时按企业名称）找到已有企业并更新，不会重复新建；线索按线索编号更新；"
    "日期、单位、类型、事由都相同的活动视为同一条。同一文件可以重复导入。",
    "线索和活动的“目标企业”填企业名称或统一社会信用代码，可以是本文件“目标企业”表中的企业，也可以是系统中已有的企业；"
    "活动的“线索编号”同理。",
    "列出但留空的可选列会把该项清空（如榜单、产业链环节）；未列出的列不改动已有内容。",
    "日期可填 Excel 日期，或 2021-03-15、2021/03/15、2021.03.15 格式的文字；金额以亿元为单位，最多4位小数。",
    "文件中只要有一处错误，整个文件都不会导入；系统会逐条列出错误所在的工作表、行号和列名，改正后重新导入即可。",
)


def write_lead_template(file: str | os.PathLike | IO[bytes]) -> None:
    """Write the blank workbook with its 说明 and 可选值 sheets and the dropdowns."""
    write_blank_workbook(file, sheets=SHEETS, lookups=Lookups.load(), title=TITLE, rules=RULES)
