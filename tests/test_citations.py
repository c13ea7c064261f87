"""Citations from docs/references.bib (coursebuild.citations) and the strict build's checks."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitebuild import REPO, mini_project, mkdocs_build

from coursebuild import citations

BIB = """\
% two entries
@article{rumelhart1986,
  author  = {Rumelhart, David E. and Hinton, Geoffrey E. and Williams, Ronald J.},
  title   = {Learning representations by back-propagating errors},
  journal = {Nature}, volume = {323}, number = {6088}, pages = {533--536}, year = {1986},
  doi     = {10.1038/323533a0}
}

@book{chollet2017,
  author = {Chollet, Fran{\\c{c}}ois}, title = {Deep Learning with Python},
  publisher = {Manning}, year = {2017}
}
"""


@pytest.fixture
def references(tmp_path) -> dict[str, citations.Reference]:
    path = tmp_path / "references.bib"
    path.write_text(BIB)
    return citations.load(path)


def test_entries_read_by_pybtex_in_author_year_form(references):
    backprop = references["rumelhart1986"]
    assert (backprop.authors, backprop.year, backprop.line) == ("Rumelhart, Hinton & Williams", "1986", 2)
    assert backprop.html == (
        "Rumelhart, D. E., Hinton, G. E., &amp; Williams, R. J. (1986). Learning representations by "
        "back-propagating errors. <em>Nature</em>, 323(6088), 533–536. "
        '<a href="https://doi.org/10.1038/323533a0">https://doi.org/10.1038/323533a0</a>'
    )
    assert references["chollet2017"].html == "Chollet, F. (2017). <em>Deep Learning with Python</em>. Manning."


def test_four_or_more_authors_are_first_et_al(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@article{x, author = {A, B and C, D and E, F and G, H}, title = {T}, year = {1998}}")
    assert citations.load(path)["x"].authors == "A et al."


def test_citations_become_links_and_the_page_gets_its_references(references):
    page = "Backprop [@rumelhart1986]; Keras [-@chollet2017]; both [@chollet2017, ch. 2; @rumelhart1986].\n"
    out = citations.render("chapters/05-x.md", page, references, "../references.md")
    first = out.split("\n")[0]
    assert first == (
        "Backprop ([Rumelhart, Hinton & Williams, 1986](#ref-rumelhart1986){.citation}); "
        "Keras ([2017](#ref-chollet2017){.citation}); both ([Chollet, 2017, ch. 2](#ref-chollet2017){.citation}; "
        "[Rumelhart, Hinton & Williams, 1986](#ref-rumelhart1986){.citation})."
    )
    tail = out[out.index("## References") :]
    assert "[references page](../references.md)" in tail
    assert tail.index('id="ref-chollet2017"') < tail.index('id="ref-rumelhart1986"')  # by author


def test_code_math_and_markdown_links_are_not_citations(references):
    page = textwrap.dedent("""\
        `[@nokey]` and $[@nokey]$ and [@site](https://example.org) stay.

        ```python
        x = "[@nokey]"
        ```

        $$
        [@nokey]
        $$

        [@ref]: https://example.org
        """)
    assert citations.scan("p.md", page) == []
    assert citations.render("p.md", page, references, "references.md") == page
    # a citation that ends a line before a colon is still one
    assert [c.key for c in citations.scan("p.md", "as stated in\n[@chollet2017, ch. 2]:\n")] == ["chollet2017"]


def test_unknown_and_uncited_keys_name_file_and_line(references):
    found = citations.scan("chapters/01-a.md", "# 1. A\n\nText [@rumelhart1986].\n\nMore [@rumelhart1968].\n")
    with pytest.raises(citations.CitationError, match=r"chapters/01-a.md:5: \[@rumelhart1968\] names no entry"
                       r".*closest keys: rumelhart1986"):
        citations.check(found, references, "docs/references.bib")
    with pytest.raises(citations.CitationError, match=r"docs/references.bib:9: entry 'chollet2017' is cited by no page"):
        citations.check(found[:1], references, "docs/references.bib")


def test_malformed_citation_and_bad_bib_are_errors(tmp_path, references):
    with pytest.raises(citations.CitationError, match=r"p.md:1: cannot read the citation \[@a; b\]"):
        citations.scan("p.md", "see [@a; b]")
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{x,\n  title = {T},\n  year = 2000\n")
    with pytest.raises(citations.CitationError, match=r"broken.bib:\d+"):
        citations.load(broken)


def test_course_bibliography_is_complete():
    """Every entry of the course's file has what its reference needs: a link unless a book."""
    references = citations.load(REPO / "docs/references.bib")
    for ref in references.values():
        assert "<a href=" in ref.html or "<em>" in ref.html.split(")", 1)[1][:6] or ref.key == "dellalunga2022", ref.key


# The strict build, on a one-chapter site.

def _site(tmp_path: Path, chapter: str) -> Path:
    root = mini_project(tmp_path / "project")
    (root / "docs/references.bib").write_text(BIB)
    shutil.copy(REPO / "docs/references.md", root / "docs/references.md")
    (root / "docs/chapters/01-a.md").write_text(textwrap.dedent(chapter))
    return root


def test_strict_build_links_citations_to_the_chapter_and_references_page(tmp_path):
    root = _site(tmp_path, """\
        # 1. A

        Backpropagation [@rumelhart1986], in Keras [@chollet2017].
        """)
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    chapter = BeautifulSoup((tmp_path / "site/chapters/01-a/index.html").read_text(), "html.parser")
    links = chapter.select("a.citation")
    assert [a.get_text() for a in links] == ["Rumelhart, Hinton & Williams, 1986", "Chollet, 2017"]
    for a in links:
        assert chapter.find(id=a["href"][1:]) is not None
    assert chapter.find("h2", id="references") is not None
    assert chapter.find("a", string="references page")["href"] == "../../references/"
    page = BeautifulSoup((tmp_path / "site/references/index.html").read_text(), "html.parser")
    assert [li["id"] for li in page.select("ul.references li")] == ["ref-chollet2017", "ref-rumelhart1986"]


def test_strict_build_fails_on_an_unknown_key_naming_file_and_line(tmp_path):
    root = _site(tmp_path, """\
        # 1. A

        Backpropagation [@rumelhart1986].

        Keras [@chollet2071].
        """)
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "chapters/01-a.md:5: [@chollet2071] names no entry of docs/references.bib" in result.stderr


def test_strict_build_fails_on_an_uncited_entry_naming_its_line(tmp_path):
    root = _site(tmp_path, """\
        # 1. A

        Backpropagation [@rumelhart1986].
        """)
    result = mkdocs_build(root, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/references.bib:9: entry 'chollet2017' is cited by no page" in result.stderr


def test_an_edit_to_the_bibliography_rebuilds_every_page_in_make_serve(tmp_path):
    """`mkdocs serve --dirty` re-renders every page when the outline changes (coursebuild.incremental)."""
    from coursebuild.incremental import outline

    (tmp_path / "references.bib").write_text(BIB)
    before = outline({}, {"a.md": "# A\n"}, None, str(tmp_path))
    (tmp_path / "references.bib").write_text(BIB.replace("Manning", "Manning Publications"))
    assert outline({}, {"a.md": "# A\n"}, None, str(tmp_path)) != before


def test_a_notebooks_markdown_cells_are_cited_and_rendered(references):
    import json

    notebook = json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["# Lab\n", "MNIST [@rumelhart1986].\n"]},
        {"cell_type": "code", "source": ["x = '[@nokey]'\n"]},
    ]}, indent=1)
    found = citations.scan_notebook("chapters/08-lab.ipynb", notebook)
    assert [(c.key, c.line) for c in found] == [("rumelhart1986", notebook.split("\n").index(
        next(line for line in notebook.split("\n") if "@rumelhart1986" in line)) + 1)]
    page = '<p>MNIST [@rumelhart1986].</p><pre><code>x = "[@nokey]"</code></pre>'
    out = citations.render_html("chapters/08-lab.ipynb", page, references, "../../references/")
    assert out.startswith('<p>MNIST (<a class="citation" href="#ref-rumelhart1986">Rumelhart, Hinton &amp; Williams, 1986</a>).</p>'
                          '<pre><code>x = "[@nokey]"</code></pre>')
    assert '<li id="ref-rumelhart1986">' in out and '<a href="../../references/">references page</a>' in out
