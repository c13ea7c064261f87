import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import chromium_path  # noqa: E402
from sitebuild import REPO, free_port, mkdocs_build  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"


# Material's instant navigation only takes links within site_url: the test site is built for the
# exact address the browser tests serve it from (tests/browser.py reads COURSE_TEST_PORT).
os.environ.setdefault("COURSE_TEST_PORT", str(free_port()))
os.environ["SITE_URL"] = f"http://127.0.0.1:{os.environ['COURSE_TEST_PORT']}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built strictly, once per test session, into a temporary directory.

    This is also the test that the strict build passes: it fails with MkDocs's own output.
    """
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(REPO, out)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="session")
def chromium():
    """$CHROMIUM, else Debian's chromium. Locally a missing browser skips; in CI (CI=true) it fails."""
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but no $CHROMIUM and no chromium on PATH: .ci/run must provide one")
        pytest.skip("no chromium on PATH (apt-get install chromium, or set CHROMIUM)")
    return path

