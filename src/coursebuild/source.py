"""Show library code on a page by inclusion (never a copy): ``print(show("dlcourse.scratch.backward"))``.

The block that calls it must be an exec block whose output is Markdown (the default), e.g.::

    ```python exec="on"
    from coursebuild.source import show
    print(show("dlcourse.scratch.backward"))
    ```

The result is a highlighted code block titled with the file and line range, so a reader can
find the function in ``src/`` and the page can never drift from the code that ran.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def show(qualified_name: str) -> str:
    """Markdown for the source of a module, class or function named ``package.module[.attr...]``."""
    module_name, obj = qualified_name, None
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
        break
    if obj is None:
        raise ValueError(f"no importable module in {qualified_name!r}")
    obj = inspect.unwrap(obj)  # a decorated function (@cached) is shown as its author wrote it
    lines, first = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        shown_path = path.relative_to(REPO).as_posix()
    except ValueError:
        shown_path = path.name
    last = first + len(lines) - 1
    where = shown_path if first in (0, 1) and inspect.ismodule(obj) else f"{shown_path}, lines {max(first, 1)}–{last}"
    body = "".join(lines).rstrip("\n")
    fence = "````" if "```" in body else "```"
    return f'{fence}python title="{where}"\n{body}\n{fence}'
