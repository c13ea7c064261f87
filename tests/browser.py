"""Helpers to look at the built site in a real browser (Debian's headless Chromium via Playwright).

Used by the browser tests and by ``scripts/screenshots.py``. Every page is served from a loopback
HTTP server; the browser records console errors, failed requests and any request to another host.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sitebuild import REPO

SITE = REPO / "site"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The browser to drive: ``$CHROMIUM`` when set, else Debian's ``chromium`` on the PATH.

    ``$CHROMIUM`` names any Chromium-based browser Playwright can launch: the Pages workflow sets it
    to the runner's Google Chrome (Ubuntu's ``chromium`` package is a snap shim, not a browser).
    Playwright's own browser download cannot work offline, so there is no fallback to it.

    Raises:
        FileNotFoundError: ``$CHROMIUM`` is set but names no executable file.
    """
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise FileNotFoundError(f"CHROMIUM={explicit!r}: expected the path of a browser executable")
        return explicit
    return shutil.which("chromium")


# What GitHub Pages sends gzip-compressed: the transfer sizes measured here are a reader's.
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map"}


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    """``path`` gzipped, compressed once per version of the file (``mtime_ns``, ``size``), as a host's cache
    would: compressing a chapter on every request cost the server 8 ms and the print page 48 ms,
    on the clock of the page loads that bench/bench_pages.py compares with the home page's 1 ms."""
    return gzip.compress(path.read_bytes(), mtime=0)


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site below ``prefix`` only, and a missing file as the site's 404.html (as GitHub
    Pages does): a link that forgets the sub-path a project page lives under gets a 404 here too."""

    def __init__(self, *args, prefix: str = "/", **kwargs):
        self.prefix = prefix  # before the base class handles the request, inside its __init__
        super().__init__(*args, **kwargs)

    def translate_path(self, path):
        if path.split("?", 1)[0].split("#", 1)[0] == self.prefix.rstrip("/"):
            path = "/"  # "/course": the folder itself, which send_head redirects to "/course/"
        elif path.startswith(self.prefix):
            path = "/" + path[len(self.prefix):]
        else:
            return os.path.join(self.directory, "__outside_the_site_prefix__")
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):  # keep test output readable
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlparse(self.path).path.endswith("/"):
            path = path / "index.html"
        if (not path.is_file() or path.suffix not in COMPRESSED
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()  # also the redirect of a folder named without its "/"
        stat = path.stat()
        body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        # As GitHub Pages: a browser may reuse a file for ten minutes without asking again. Without
        # it, a site built a minute ago is fresh in the cache for seconds (a tenth of its age).
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


class _SiteServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that closed the connection mid-response (a benchmark closing its browser
        between loads) is not an error; anything else is reported as the base class does."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_site(root: Path = SITE, prefix: str = "/", port: int | None = None):
    """Serve ``root`` on 127.0.0.1 under the URL path ``prefix``; yields the base URL (ends in '/').

    Args:
        root: a built site (with index.html).
        prefix: the path the site lives under, '/' or e.g. '/course/' (a project page on GitHub).
        port: the port; by default $COURSE_TEST_PORT (the test site's site_url names it), else a
            free one.
    """
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"{root} has no index.html: run `make site` first")
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"prefix {prefix!r}: expected a URL path that starts and ends with '/'")
    handler = functools.partial(_SiteHandler, directory=str(root), prefix=prefix)
    if port is None:
        port = int(os.environ.get("COURSE_TEST_PORT", "0"))
    server = _SiteServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Observed:
    """What the browser saw while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.console_errors.clear()
        self.foreign_requests.clear()
        self.failed_requests.clear()


def leaves_site(url: str) -> bool:
    """True for a request to anywhere but the loopback server (the site must work offline);
    ``data:`` and ``blob:`` URLs are the page's own."""
    return not url.startswith(("data:", "blob:")) and urlparse(url).hostname != "127.0.0.1"


@contextlib.contextmanager
def chromium():
    """Headless Chromium (a Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("no chromium on PATH and no $CHROMIUM: `apt-get install chromium` (.ci/run does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900, scheme: str = "light", javascript: bool = True):
    """A Playwright page in headless Chromium; ``page.observed`` collects errors and foreign requests.

    Requests to any host other than 127.0.0.1 are recorded and aborted (the site must work offline).
    Intercepting them turns off the browser's HTTP cache (Playwright's routing does), so every load
    fetches every file: what the tests check is never an older copy. bench/bench_pages.py, which
    needs the cache, opens its pages without interception.
    """
    observed = Observed()
    with chromium() as browser:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                      java_script_enabled=javascript)

        def route(route):
            if not leaves_site(route.request.url):
                route.continue_()
            else:
                observed.foreign_requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and observed.console_errors.append(m.text))
        page.on("pageerror", lambda e: observed.console_errors.append(f"uncaught: {e}"))
        # net::ERR_ABORTED is the browser dropping a request the page no longer needs (instant
        # navigation moved on); a missing or broken file shows up as an HTTP error instead.
        page.on(
            "requestfailed",
            lambda r: r.failure != "net::ERR_ABORTED" and observed.failed_requests.append(f"{r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and observed.failed_requests.append(f"{r.url} (HTTP {r.status})"),
        )
        page.observed = observed
        yield page


# The math is typeset at build time (coursebuild/typeset.py): a page's formulas arrive in its HTML,
# so there is nothing to wait for beyond the page itself.
ARRIVED = """previous => {
  const path = url => new URL(url, location.href).pathname;
  const back = document.querySelector('a.md-footer__link--prev');
  return location.pathname !== path(previous) && !!back && path(back.href) === path(previous);
}"""
"""True once instant navigation has put the next page in: the address changed and the new
page's "Previous" link names the page we came from (the old footer is gone)."""


def open_page(page, url: str, timeout: float = 60000) -> None:
    """Load ``url`` (its ``load`` event: HTML, styles, images)."""
    page.goto(url, timeout=timeout)


def next_page(page, timeout: float = 60000) -> None:
    """Follow the footer's "Next" link (Material's instant navigation); return once the next
    page's content is in the document."""
    previous = page.evaluate("location.href")
    page.click("a.md-footer__link--next")
    page.wait_for_function(ARRIVED, arg=previous, timeout=timeout)
