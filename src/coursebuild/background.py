"""Run the notebook pages' kernels while the other pages build, not after them.

A notebook page is rendered by mkdocs-jupyter, which executes it in a Jupyter kernel: on a cold
build, about a fifth of the whole build for the lab (the kernel imports TensorFlow and trains).
MkDocs builds pages one after another, so the build waited for that kernel while the machine's
other core idled, and the Markdown pages' code waited in turn.

``NotebooksAhead.start`` forks one process per notebook page that this build will render, before
MkDocs reads the first page. The child renders the page exactly as the build would (mkdocs-
jupyter's render, wrapped by the plugin's ``render_page``), which executes it and writes
mkdocs-jupyter's cache entry, then exits. When MkDocs reaches the page, ``wait`` joins the child,
and the page's own render finds the entry: a cache hit.

A child shares nothing with the build but the files it writes: Python warnings, printed output
and the interpreter lock of the Markdown pages' blocks stay the build's own, which a thread
would not guarantee (``coursebuild.execute`` records every warning raised while a block runs).
If a child fails, the page renders in the build as before, and the error, if there is one, is
reported there, once, with its file and cell. What a child logs as a warning or worse under
MkDocs's logger is logged again by the build when it reaches the page, so `--strict` still counts
it. Only where ``fork`` exists (Linux, the course's
machines and CI): elsewhere pages render in turn, as MkDocs does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from typing import Callable

log = logging.getLogger("mkdocs.plugins.course")


class NotebooksAhead:
    """The notebook pages rendering in forked children, by source path (``docs/``-relative)."""

    def __init__(self):
        self.children: dict[str, tuple[multiprocessing.Process, float, object]] = {}

    def start(self, pages, render_page: Callable[[object], None]) -> None:
        """Fork one child per page in ``pages``; each calls ``render_page(page)`` and exits.

        Args:
            pages: MkDocs ``Page`` objects of notebooks this build renders.
            render_page: renders one page as the build would, writing its cache entry.
        """
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        for page in pages:
            receiver, sender = context.Pipe(duplex=False)
            child = context.Process(target=_render_and_exit, args=(render_page, page, sender),
                                    name=f"render docs/{page.file.src_uri}", daemon=True)
            child.start()
            sender.close()  # the child's end: the build only reads
            self.children[page.file.src_uri] = (child, time.perf_counter(), receiver)
            log.info("rendering docs/%s in the background", page.file.src_uri)

    def wait(self, src_uri: str) -> None:
        """Block until the child rendering ``src_uri`` has exited (nothing if there is none)."""
        if src_uri not in self.children:
            return
        child, started, receiver = self.children.pop(src_uri)
        waited = time.perf_counter()
        try:
            records = receiver.recv()  # sent just before a successful child exits
        except EOFError:  # it failed: nothing was sent
            records = []
        child.join()
        receiver.close()
        now = time.perf_counter()
        for name, level, message in records:
            logging.getLogger(name).log(level, message)
        if child.exitcode == 0:
            log.info("docs/%s rendered in the background in %.1f s (%.1f s of it waited for)",
                     src_uri, now - started, now - waited)
        else:  # the page renders in the build, which reports the error with its context
            log.info("docs/%s did not render in the background (exit code %s); rendering it now",
                     src_uri, child.exitcode)

    def stop(self) -> None:
        """End the children still running (the build failed before reaching their pages)."""
        for child, _, receiver in self.children.values():
            child.terminate()
            child.join()
            receiver.close()
        self.children.clear()


class _Collect(logging.Handler):
    """Keeps (logger name, level, message) of each warning or error, for the build to log."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _render_and_exit(render_page, page, sender) -> None:
    mkdocs_log = logging.getLogger("mkdocs")
    collect = _Collect()
    for handler in list(mkdocs_log.handlers):  # the build's console and its --strict counter
        mkdocs_log.removeHandler(handler)
    mkdocs_log.addHandler(collect)
    try:
        render_page(page)
    except BaseException:  # noqa: BLE001 - reported by the build's own render of the page
        os._exit(1)
    sender.send(collect.records)
    sender.close()
    os._exit(0)  # no atexit handlers: they belong to the build (its Node typesetter, its caches)
