"""MkDocs hook (``hooks:`` in mkdocs.yml): make links on print-site's one-page course resolve.

mkdocs-print-site-plugin joins every page into ``print_page/`` and, to keep anchors unique, prefixes
each link's fragment with the page's key (``#eq-step`` on chapter 1 becomes
``#chapters-01-neuron-eq-step``) but renames only the ids of headings, footnotes and list items.
Our equation anchors (``<div class="equation" id="eq-...">``) are unique across the site already
and keep their ids, so those links would point nowhere; links inside the typeset math (an
``\\eqref`` in TeX becomes an ``<a>`` in the formula's SVG) still carry page-relative URLs. Each
page brings the glyph shapes its formulas use (``coursebuild.typeset``); the print page keeps one
copy of each. Hooks run after every plugin, so this one sees the print page as print-site wrote it.

Each page's section also gets ``data-page-url`` (its URL from the site root), so a citation copied
on the print page (``javascripts/lecture.js``) names the chapter's own address, not the print page.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs_print_site_plugin.urls import get_page_key

from coursebuild import typeset
from coursebuild.plugin import is_local_build

ID = re.compile(r"""\sid=["']([^"']+)["']""")
PAGE_SECTION = re.compile(r'<section class="print-page" id="([^"]+)"')
UNMARKED_SECTION = re.compile(PAGE_SECTION.pattern + "(?! data-page-url)")
FRAGMENT_LINK = re.compile(r'(<a\b[^>]*?\bhref=")#([^"]+)(")')
# A link in a typeset formula (MathJax's SVG: <a href="..."><g data-mml-node=...>) to another
# page's equation; on one page the fragment alone is enough.
MATH_HREF = re.compile(r'(<a href=")[^"#]+#(eq-[^"]+)(">(?=<g data-mml-node))')


def fix_print_page(html: str, page_urls: dict[str, str] | None = None) -> str:
    """Point every in-page link of the print page at an id that exists on it.

    A fragment that names no id but is ``<page-key>-<id>`` for an id that does exist (print-site's
    prefix on an anchor it did not rename) is reduced to that id; ``\\href`` targets in math are
    reduced to their ``#eq-...`` fragment. Other links are left as they are. The pages' glyph
    definitions are merged into one.
    ``page_urls`` maps print-site's page keys to page URLs (``"chapters-01-neuron"`` ->
    ``"chapters/01-neuron/"``); each page's section is marked with its URL.
    """
    page_urls = page_urls or {}
    html = UNMARKED_SECTION.sub(
        lambda m: f'{m.group(0)} data-page-url="{page_urls[m.group(1)]}"' if m.group(1) in page_urls else m.group(0),
        html,
    )
    ids = set(ID.findall(html))
    page_keys = PAGE_SECTION.findall(html)

    def fragment(match: re.Match) -> str:
        target = match.group(2)
        if target not in ids:
            for key in page_keys:
                if target.startswith(key + "-") and target[len(key) + 1 :] in ids:
                    target = target[len(key) + 1 :]
                    break
        return f"{match.group(1)}#{target}{match.group(3)}"

    html = FRAGMENT_LINK.sub(fragment, html)
    return typeset.merge_glyphs(MATH_HREF.sub(r"\1#\2\3", html))


_page_urls: dict[str, str] = {}


def on_nav(nav, config, files, **kwargs):
    """Remember every page's URL under the key print-site gives its section."""
    _page_urls.clear()
    _page_urls.update({get_page_key(page.url): page.url for page in nav.pages})
    plugin = config.plugins.get("print-site")
    if plugin is not None and plugin.config.get("enabled") and is_local_build(config):
        # print-site's page is in no Files or sitemap: drop its canonical link here, as
        # plugin.py does for every other page of a loopback build.
        plugin.print_page.canonical_url = None
    return nav


def on_post_build(config, **kwargs) -> None:
    plugin = config.plugins.get("print-site")
    if plugin is None or not plugin.config.get("enabled"):
        return
    path = Path(plugin.print_page.file.abs_dest_path)
    path.write_text(fix_print_page(path.read_text(encoding="utf-8"), _page_urls),
                    encoding="utf-8")
