"""Project codes (项目编号) made up when none is given: by the import and by the project form."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import Project


class CodeAllocator:
    """Codes FL<signing year>-<5 digits>, numbered after the highest in use, so none is reused.

    `reserved` are codes about to be written (an import file's own) that the database
    does not hold yet. One allocator asks the database once per year.
    """

    PATTERN = re.compile(r"FL(\d{4})-(\d+)")

    def __init__(self, reserved: Iterable[str] = ()):
        self.reserved = set(reserved)
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        if year not in self.last:
            stored = Project.objects.filter(code__startswith=f"FL{year}-").values_list("code", flat=True)
            matches = (self.PATTERN.fullmatch(code) for code in [*stored, *self.reserved])
            self.last[year] = max((int(m[2]) for m in matches if m and int(m[1]) == year), default=0)
        self.last[year] += 1
        return f"FL{year}-{self.last[year]:05d}"


def next_code(year: int) -> str:
    """The next free code for a project signed in `year`."""
    return CodeAllocator().next(year)
