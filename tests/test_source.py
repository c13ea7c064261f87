"""coursebuild.source.show: library code on a page, with references a reader can follow."""

import re
from pathlib import Path

import pytest

from coursebuild.source import for_readers, show

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_equation_labels_become_the_numbers_the_site_shows():
    text = for_readers('"""Implements Eq. `eq:weighted-input` (McCulloch-Pitts chapter)."""')
    assert text == '"""Implements Eq. (1.1)."""'


def test_sphinx_roles_become_plain_names():
    text = for_readers("raises :class:`~dlcourse.cachefile.CacheIOError`; see :func:`train`.")
    assert text == "raises CacheIOError; see train."


def test_an_unknown_label_is_an_error_naming_it():
    with pytest.raises(ValueError, match="eq:no-such-equation"):
        for_readers("Implements Eq. `eq:no-such-equation`.")


def test_no_code_shown_on_a_page_prints_an_internal_label():
    shown = sorted({name for page in DOCS.rglob("*.md")
                    for name in re.findall(r'show\("([\w.]+)"\)', page.read_text(encoding="utf-8"))})
    assert len(shown) > 10
    for name in shown:
        if name.startswith("dlcourse.network") or name.startswith("dlcourse.keras"):
            continue  # import TensorFlow or are being rewritten; covered by the chapter builds
        code = show(name)
        assert not re.search(r"`eq:|:(?:func|class|meth|mod):`", code), f"{name}: {code[:300]}"
