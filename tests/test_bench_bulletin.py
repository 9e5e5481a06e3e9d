"""The bulletin benchmark's own pieces, at a small size: its snapshot is a valid one and renders."""

import re
import shutil
import subprocess

import pytest

from bench import bulletin
from reports.pdf import render_pdf
from reports.snapshot import from_json, to_json


def test_the_synthetic_snapshot_is_a_snapshot_the_store_reads_back():
    snapshot = bulletin.synthetic_snapshot(projects=20)

    assert from_json(to_json(snapshot)) == snapshot
    assert len(snapshot.projects) == 20
    assert [len(section.rows) for section in snapshot.sections] == [6, 16]


def test_its_scores_and_ranks_are_consistent():
    for section in bulletin.synthetic_snapshot(projects=0).sections:
        scores = [row.score for row in section.rows]
        assert scores == sorted(scores, reverse=True)
        assert [row.rank for row in section.rows] == list(range(1, len(section.rows) + 1))
        for row in section.rows:
            assert row.score == sum(cell.points for cell in row.cells.values() if cell.points is not None)


def test_the_same_seed_gives_the_same_snapshot():
    assert bulletin.synthetic_snapshot(projects=30, seed=3) == bulletin.synthetic_snapshot(projects=30, seed=3)
    assert bulletin.synthetic_snapshot(projects=30, seed=3) != bulletin.synthetic_snapshot(projects=30, seed=4)


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils (pdfinfo) is not installed")
def test_a_small_synthetic_bulletin_renders_and_its_pages_are_counted_right(tmp_path):
    pdf = render_pdf(bulletin.synthetic_snapshot(projects=60))
    path = tmp_path / "bench.pdf"
    path.write_bytes(pdf)

    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    assert bulletin.page_count(pdf) == pages > 8  # 7 pages without projects, 60 projects need more than one
