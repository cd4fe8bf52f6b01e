"""Product page: the "Documentation (Markdown)" download next to the raw manifest files."""

from __future__ import annotations

import pytest

from portal import routes, state
from tests.portal.pagetest import assert_clean, open_page

pytestmark = pytest.mark.usefixtures("demo_env")
FLIGHTS = "operations.flights"


def test_documentation_download_sits_with_the_manifest_files() -> None:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.CONTRACT)
    assert_clean(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Documentation (Markdown)" in labels
    manifests = labels.index("flights.odcs.yaml")
    assert labels.index("Documentation (Markdown)") == manifests + 1
    button = at.download_button(key=state.product_manifest_download(FLIGHTS,
                                                                    f"{FLIGHTS}.md"))
    assert button.label == "Documentation (Markdown)"
