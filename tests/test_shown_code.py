"""A page shows the code that ran: every library function a chapter displays with ``show(...)``
is executed while that chapter computes what it prints.

Each chapter is rendered as the build renders it, with the results cache off (so cached training
runs execute again) and a profiler recording every Python function called. A function shown on a
page but never called there (a branch the page's network does not take, say) fails the test. A
numba-compiled loop, shown as ``<dispatcher>.py_func``, is counted by wrapping the dispatcher in
its module, since compiled code is invisible to the profiler.
"""

import inspect
import re
import sys
import threading
from pathlib import Path

import pytest

from coursebuild.render import render_page
from coursebuild.source import resolve

DOCS = Path(__file__).resolve().parents[1] / "docs"
SHOWN = re.compile(r"""show\(\s*["']([\w.]+)["']\s*\)""")
PAGES = sorted(path.relative_to(DOCS).as_posix() for path in (DOCS / "chapters").glob("*.md")
               if SHOWN.search(path.read_text(encoding="utf-8")))


def test_every_chapter_that_shows_code_is_checked():
    assert "chapters/09-scratch-vs-keras.md" in PAGES and len(PAGES) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("src_path", PAGES)
def test_shown_functions_run_for_the_pages_results(src_path, monkeypatch):
    names = sorted(set(SHOWN.findall((DOCS / src_path).read_text(encoding="utf-8"))))
    monkeypatch.setenv("DLCOURSE_CACHE", "off")
    codes, compiled_calls = {}, {}
    for name in names:
        obj = resolve(name)
        if name.endswith(".py_func"):  # a numba dispatcher: count calls through its module
            module = sys.modules[obj.__module__]
            dispatcher_name = name.split(".")[-2]
            dispatcher = getattr(module, dispatcher_name)
            compiled_calls[name] = 0

            def counting(*args, _name=name, _dispatcher=dispatcher, **kwargs):
                compiled_calls[_name] += 1
                return _dispatcher(*args, **kwargs)

            counting.py_func = dispatcher.py_func  # the page shows this source
            monkeypatch.setattr(module, dispatcher_name, counting)
        else:
            codes[inspect.unwrap(obj).__code__] = name
    called = set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            called.add(codes[frame.f_code])

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        html, run = render_page(src_path)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    assert not run.failures, "\n\n".join(run.failures)
    never = sorted(set(codes.values()) - called) + sorted(n for n, k in compiled_calls.items() if not k)
    assert not never, f"{src_path} shows code that did not run for its results: {never}"
