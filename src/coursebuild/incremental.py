"""Rebuild only what an edit touches, in `mkdocs serve --dirty` (what `make serve` runs).

MkDocs's dirty build re-renders a page only when its source is newer than its built HTML, and
reads no other page. That is exactly right for a prose edit, and wrong in three ways this module
fixes, remembering across the rebuilds of one serve process what the last build saw:

- The edit changed what other pages show: an equation's label, number or page (every ``\\eqref``
  to it), a page title (every page's navigation), ``mkdocs.yml`` or a snippet under
  ``docs/includes/`` (appended to every page). Then the built HTML of every page is deleted
  before MkDocs looks, so every page is rendered again. The equation registry itself is always
  complete: the plugin builds it from every page's source before each build (a few ms).
- The library, the build code, the pins or the environment changed (``outputs.environment_key``):
  any page's output may differ, so again every page is rendered.
- A page MkDocs does not read has no title, so the re-rendered page's navigation would show file
  names: those pages get the title the last build rendered.

A build that is not dirty (`mkdocs build`, the tests, the published site) renders everything and
is unaffected; this only records titles. Each build of the process also reuses the theme's
compiled templates (``TemplateCache``): MkDocs makes a new Jinja environment for every build,
which compiled Material's templates again, about a quarter of a one-page rebuild.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from mkdocs.utils import get_markdown_title

from coursebuild.equations import Equation

log = logging.getLogger("mkdocs.plugins.course")


def outline(registry: dict[str, Equation], pages: dict[str, str], config_file: str | None,
            docs_dir: str) -> str:
    """A digest of what every page shows of the others: each label's number and page (not its
    line: a prose edit above an equation moves it and changes nothing elsewhere), each page's
    title as its Markdown gives it, ``mkdocs.yml``, the snippets under ``docs/includes/`` and the
    bibliography ``docs/references.bib`` (every citation and references list is drawn from it)."""
    digest = hashlib.sha256()
    for label in sorted(registry):
        eq = registry[label]
        digest.update(f"{label} {eq.number} {eq.src_path}\n".encode())
    for src in sorted(pages):
        digest.update(f"{src} {get_markdown_title(pages[src])!r}\n".encode())
    parts = [Path(config_file)] if config_file else []
    parts += sorted(p for p in (Path(docs_dir) / "includes").rglob("*") if p.is_file())
    parts += [p for p in [Path(docs_dir) / "references.bib"] if p.is_file()]
    for path in parts:
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class TemplateCache(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in memory across the builds of one process. Jinja checks
    each entry against its template's source, so an edited template is compiled again."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@dataclass
class Incremental:
    """What the last build of this process saw, and the dirty build's decisions from it."""

    dirty: bool = False  # set from MkDocs's on_startup: `serve --dirty` or `build --dirty`
    environment: str | None = None
    outline: str | None = None
    titles: dict[str, str] = field(default_factory=dict)  # src_uri -> the title last rendered
    rebuilt_all: bool = True  # what the current build decided (the first build renders all)
    templates: TemplateCache = field(default_factory=TemplateCache)

    def before_reading(self, files, environment: str, outline_now: str) -> None:
        """Called once the site's files and equation registry are known (``on_files``), before
        MkDocs decides which pages to read: deletes every page's built HTML when the edit
        reaches beyond the pages it touched."""
        everything = not self.dirty or self.environment is None or (environment, outline_now) != (
            self.environment, self.outline)
        if self.dirty and everything and self.environment is not None:
            why = "the library or environment" if environment != self.environment else \
                "an equation label or number, a title, mkdocs.yml or a snippet"
            log.info("%s changed: rebuilding every page", why)
            for file in files.documentation_pages():
                Path(file.abs_dest_path).unlink(missing_ok=True)
        self.environment, self.outline, self.rebuilt_all = environment, outline_now, everything

    def fill_titles(self, files) -> None:
        """Give each page MkDocs will not read (``on_nav``) the title its last render had."""
        if self.rebuilt_all:
            return
        for file in files.documentation_pages():
            if file.page is not None and not file.is_modified() and file.src_uri in self.titles:
                file.page.title = self.titles[file.src_uri]

    def rendered(self, page) -> None:
        """Record a page's title once it is rendered (``on_page_content``)."""
        self.titles[page.file.src_uri] = page.title


class DirtyNotice(logging.Filter):
    """MkDocs warns on every dirty build that its navigation may be inaccurate. Here it is not
    (see above), and under ``strict: true`` that warning would abort every rebuild: it is
    logged as INFO instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.getMessage().startswith("A 'dirty' build"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_dirty_notice() -> None:
    """Install ``DirtyNotice`` on MkDocs's build logger, once."""
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, DirtyNotice) for f in logger.filters):
        logger.addFilter(DirtyNotice())
