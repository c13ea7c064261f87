"""Build speed: a cold build, a warm rebuild, and edit-to-preview under `mkdocs serve`.

Goals on the course's 2-core machine (issue 7):
  cold `mkdocs build` (no .cache/, no site/, venv present, offline data)   <= 60 s
  warm rebuild with nothing changed                                         <= 0.15 x cold
  `mkdocs serve`: a prose edit to any chapter is served                     <= 2 s
The build runs in a scratch copy of docs/ and mkdocs.yml (src/ is the real one), with its own
empty cache, so your .cache/ and site/ are untouched. Exits non-zero when a goal is missed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from sitebuild import free_port, mkdocs_build, scratch_project  # noqa: E402
COLD_GOAL, WARM_RATIO_GOAL, EDIT_GOAL = 60.0, 0.15, 2.0


def timed_build(root: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = mkdocs_build(root, root / "site", env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout + result.stderr


def page_times(log: str) -> list[tuple[str, float]]:
    rows = []
    for line in log.splitlines():
        if "built docs/" in line:
            name, rest = line.split("built docs/")[1].rsplit(" in ", 1)
            rows.append((name, float(rest.split(" s")[0])))
    return rows


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def wait_for(predicate, timeout: float) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def edit_to_preview(root: Path, env: dict[str, str]) -> list[tuple[str, float | None]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(  # as `make serve` runs it
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "--livereload", "--watch", "src"],
        cwd=root, env={**env, "PRINT_SITE": "false"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        if wait_for(lambda: fetch(base) is not None, 300) is None:
            sys.exit("mkdocs serve did not come up")
        for chapter in sorted((root / "docs/chapters").glob("*.md")):
            url = base + f"chapters/{chapter.stem}/"
            original = chapter.read_text(encoding="utf-8")
            marker = f"Edit marker {chapter.stem} {time.time_ns()}"
            time.sleep(0.3)  # let the watcher settle after the previous restore
            start = time.perf_counter()
            chapter.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            seen = wait_for(lambda: marker in (fetch(url) or ""), 60)
            results.append((chapter.name, None if seen is None else time.perf_counter() - start))
            chapter.write_text(original, encoding="utf-8")
            wait_for(lambda: marker not in (fetch(url) or marker), 60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp)
        env = scratch_project(root)
        cold, cold_log = timed_build(root, env)
        print("cold build, per page (s):")
        for name, seconds in sorted(page_times(cold_log), key=lambda row: -row[1])[:12]:
            print(f"  {seconds:6.1f}  {name}")
        warm, warm_log = timed_build(root, env)
        tf_on_warm = "TensorFlow was imported" in warm_log
        edits = edit_to_preview(root, env)

    worst = max((s for _, s in edits if s is not None), default=float("inf"))
    missing = [name for name, s in edits if s is None]
    print()
    print(f"cold build            {cold:7.1f} s   goal <= {COLD_GOAL:.0f} s")
    print(f"warm rebuild          {warm:7.1f} s   = {warm / cold:.3f} x cold, goal <= {WARM_RATIO_GOAL}")
    print(f"TensorFlow on warm    {'imported (a page recomputed)' if tf_on_warm else 'not imported'}")
    print("edit to preview (mkdocs serve), per chapter:")
    for name, seconds in edits:
        print(f"  {name:40s} {'never' if seconds is None else f'{seconds:.2f} s'}")
    print(f"worst edit to preview {worst:7.2f} s   goal <= {EDIT_GOAL} s")
    ok = cold <= COLD_GOAL and warm <= WARM_RATIO_GOAL * cold and not tf_on_warm and not missing and worst <= EDIT_GOAL
    print("build goals:", "met" if ok else "MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
