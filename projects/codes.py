"""Project codes (项目编号) made up when none is given: <prefix><signing year>-<5 digits>.

The prefix is the organisation's (targets.models.Organisation.code_prefix). The numbers
come from a sequence per prefix and year (CodeSequence), advanced in a short transaction of
its own that commits at once: a save takes its number without waiting on anyone's long
transaction, and an import reserves the block it needs before its own transaction starts,
so it holds no lock on the sequence while it writes. Hence:

- auto codes are given in order, never twice; a number whose code is taken already (given
  explicitly, in a file or the form) is skipped;
- a code given explicitly never moves the sequence (FL2021-90000 imported by hand does not
  make the next auto code FL2021-90001);
- numbers reserved by a save or an import that then fails are not given again: the codes
  may have gaps (docs/import-template.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from django.db import transaction

from lib.sql import chunks
from targets.models import Organisation

from .models import CodeSequence, Project



def format_code(prefix: str, year: int, number: int) -> str:
    return f"{prefix}{year}-{number:05d}"


def next_code(year: int, *, prefix: str | None = None) -> str:
    """The next free code for a project signed in `year`, reserved for good."""
    return reserve_codes({year: 1}, prefix=prefix).take(year)


def reserve_codes(counts: dict[int, int], *, prefix: str | None = None, taken: Iterable[str] = ()) -> CodeBlock:
    """`counts[year]` codes for each year, taken from the sequences in one committed transaction,
    skipping the codes projects have and those in `taken` (an import file's own, not stored yet).

    `durable`: it must not run inside another transaction (an import's), which would hold the
    sequence's lock until that one ends; Django raises RuntimeError if it does.
    """
    prefix = prefix or Organisation.current().code_prefix
    taken = set(taken)
    codes = {}
    with transaction.atomic(durable=True):
        for year, count in sorted(counts.items()):
            sequence, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
            codes[year], sequence.last = _free_codes(prefix, year, after=sequence.last, count=count, taken=taken)
            sequence.save(update_fields=["last"])
    return CodeBlock(codes)


def peek_codes(counts: dict[int, int], *, prefix: str | None = None, taken: Iterable[str] = ()) -> CodeBlock:
    """The codes `reserve_codes` would give now, reserving nothing (an import's dry run)."""
    prefix = prefix or Organisation.current().code_prefix
    taken = set(taken)
    last = dict(CodeSequence.objects.filter(prefix=prefix, year__in=list(counts)).values_list("year", "last"))
    return CodeBlock(
        {
            year: _free_codes(prefix, year, after=last.get(year, 0), count=count, taken=taken)[0]
            for year, count in counts.items()
        }
    )


def _free_codes(prefix: str, year: int, *, after: int, count: int, taken: set[str]) -> tuple[list[str], int]:
    """`count` codes numbered after `after` that no project has nor `taken` holds, and the last number used."""
    codes: list[str] = []
    last = after
    while len(codes) < count:
        candidates = [format_code(prefix, year, last + i) for i in range(1, count - len(codes) + 1)]
        last += len(candidates)
        stored = set()
        for chunk in chunks(candidates):
            stored.update(Project.objects.filter(code__in=chunk).values_list("code", flat=True))
        codes += [code for code in candidates if code not in stored and code not in taken]
    return codes, last


class CodeBlock:
    """Codes reserved (or, for a dry run, foreseen) per year, handed out in order."""

    def __init__(self, codes: dict[int, Iterable[str]]):
        self.codes = {year: deque(block) for year, block in codes.items()}

    def take(self, year: int) -> str:
        return self.codes[year].popleft()
