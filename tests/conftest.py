import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import chromium_path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Material's instant navigation only takes links within site_url: the test site is built for the
# exact address the browser tests serve it from (tests/browser.py reads COURSE_TEST_PORT).
os.environ.setdefault("COURSE_TEST_PORT", str(_free_port()))
os.environ["SITE_URL"] = f"http://127.0.0.1:{os.environ['COURSE_TEST_PORT']}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site built strictly, once per test session, into a temporary directory.

    This is also the test that the strict build passes: it fails with MkDocs's own output.
    """
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return out


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium. Locally a missing browser skips; in CI (CI=true) it is a failure."""
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("CI=true but no chromium on PATH: .ci/run must `apt-get install chromium`")
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    return path
