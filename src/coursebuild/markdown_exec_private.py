"""The two private names of markdown-exec that ``coursebuild.execute`` needs, kept in one place.

markdown-exec exports its validator, ``base_format`` and ``ExecutionError``; the course imports
those from its public namespace. Two things it does not export:

- ``run_python``: its runner of a Python block in a named session, capturing what ``print``
  writes; the course calls it itself so that a block's output can be cached and its failure
  named by file and line;
- ``sessions``: its dict of session namespaces (process-global, never reset upstream), which the
  course clears so that sessions never leak from one page, or one rebuild, to the next.

They were read in the version below. Another version is refused at import, with what to check,
rather than trusted to keep private names and behaviour.
"""

from importlib.metadata import version

CHECKED_VERSION = "1.12.6"

if version("markdown-exec") != CHECKED_VERSION:
    raise ImportError(
        f"coursebuild relies on two private names of markdown-exec read in version {CHECKED_VERSION}; "
        f"{version('markdown-exec')} is installed. Check that markdown_exec/_internal/formatters/"
        "python.py still defines _run_python(code, ...) and _sessions_globals, then update "
        "CHECKED_VERSION in src/coursebuild/markdown_exec_private.py and the pin in requirements.txt.")

from markdown_exec._internal.formatters.python import _run_python as run_python  # noqa: E402
from markdown_exec._internal.formatters.python import _sessions_globals as sessions  # noqa: E402

__all__ = ["CHECKED_VERSION", "run_python", "sessions"]
