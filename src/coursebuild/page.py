"""The one sequence that prepares a page's Markdown for conversion, shared by the MkDocs plugin
(``plugin.CoursePlugin.on_page_markdown``) and ``render.render_page`` (the chapter tests), so that
what the tests run and what the build publishes cannot drift apart.

Snippets are expanded, ``[@key]`` citations become links (``citations``), the page's blocks are
registered for execution (``execute.start_page``), and equations are numbered and ``\\eqref``
made into links (``equations``).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import Files
from mkdocs.utils import get_relative_url

from coursebuild import citations, equations, execute


def references_of(pages: dict[str, str], docs_dir: str,
                  notebooks: dict[str, str] | None = None) -> dict[str, citations.Reference]:
    """The entries of ``docs/references.bib`` (none if there is no such file), every page's
    citations checked against them, the Markdown cells of ``notebooks`` (``{src: .ipynb text}``)
    included: an unknown key or an uncited entry raises CitationError."""
    bib = Path(docs_dir) / citations.BIB_NAME
    found = [citation for src in sorted(pages) for citation in citations.scan(src, pages[src])]
    for src in sorted(notebooks or {}):
        found += citations.scan_notebook(src, notebooks[src])
    references = citations.load(bib) if bib.is_file() else {}
    citations.check(found, references, f"docs/{citations.BIB_NAME}")
    return references


def equation_links(src: str, files: Files):
    """``url_to`` for ``equations.render`` on page ``src``: an anchor on the same page; across
    pages a relative link, to the page's source path in prose (MkDocs rewrites those) and to its
    built URL inside math (which MkDocs leaves alone)."""
    page_url = files.get_file_from_path(src).url

    def url_to(eq: equations.Equation, in_math: bool) -> str:
        if eq.src_path == src:
            return f"#{eq.anchor}"
        if in_math:
            return get_relative_url(files.get_file_from_path(eq.src_path).url, page_url) + f"#{eq.anchor}"
        return get_relative_url(eq.src_path, src) + f"#{eq.anchor}"

    return url_to


def prepare(src: str, markdown: str, docs_dir: str, registry, references, files: Files) -> str:
    """Page ``src``'s Markdown as Python-Markdown should convert it, its blocks registered to run.

    Raises:
        citations.CitationError, equations.EquationError: naming the file and line.
    """
    markdown = equations.expand_includes(markdown, docs_dir)
    markdown = citations.render(src, markdown, references,
                                get_relative_url(citations.REFERENCES_PAGE, src))
    execute.start_page(src, markdown)
    return equations.render(src, markdown, registry, equation_links(src, files))
