"""The publish rehearsal: the site as GitHub Pages serves a project page, under a sub-path.

The Pages workflow builds for ``https://<owner>.github.io/<repo>/``; here the same strict build is
made for ``http://127.0.0.1:PORT/course/`` and served on loopback under ``/course/`` only, a missing
file answered with the site's 404.html as Pages does. A link or asset that assumes the site sits at
the root of its host gets a 404 here, exactly as it would once published. One build serves every
test below (about a minute warm; the chapters' results come from .cache/).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from browser import browser_page, next_page, open_page, serve_site
from sitebuild import REPO, free_port, mkdocs_build
from test_site_browser import assert_page_clean, site_pages

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PREFIX = "/course/"
NOTEBOOK_PAGE = "chapters/08-lab-mnist/"

LINKS_AND_IDS = """() => ({
  ids: [...document.querySelectorAll('[id]')].map(el => el.id),
  links: [...document.querySelectorAll('a')]
      .map(a => a.getAttribute('href') || a.getAttribute('xlink:href'))
      .filter(href => href && !href.startsWith('javascript:'))
      .map(href => new URL(href, location.href).href),
})"""


@dataclass
class Published:
    site: Path
    port: int

    def serve(self):
        return serve_site(self.site, prefix=PREFIX, port=self.port)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The site built strictly for a project-pages address, as the Pages workflow builds it."""
    port = free_port()  # Material's instant navigation only follows links within site_url's host:port
    site = tmp_path_factory.mktemp("published") / PREFIX.strip("/")
    result = mkdocs_build(REPO, site, {**os.environ, "SITE_URL": f"http://127.0.0.1:{port}{PREFIX}"})
    assert result.returncode == 0, f"strict build for a sub-path failed:\n{result.stdout}\n{result.stderr}"
    return Published(site, port)


def test_every_page_and_every_link_works_under_the_prefix(published, chromium):
    """Each page loads only files from under /course/, typesets its math cleanly, and every link
    on it (equation links, MathJax's links inside math, the print page's) reaches a page and an id
    that exist."""
    requested: list[str] = []
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    with published.serve() as base, browser_page() as page:
        page.context.on("request", lambda request: requested.append(request.url))
        for url in site_pages(published.site):
            page.observed.clear()
            open_page(page, base + url)
            result = assert_page_clean(page, url)
            if url == "print_page/":
                assert len(result["equations"]) > 0, "the print page shows no numbered equation"
            found = page.evaluate(LINKS_AND_IDS)
            address = urldefrag(page.url)[0]  # "./" and "" name the same home page
            ids[address] = set(found["ids"])
            links[address] = found["links"]

        outside = [u for u in requested if not u.startswith(("data:", "blob:", base))]
        assert not outside, f"requests outside {base}: {sorted(set(outside))[:10]}"

        files = set()  # links to something other than a page: the notebook, the sitemap
        broken, equation_links = [], 0
        for source, targets in links.items():
            for target in targets:
                if not target.startswith(base):
                    continue  # another site: the browser tests forbid loading from it
                address, fragment = urldefrag(target)
                address = address.split("?", 1)[0]
                if fragment.startswith(("eq-", "mjx-eqn")):
                    equation_links += 1
                if address in ids:
                    if fragment and fragment not in ids[address]:
                        broken.append(f"{source} -> {target}: no id {fragment!r} there")
                elif address.endswith("/"):
                    broken.append(f"{source} -> {target}: no such page")
                else:
                    files.add(address)
        assert not broken, "broken links:\n  " + "\n  ".join(broken[:20])
        assert equation_links > 0, "no equation link on any page: the check above checked nothing"
        for address in sorted(files):
            status = page.request.get(address).status
            assert status == 200, f"{address} (linked from the site) answers HTTP {status}"


def test_instant_navigation_stays_in_one_document_under_the_prefix(published, chromium):
    """Footer links from the home page to the last page, then a cross-page equation link: Material's
    instant navigation (which follows only links within site_url) keeps the first document."""
    with published.serve() as base, browser_page() as page:
        open_page(page, base)
        page.evaluate("window.__sameDocument = true")  # survives only instant (in-page) navigation
        walked = []
        while page.locator("a.md-footer__link--next").count():
            page.observed.clear()
            next_page(page)
            assert page.url.startswith(base), f"left the site's prefix: {page.url}"
            assert page.evaluate("window.__sameDocument === true"), f"{page.url} was a full page load"
            walked.append(page.url[len(base):])
            assert_page_clean(page, walked[-1])
        # every page but home (the start) and the print page (in the navigation, not in the footer chain)
        expected = [url for url in site_pages(published.site) if url not in ("./", "print_page/")]
        assert sorted(walked) == expected, f"the footer walk went {walked}"

        open_page(page, base + "notation/")
        page.evaluate("window.__sameDocument = true")
        link = page.locator("a.eqref[href*='chapters/']").first
        href = link.get_attribute("href")
        anchor = href.split("#", 1)[1]
        link.click()
        page.wait_for_function("anchor => location.hash === '#' + anchor && "
                               "!!document.getElementById(decodeURIComponent(anchor))", arg=anchor)
        assert page.url == urldefrag(page.url)[0] + "#" + anchor and page.url.startswith(base + "chapters/"), page.url
        assert page.evaluate("window.__sameDocument === true"), f"{href} was a full page load"
        assert page.locator(f"[id='{anchor}']").count() == 1, f"{page.url} has no equation {anchor}"


def test_the_notebook_downloads_from_its_page(published, chromium):
    with published.serve() as base, browser_page() as page:
        open_page(page, base + NOTEBOOK_PAGE)
        button = page.locator("a.md-content__button[download]")
        assert urlsplit(button.evaluate("a => a.href")).path.startswith(PREFIX + NOTEBOOK_PAGE)
        with page.expect_download() as download:
            button.click()
        name = download.value.suggested_filename
        notebook = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert name.endswith(".ipynb"), name
        assert notebook["nbformat"] == 4 and any(cell["cell_type"] == "code" for cell in notebook["cells"])
        assert not page.observed.failed_requests, page.observed.failed_requests


def test_a_missing_page_gets_the_sites_404_page_with_its_styles(published, chromium):
    """Pages answers any missing path under the project with its 404.html: MkDocs writes that page's
    links from site_url, so it only works when site_url names the sub-path."""
    with published.serve() as base, browser_page() as page:
        response = page.goto(base + "chapters/no-such-chapter/")
        assert response.status == 404
        assert page.locator("h1").first.inner_text().strip() == "404 - Not found"
        others = [f for f in page.observed.failed_requests if "no-such-chapter" not in f]
        assert not others, f"the 404 page's own files failed: {others}"
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
        assert sheets and all(urlsplit(s).path.startswith(PREFIX) for s in sheets), sheets
        home = page.locator("a.md-header__button.md-logo").evaluate("a => a.href")
        assert home == base, f"the 404 page's home link goes to {home}"


def test_the_rehearsal_server_serves_only_its_prefix_as_pages_does(tmp_path):
    """What the checks above rely on: outside the prefix nothing is found, a missing file gets the
    site's 404.html with status 404, and the bare prefix redirects to its folder."""
    (tmp_path / "index.html").write_text("home")
    (tmp_path / "404.html").write_text("the site's own 404 page")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def get(url):
        try:
            with opener.open(url, timeout=10) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    with serve_site(tmp_path, prefix=PREFIX, port=0) as base:
        root = base[: -len(PREFIX)]
        assert base.endswith(PREFIX) and get(base)[:2] == (200, "home")
        assert get(root + "/index.html")[:2] == (404, "the site's own 404 page")
        assert get(base + "missing/")[:2] == (404, "the site's own 404 page")
        status, _, headers = get(root + PREFIX.rstrip("/"))
        assert status == 301 and headers["Location"] == PREFIX
    with pytest.raises(ValueError, match="starts and ends with '/'"):
        with serve_site(tmp_path, prefix="course"):
            pass
