"""axe-core (bundled with axe-playwright-python, nothing fetched) run in the page under test."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page


def wait_for_animations(page: Page) -> None:
    page.wait_for_function(
        "() => document.getAnimations().every((a) => a.playState !== 'running')", timeout=5000
    )


def axe_problems(page: Page) -> list[str]:
    """Serious and critical violations, one line each, after animations have settled."""
    wait_for_animations(page)
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
