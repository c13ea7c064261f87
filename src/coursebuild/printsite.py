"""MkDocs hook (``hooks:`` in mkdocs.yml): make links on print-site's one-page course resolve.

mkdocs-print-site-plugin joins every page into ``print_page/`` and, to keep anchors unique, prefixes
each link's fragment with the page's key (``#eq-step`` on chapter 1 becomes
``#chapters-01-neuron-eq-step``) but renames only the ids of headings, footnotes and list items.
Our equation anchors (``<div class="equation" id="eq-...">``) are unique across the site already
and keep their ids, so those links would point nowhere; links inside the typeset math (an
``\\eqref`` in TeX becomes an ``<a>`` in the formula's SVG) still carry page-relative URLs. Each
page brings the glyph shapes its formulas use (``coursebuild.typeset``); the print page keeps one
copy of each. Hooks run after every plugin, so this one sees the print page as print-site wrote it.

print-site builds the page's first screen in the reader's browser, once the whole page has been
parsed (DOMContentLoaded): it copies the contents into it and hides the site navigation and search.
On a 3.7 MB page that kept the first screen empty for seconds; ``first_screen_in_html`` does the
same at build time.

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


# print-site's DOMContentLoaded script (its print_site.html template) and what it does.
TOC_SCRIPT = re.compile(
    r"\s*<script type=\"text/javascript\">\s*document\.addEventListener\('DOMContentLoaded', function \(\) \{\s*"
    r"remove_material_navigation\(\);remove_mkdocs_theme_navigation\(\);generate_toc\(\);\s*\}\)\s*</script>"
)
TOC_TARGET = re.compile(r"(<div id=\"print-page-toc\"[^>]*>\s*<nav [^>]*>\s*<h1 [^>]*>.*?</h1>)(\s*</nav>)", re.S)
SIDEBAR_TOC = re.compile(r'<div class="md-sidebar md-sidebar--secondary".*?(<ul class="md-nav__list" data-md-component="toc"[^>]*>)', re.S)
# What remove_material_navigation hides (display: none); Material's tabs appear only with the
# navigation.tabs feature.
HIDDEN = re.compile(r'(<div class="md-sidebar md-sidebar--primary"|<nav class="md-tabs")')


def _element_end(html: str, start: int, tag: str) -> int:
    """The index just after the element that opens at ``start`` (nested ``tag``s counted)."""
    depth = 0
    for match in re.compile(rf"<(/?){tag}\b[^>]*>").finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    raise ValueError(f"unclosed <{tag}> at offset {start}")


def first_screen_in_html(html: str) -> str:
    """The print page with its first screen built in: what print-site's script does in the browser.

    Its ``generate_toc`` (the sidebar's contents copied under "Contents") and
    ``remove_material_navigation`` (the site navigation and tabs hidden, the search removed) run
    once the whole page is parsed, so until then a reader saw an empty contents list beside the
    navigation. Here the contents are copied and the navigation hidden in the HTML, and the script
    goes. The search is left out: print-site hides it, and its presence alone makes Material
    download the search index (about 90 KB) for a page where nobody can search.
    A page without print-site's script is returned unchanged.
    """
    script = TOC_SCRIPT.search(html)
    if script is None:
        return html
    html = html[: script.start()] + html[script.end() :]
    sidebar = SIDEBAR_TOC.search(html)
    if sidebar is None:
        raise ValueError("print page: no table of contents in the secondary sidebar to copy")
    start = sidebar.start(1)
    toc = html[start : _element_end(html, start, "ul")].replace(' data-md-component="toc"', "", 1)
    html, copied = TOC_TARGET.subn(lambda m: m.group(1) + toc + m.group(2), html, count=1)
    if not copied:
        raise ValueError("print page: print-site's contents (#print-page-toc) not found")
    html = HIDDEN.sub(r'\1 style="display: none"', html)
    search = html.find('<div class="md-search" data-md-component="search"')
    if search != -1:
        html = html[:search] + html[_element_end(html, search, "div") :]
    return html


_page_urls: dict[str, str] = {}

# mkdocs-print-site-plugin 2.9's update_anchor_ids tries its regex at every "<" of a page, and each
# try scans to the end of that line. MathJax's SVG puts a formula's hundreds of elements on one
# line (a display of chapter 5: 1,186 on 26 KB), which made the scan quadratic: 10 of the 15 s of a
# build that ran no code, on every build. Starting each SVG shape element on a line of its own
# makes it linear, and so for the MathML beside it. The whitespace draws nothing: these names exist
# only in SVG and MathML, where space between elements is ignored, never in a paragraph's HTML,
# where a line break would be a space. Only print-site's copy is changed.
SVG_ELEMENT = re.compile(
    r"><(?=/?(?:g|path|use|rect|defs|line|circle|polyline|polygon"  # SVG's shapes and groups
    r"|math|mrow|mi|mo|mn|ms|mtext|mspace|msub|msup|msubsup|munder|mover|munderover|mfrac|msqrt"
    r"|mroot|mstyle|mpadded|mphantom|menclose|mtable|mtr|mtd|mlabeledtr|semantics|annotation)[\s/>])")


def on_page_content(html, page, config, files, **kwargs):
    """Give print-site's copy of the page (``page.html``, saved by its own hook, which runs
    first) one SVG element per line; the page itself is unchanged."""
    if getattr(page, "html", None):
        page.html = SVG_ELEMENT.sub(">\n<", page.html)
    return html


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
    path.write_text(first_screen_in_html(fix_print_page(path.read_text(encoding="utf-8"), _page_urls)),
                    encoding="utf-8")
