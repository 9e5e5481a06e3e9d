"""Text as the user meant it: the invisible control characters that pasting from other systems
brings along are not kept (a name is stored, searched and exported as it reads)."""

import unicodedata


def without_controls(text: str) -> str:
    """`text` without its control characters (Unicode category Cc, such as \\x01), keeping tabs
    and line breaks, which separate things (several cooperating units in one cell)."""
    return "".join(character for character in text if character.isspace() or unicodedata.category(character) != "Cc")


def one_line(text: str) -> str:
    """`text` on one line: control characters dropped, tabs and line breaks as spaces, ends stripped."""
    return "".join(" " if character.isspace() else character for character in without_controls(text)).strip()


def whole_number(text: str | None, *, digits: int = 9) -> int | None:
    """The whole number `text` writes in ASCII digits, at most `digits` of them (an id or a year from a
    query string or a cell), else None: str.isdigit() alone lets "²" through, which int() refuses,
    and a longer number overflows the database's integer columns."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
