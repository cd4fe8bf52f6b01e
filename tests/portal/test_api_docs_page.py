"""API page: how to authenticate, curl examples, every route and the OpenAPI document."""

from __future__ import annotations

import pytest

from portal import routes, state
from portal.api import OPENAPI_PATH, OPERATIONS
from tests.portal.pagetest import assert_clean, open_page, texts

pytestmark = pytest.mark.usefixtures("demo_env")


def test_api_page_lists_every_route_with_examples() -> None:
    at = open_page(routes.API_DOCS)
    assert_clean(at)
    page = texts(at)
    assert "Authorization: Bearer <token>" in page and "My tokens" in page
    examples = at.get("code")[0].proto.code_text
    assert "curl -H \"$AUTH\"" in examples and "/api/v1/products/operations.flights" in examples
    frame = next(df.value for df in at.dataframe if "Path" in df.value.columns)
    assert set(frame["Path"]) == {op.path for op in OPERATIONS} | {OPENAPI_PATH}
    assert not at.get("json")  # the large document runs only when asked for
    at.session_state[state.API_OPENAPI] = True
    at.run()
    assert_clean(at)
    document = at.get("json")[0].proto.body
    assert '"openapi": "3.1.0"' in document or '"openapi":"3.1.0"' in document
