"""Run ```python exec="on"``` blocks with markdown-exec, strictly, one namespace per page.

markdown-exec alone renders a failing block's traceback INTO the page and only logs a warning
that names neither the Markdown file nor the line. Here, instead:

- any exception or Python warning raised by a block is recorded as a failure naming the
  chapter file and the block's first line, and the block renders nothing; the MkDocs plugin
  (``coursebuild.plugin``) then aborts the build, and the chapter tests fail, with that message;
- a malformed fence option (unknown name, bad value) is a failure too, not a silently
  unexecuted block;
- a sentence made by ``coursebuild.claims.claim`` whose condition is false is a failure naming
  the line of the ``claim(`` call and the sentence;
- an error outside the block's own code (its stored output cannot be read or written: a
  read-only ``.cache``, a full disk) is a failure naming the path and the fix. Python-Markdown's
  fence handler would otherwise swallow it and publish the raw fence text;
- ``session="s"`` on page ``chapters/04-x.md`` runs in the namespace ``chapters/04-x.md:s``, and
  a page's namespaces are emptied when the page starts rendering, so no state crosses pages (pages
  render in file order, not nav order) or survives a ``mkdocs serve`` rebuild.

Configured in mkdocs.yml as the superfences custom fence for ``python``.
"""

from __future__ import annotations

import re
import textwrap
import time
import warnings
from dataclasses import dataclass, field

from markdown_exec import ExecutionError, base_format
from markdown_exec import validator as exec_validator

from dlcourse.cachefile import CacheIOError

from coursebuild import outputs
from coursebuild.markdown_exec_private import run_python, sessions
from coursebuild.claims import ClaimError

# Options markdown-exec passes through to its output ("extra"); any other leftover is a typo.
ALLOWED_EXTRA = {"title"}
EXEC_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*python\b(?P<options>[^\n]*)$", re.M)


@dataclass
class PageRun:
    """What one page's execution needs to know and report."""

    src_path: str
    markdown: str
    failures: list[str] = field(default_factory=list)
    executed: int = 0  # blocks actually run (the others reused their stored output)
    code_seconds: float = 0.0  # wall time inside those blocks' own code (bench_build's split)
    _claimed: set[int] = field(default_factory=set)
    _history: dict[str, list[str]] = field(default_factory=dict)  # session -> its blocks so far
    _skipped: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)  # not yet run

    def session(self, name: str) -> str:
        return f"{self.src_path}:{name}"

    def line_of(self, code: str) -> int | None:
        """1-based line of the fence that holds ``code`` (first not yet claimed)."""
        wanted = textwrap.dedent(code).strip("\n")
        for match in EXEC_FENCE.finditer(self.markdown):
            line = self.markdown.count("\n", 0, match.start()) + 1
            if line in self._claimed:
                continue
            body = self.markdown[match.end() + 1 :]
            indent = match.group("indent")
            closing = re.search(rf"^{re.escape(indent)}{re.escape(match.group('fence'))}\s*$", body, re.M)
            block = body[: closing.start()] if closing else body
            if textwrap.dedent(block).strip("\n") == wanted:
                self._claimed.add(line)
                return line
        return None

    def fail(self, code: str, what: str) -> None:
        line = self.line_of(code)
        where = f"docs/{self.src_path}:{line}" if line else f"docs/{self.src_path}"
        first = textwrap.dedent(code).strip().split("\n")[0]
        self.failures.append(f"{where}: code block starting `{first}` {what}")

    def fail_claim(self, code: str, error: ClaimError) -> None:
        """A sentence its values do not support, named by the line of its ``claim(`` call."""
        fence = self.line_of(code)
        if fence and error.block_line:
            where = f"docs/{self.src_path}:{fence + error.block_line}"
        else:
            where = f"docs/{self.src_path}:{fence}" if fence else f"docs/{self.src_path}"
        self.failures.append(f'{where}: claim does not hold: "{error.sentence}"\n  because: {error.why}')


_current: PageRun | None = None


def start_page(src_path: str, markdown: str) -> PageRun:
    """Begin a page: forget its previous namespaces, and route failures to it."""
    global _current
    prefix = f"{src_path}:"
    for name in [name for name in sessions if name.startswith(prefix)]:
        del sessions[name]
    _current = PageRun(src_path, markdown)
    return _current


def finish_page() -> PageRun | None:
    """End the page begun by :func:`start_page` and return its record."""
    global _current
    page, _current = _current, None
    return page


def _page() -> PageRun:
    return _current if _current is not None else PageRun("<unknown page>", "")


def validator(language, inputs, options, attrs, md) -> bool:
    """markdown-exec's validator, plus: page-scoped sessions and no silently ignored option."""
    given = dict(inputs)
    try:
        accepted = exec_validator(language, inputs, options, attrs, md)
    except ValueError as error:  # e.g. width="wide": int() fails inside markdown-exec
        _page().failures.append(
            f"docs/{_page().src_path}: a python fence has a malformed option in {given}: {error}"
        )
        return False
    if not accepted:
        return False
    unknown = set(options.get("extra", {})) - ALLOWED_EXTRA
    if unknown:
        _page().failures.append(
            f"docs/{_page().src_path}: a python exec fence has unknown option(s) {sorted(unknown)} in "
            f"{given}; known: exec, html, source, session, result, title, id, returncode, width"
        )
        return False
    if options.get("session"):
        options["session"] = _page().session(options["session"])
    return True


def formatter(source, language, css_class, options, md, **kwargs) -> str:
    """Execute one block (or reuse its stored output); failures are recorded, never rendered."""
    page = _page()
    session = options.get("session") or ""
    this_block = source + "\n# options: " + repr(sorted((k, repr(v)) for k, v in options.items()))
    history = page._history.setdefault(session, []) if session else []
    history.append(this_block)
    key = outputs.block_key(history if session else [this_block])

    def run(code: str, **run_options) -> str:
        try:
            stored = outputs.load(key)
        except CacheIOError as error:
            page.fail(code, f"could not be served from the build cache: {error}")
            return ""
        if stored is not None:
            if session:  # its side effects are owed to the session if a later block must run
                page._skipped.setdefault(session, []).append((code, run_options))
            return stored
        for earlier, earlier_options in page._skipped.pop(session, []) if session else []:
            if _execute(page, earlier, earlier_options) is None:
                return ""
        output = _execute(page, code, run_options)
        if output is None:
            return ""
        try:
            outputs.save(key, output)
        except CacheIOError as error:
            page.fail(code, f"ran, but its output could not be stored: {error}")
            return ""
        return output

    try:
        return base_format(language=language, run=run, code=source, md=md, **options)
    except Exception as error:  # outside the block's code: the fence handler would hide it
        page.fail(source, f"could not be rendered ({type(error).__name__}: {error})")
        return ""


def _execute(page: PageRun, code: str, run_options: dict) -> str | None:
    """Run one block in its session; its printed output, or None after recording a failure."""
    page.executed += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        try:
            output = run_python(code, **run_options)
        except ExecutionError as error:
            if isinstance(error.__cause__, ClaimError):
                page.fail_claim(code, error.__cause__)
                return None
            hint = ""
            if isinstance(error.__cause__, ModuleNotFoundError):
                hint = (f"\n  Missing dependency {error.__cause__.name!r}: run `make install`; a new "
                        "one is pinned in requirements.txt, then `make lock` and `make install`.")
            page.fail(code, f"raised an exception:\n{_strip_fences(str(error))}{hint}")
            return None
        finally:
            page.code_seconds += time.perf_counter() - started
    if caught:
        shown = "\n".join(
            f"  {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
        )
        page.fail(code, f"emitted {len(caught)} warning(s):\n{shown}")
        return None
    return output


def _strip_fences(text: str) -> str:
    lines = text.strip().split("\n")
    if lines and lines[0].startswith("```"):
        lines = lines[1:-1]
    return textwrap.indent("\n".join(lines), "  ")
