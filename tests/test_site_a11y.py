"""axe-core (the copy bundled in axe-playwright-python, offline) on every page, light and dark, at
phone and desktop width: no serious or critical violation. Failures are fixed in the theme's
colours and markup, never by switching a rule off."""

import pytest

from browser import browser_page, open_page, serve_site
from test_site_browser import site_pages

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """One line per serious or critical violation: rule, impact, how many nodes, the first targets."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): {targets}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_serious(built_site, chromium, scheme, width):
    problems = {}
    with serve_site(built_site) as base, browser_page(width=width, height=900, scheme=scheme) as page:
        for url in site_pages(built_site):
            open_page(page, base + url)
            found = axe_violations(page)
            if found:
                problems[url] = found
    assert not problems, "\n".join(f"{url}:\n  " + "\n  ".join(found) for url, found in problems.items())
