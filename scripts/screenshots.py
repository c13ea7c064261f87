"""Screenshot built pages as a reader sees them: light and dark, 1280 px and 390 px wide.

    .venv/bin/python scripts/screenshots.py chapters/01-neuron/ [more pages...] [--out /tmp/shots]

Serves ``site/`` on loopback, opens each page in Debian's headless Chromium (Playwright with
``executable_path``), and writes ``<page>-<scheme>-<width>.png`` (full page).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import browser_page, open_page, serve_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="+", help="site-relative URLs, e.g. chapters/01-neuron/")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--widths", default="1280,390")
    parser.add_argument("--full", action="store_true", help="whole page, not just the first screen")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with serve_site() as base:
        for scheme in ("light", "dark"):
            for width in [int(w) for w in args.widths.split(",")]:
                with browser_page(width=width, scheme=scheme) as page:
                    for url in args.pages:
                        open_page(page, base + url)
                        name = url.strip("/").replace("/", "_") or "index"
                        path = out / f"{name}-{scheme}-{width}.png"
                        page.screenshot(path=str(path), full_page=args.full)
                        print(path)


if __name__ == "__main__":
    main()
