"""The system's name, as the pages' title bar and the documents' metadata show it.

One definition so that a page and a PDF never name the system differently. The organisation
record (district name, issuing body, system title) is to replace this constant.
"""

SYSTEM_TITLE = "涪陵区招商引资目标考核"


def system_title() -> str:
    return SYSTEM_TITLE


def context(request) -> dict:
    """`system_title` for every template (base.html's title and brand)."""
    return {"system_title": SYSTEM_TITLE}
