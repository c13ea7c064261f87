"""Each chapter's code blocks, executed through markdown-exec exactly as the build executes them."""

from pathlib import Path

import pytest

from coursebuild.render import render_page

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHAPTERS = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / "chapters").glob("*.md"))
PAGES = CHAPTERS + ["index.md", "errata.md", "notation.md"]


@pytest.mark.slow
@pytest.mark.parametrize("src_path", PAGES)
def test_page_blocks_run_cleanly(src_path):
    html, run = render_page(src_path)
    assert not run.failures, "\n\n".join(run.failures)
    assert "Traceback" not in html
    assert html.strip()
