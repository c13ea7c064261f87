"""Show library code on a page by inclusion (never a copy): ``print(show("dlcourse.scratch.backward"))``.

The block that calls it must be an exec block whose output is Markdown (the default), e.g.::

    ```python exec="on"
    from coursebuild.source import show
    print(show("dlcourse.scratch.backward"))
    ```

The result is a highlighted code block titled with the file and line range, so a reader can
find the function in ``src/`` and the page can never drift from the code that ran. Docstrings cite
equations by label (``Eq. `eq:z1` ``) and other code Sphinx-style (``:func:`train` ``): on the page
a reader sees the equation's number, ``Eq. (4.1)``, and the plain name, ``train``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from functools import lru_cache
from pathlib import Path

from coursebuild import equations

REPO = Path(__file__).resolve().parents[2]


def resolve(qualified_name: str):
    """The module, class or function named ``package.module[.attr...]``, as ``show`` finds it."""
    parts = qualified_name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        module_name = ".".join(parts[:split])
        for attribute in parts[split:]:
            if not hasattr(obj, attribute):
                raise ValueError(f"{module_name} has no attribute {attribute!r} (asked for {qualified_name!r})")
            obj = getattr(obj, attribute)
        return obj
    raise ValueError(f"no importable module in {qualified_name!r}")


def show(qualified_name: str) -> str:
    """Markdown for the source of a module, class or function named ``package.module[.attr...]``."""
    obj = resolve(qualified_name)
    obj = inspect.unwrap(obj)  # a decorated function (@cached) is shown as its author wrote it
    lines, first = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        shown_path = path.relative_to(REPO).as_posix()
    except ValueError:
        shown_path = path.name
    last = first + len(lines) - 1
    where = shown_path if first in (0, 1) and inspect.ismodule(obj) else f"{shown_path}, lines {max(first, 1)}–{last}"
    body = for_readers("".join(lines).rstrip("\n"))
    fence = "````" if "```" in body else "```"
    return f'{fence}python title="{where}"\n{body}\n{fence}'


LABEL = re.compile(r"`(eq:[A-Za-z0-9_.-]+)`")
# "(4.1) (A network from scratch chapter)": the number already says where; the chapter goes.
CHAPTER_AFTER_NUMBER = re.compile(r"(\(\d+\.\d+\))(\s*)\([^()]*?\bchapter\)")
SPHINX_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc):`~?(?:[\w.]*\.)?(\w+)`")


@lru_cache(maxsize=4)
def _registry(stamp: tuple) -> dict[str, equations.Equation]:
    docs = REPO / "docs"
    pages = {path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8") for path, _ in stamp}
    return equations.build_registry(pages)


def _site_registry() -> dict[str, equations.Equation]:
    """The labels of docs/ (its pages, not the snippet parts), read again when a page changes."""
    docs = REPO / "docs"
    paths = [p for p in sorted(docs.rglob("*.md")) if p.relative_to(docs).parts[0] not in {"errata", "includes"}]
    return _registry(tuple((p, p.stat().st_mtime_ns) for p in paths))


def for_readers(code: str) -> str:
    """``code`` with its docstrings' internal references written for a reader of the site.

    ``Eq. `eq:z1` `` becomes ``Eq. (4.1)`` (an unknown label is an error naming it), and a Sphinx
    role such as ``:class:`~dlcourse.cachefile.CacheIOError` `` becomes ``CacheIOError``.
    """
    registry = _site_registry()

    def number(match: re.Match) -> str:
        label = match.group(1)
        if label not in registry:
            raise ValueError(f"a docstring cites {label!r}, which no page of docs/ labels")
        return f"({registry[label].number})"

    code = LABEL.sub(number, code)
    code = CHAPTER_AFTER_NUMBER.sub(r"\1", code)
    return SPHINX_ROLE.sub(r"\1", code)
