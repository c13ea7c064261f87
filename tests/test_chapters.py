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


def test_the_chapter_tests_render_a_page_as_the_build_does():
    # One preparation sequence (coursebuild.page.prepare) for the plugin and render_page:
    # citations, equation numbers and cross-page links all appear in what the tests render.
    html, run = render_page("chapters/01-neuron.md")
    assert not run.failures
    assert 'class="citation" href="#ref-mcculloch1943"' in html
    assert 'id="references"' in html
    html, _ = render_page("chapters/09-scratch-vs-keras.md")
    assert 'href="../07-training-with-keras/#eq-adam"' in html or "07-training-with-keras.md#eq-adam" in html
