"""Nothing from a URL parameter, a manifest or an upload is rendered as Markdown or HTML.

Every page is opened (with AppTest, as a browser would) over a copy of the demo mesh whose
manifests carry Markdown links and images, HTML, Streamlit colour directives, icons and maths in
every field the portal shows: domain title, description, team, members and contacts; product
title, purpose, usage, limitations, tags, team, owner, support channels (a link target with
``)`` in it), output port; contract purpose, schema object, column names, business names and
descriptions, quality rules, service levels; policy titles, tags and reasons. Pages are also
opened with such text in every query parameter, and a CSV with a hostile name and header is
uploaded in the registration wizard.

Each test reads every string the page sends to the browser for Markdown rendering (bodies of
markdown, captions, alerts and headings; labels, options and tooltips of widgets, tabs,
expanders, metrics and page links) and checks, with a model of Markdown's link syntax, that none
would render a link or image to a foreign host, a ``javascript:`` link, or HTML; and that the
hostile text is shown, escaped. Chart pictures (SVG) hold only the portal's own drawing elements:
the hostile text is in them escaped, as text. The browser test tests/security/test_injection_browser.py checks the same in
Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from portal.safe_text import escape_markdown, safe_url
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    charts,
    copy_manifests,
    open_page,
    use_mesh,
)

EVIL = "evil.example"
TRACKER = "tracker.example"
"""Hosts no page may link to or load from (the second only inside a support URL's path)."""
PRODUCT = "reference.airlines"
COLUMN = f"[c](https://{EVIL}/c) ![i](https://{EVIL}/i.png)"
"""A hostile column name, added to the product's table and contract."""
SUPPORT_URL = f"https://help.example/a) ![t](http://{TRACKER}/t.png) [x](javascript:alert(1))"
"""A support link whose ``)`` would end the Markdown link early if it were not encoded."""


def payload(name: str) -> str:
    """Hostile text for field ``name``: a phishing link, a tracking image, HTML, a colour
    directive, maths and an autolink literal, each naming the field."""
    return (f"{name} [Click here](https://{EVIL}/{name}) ![t](https://{EVIL}/{name}.png) "
            f"<img src=x onerror=alert(1)> :red[{name}] :material/home: $x$ www.{EVIL}")


URL_PAYLOADS = [
    f"[Click here](https://{EVIL}/login)",
    f"![x](https://{EVIL}/t.png)",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    f":red[alert] :material/home: $x$ www.{EVIL} me@{EVIL}",
]
"""Hostile text for query parameters."""


# -- the hostile mesh ----------------------------------------------------------------------

def _edit_yaml(path: Path, change: object) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")


def _domain(d: dict) -> None:  # type: ignore[type-arg]
    d["title"] = payload("domain-title")
    d["description"] = payload("domain-description") + "\n\n# heading\n- list item"
    d["team"]["name"] = payload("domain-team")
    d["team"]["members"][0]["name"] = payload("member")
    d["team"]["members"].append({"username": "javascript:alert(1)", "name": payload("member2"),
                                 "role": payload("role")})
    d["contacts"][0] = {"channel": payload("contact"), "url": SUPPORT_URL,
                        "tool": payload("tool"), "scope": payload("scope")}


def _product(p: dict) -> None:  # type: ignore[type-arg]
    p["status"] = "proposed"  # so it also waits in the governance approval queue
    p["tags"] = [*p["tags"], payload("tag")]
    p["description"] = {"purpose": payload("purpose"), "usage": payload("usage"),
                        "limitations": payload("limitations")}
    p["team"]["name"] = payload("team")
    p["team"]["members"][0]["name"] = payload("owner")
    p["team"]["members"][0]["username"] = f"owner@{EVIL}"
    p["support"] = [{"channel": payload("support"), "url": SUPPORT_URL,
                     "tool": payload("support-tool"), "scope": payload("support-scope")},
                    {"channel": payload("support-js"), "url": "javascript:alert(1)"}]
    p["outputPorts"][0]["description"] = payload("port-description")
    for prop in p["customProperties"]:
        if prop["property"] == "title":
            prop["value"] = payload("title")


def _contract(c: dict) -> None:  # type: ignore[type-arg]
    c["description"]["purpose"] = payload("contract-purpose")
    table = c["schema"][0]
    table["businessName"] = payload("object")
    table["description"] = payload("object-description")
    table["dataGranularityDescription"] = payload("granularity")
    name = table["properties"][1]
    name["businessName"] = payload("name-business")
    name["description"] = payload("name-description")
    name["quality"][0]["description"] = payload("rule")
    table["properties"].append({
        "name": COLUMN, "businessName": payload("column-business"), "logicalType": "string",
        "physicalType": "VARCHAR", "description": payload("column-description"),
        "classification": "public",
        "quality": [{"id": "hostile-valid", "metric": "invalidValues",
                     "arguments": {"validValues": [payload("valid")]}, "mustBe": 0,
                     "dimension": "conformity", "severity": "error",
                     "description": payload("failing-rule")}]})
    table["quality"].append({
        "id": "hostile-sql", "type": "sql", "mustBe": 0, "dimension": "consistency",
        "severity": "warning", "description": payload("sql-rule"),
        "query": f'SELECT count(*) FROM "{payload("missing-table")}"'})
    c["slaProperties"][0]["description"] = payload("sla")
    c["slaProperties"].append({"property": "hostileThing", "value": 3, "unit": payload("unit")})


def _policies(p: dict) -> None:  # type: ignore[type-arg]
    p["policies"].append({"id": "reference-hostile", "uses": "required-tags",
                          "title": payload("policy-title"), "severity": "warning",
                          "params": {"tags": [payload("policy-tag")]},
                          "reason": payload("policy-reason")})


def make_hostile(root: Path, data: Path) -> None:
    """Turn the copy of the demo mesh at ``root`` / ``data`` hostile (see the module doc)."""
    _edit_yaml(root / "reference" / "domain.yaml", _domain)
    _edit_yaml(root / "reference" / "airlines" / "product.odps.yaml", _product)
    _edit_yaml(root / "reference" / "airlines" / "airlines.odcs.yaml", _contract)
    _edit_yaml(root / "reference" / "policies.yaml", _policies)
    (root / "weather" / "policies.yaml").write_text(
        yaml.safe_dump({"policies": [{"id": "weather-broken", "uses": payload("uses")}]}),
        encoding="utf-8")
    broken = root / "weather" / "broken"
    broken.mkdir()
    (broken / "product.odps.yaml").write_text(
        f"apiVersion: v1.1.0\nkind: DataProduct\nid: {json.dumps(payload('broken-id'))}\n",
        encoding="utf-8")
    cell = payload("cell").replace("'", "''")
    with duckdb.connect(str(data / "mesh.duckdb")) as con:
        con.execute(f"ALTER TABLE reference.airlines ADD COLUMN \"{COLUMN}\" VARCHAR "
                    f"DEFAULT '{cell}'")


@pytest.fixture(scope="module")
def hostile_mesh(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[MeshDirs]:
    """A copy of the built demo mesh with hostile manifests and a stored quality run of the
    hostile product, as the portal's mesh."""
    base = tmp_path_factory.mktemp("hostile-mesh")
    mesh = MeshDirs(copy_manifests(base / "domains"), base / "data")
    mesh.data.mkdir()
    shutil.copy2(demo_settings.data_dir / "mesh.duckdb", mesh.data / "mesh.duckdb")
    make_hostile(mesh.root, mesh.data)
    Catalog(Settings(mesh.root, mesh.data)).run_quality(LOCAL_USER, PRODUCT)
    with use_mesh(mesh):
        yield mesh


# -- what a page sends to be rendered as Markdown ------------------------------------------

MARKDOWN_FIELDS = ("body", "label", "help", "delta", "delta_description", "text", "captions")
"""Proto fields Streamlit renders as Markdown (``options`` too, for radio and pills)."""
PLAIN_ELEMENTS = ("text", "code", "json", "exception")
"""Elements whose text is shown as it is."""


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element type.field, text) of every string the page renders as Markdown."""
    found: list[tuple[str, str]] = []

    def add(kind: str, field: str, value: object) -> None:
        values = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        found.extend((f"{kind}.{field}", v) for v in values if isinstance(v, str) and v)

    def visit(node: object) -> None:
        proto = getattr(node, "proto", None)
        kind = str(getattr(node, "type", type(node).__name__))
        if proto is not None and kind not in PLAIN_ELEMENTS:
            for descriptor, value in proto.ListFields():
                if descriptor.name in MARKDOWN_FIELDS and not hasattr(value, "ListFields"):
                    add(kind, descriptor.name, value)
                elif descriptor.name == "options" and kind == "radio":
                    add(kind, "options", value)
                elif descriptor.name == "options" and kind == "button_group":
                    add(kind, "options", [option.content for option in value])
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at.main)
    visit(at.sidebar)
    return found


_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_CODE = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def live_targets(markdown: str) -> list[str]:
    """Where the links and images of ``markdown`` would lead, by a conservative model of
    CommonMark, GFM and Streamlit: ``image:<target>`` for images, ``html:<tag>`` for HTML."""
    outside_code = _CODE.sub(" ", markdown)
    syntax = _ESCAPE.sub("\x00\x00", outside_code)  # escaped characters are plain text
    targets = [f"image:{m.group(1)}" for m in re.finditer(r"!\[[^\]]*\]\(\s*<?([^\s)>]*)", syntax)]
    targets += [m.group(1) for m in re.finditer(r"\]\(\s*<?([^\s)>]*)", syntax)]
    targets += [m.group(1) for m in re.finditer(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>",
                                                syntax)]
    # Without unsafe_allow_html Streamlit shows inline HTML as text; these tags would still
    # be the worst case if it did not.
    targets += [f"html:{m.group(1)}" for m in re.finditer(
        r"(?i)<(a|img|image|iframe|frame|video|audio|source|script|svg|object|embed|link)\b",
        syntax)]
    targets += [m.group(1) for m in re.finditer(r"(?m)^ {0,3}\[[^\]]+\]:\s*(\S+)", syntax)]
    destinations = [m.span(1) for m in re.finditer(r"\]\(([^\s)]*)", syntax)]
    for start, end in destinations:  # a link's target is no text: blank it, keep positions
        outside_code = outside_code[:start] + " " * (end - start) + outside_code[end:]
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", outside_code)  # what text plugins see
    targets += [m.group(0) for m in re.finditer(r"(?i)(https?://|www(?=\.))[-.\w]+[^\s<]*",
                                                text)]
    targets += [f"mailto:{m.group(0)}" for m in re.finditer(r"[-.\w+]+@[-\w]+(\.[-\w]+)+",
                                                            text)]
    return targets


def foreign(target: str) -> bool:
    """True for an image, HTML, a non-web link or a link to a host no page may lead to."""
    if target.startswith(("image:", "html:")):
        return True
    parts = urlsplit(target if "://" in target or ":" in target else "http://" + target)
    if parts.scheme.lower() not in ("http", "https", "mailto"):
        return True
    host = (parts.hostname or "") if parts.scheme != "mailto" else parts.path.rpartition("@")[2]
    return host.lower().rstrip(".").endswith((EVIL, TRACKER))


def assert_inert(at: AppTest) -> list[tuple[str, str]]:
    """No exception, no live foreign link, image or HTML in what the page renders as
    Markdown, and no chart picture whose text could become markup; returns the Markdown texts.

    The charts are SVG pictures shown as images (no script runs in them): every text in them
    is XML-escaped, so no hostile text brings an element or a link of its own."""
    assert_clean(at)
    texts = markdown_texts(at)
    live = [(where, target) for where, text in texts for target in live_targets(text)
            if foreign(target)]
    assert live == [], live
    for picture in charts(at):
        tags = set(re.findall(r"<([a-zA-Z]+)", picture))
        assert tags <= {"svg", "title", "text", "line", "polyline", "circle", "rect"}, tags
        assert "href" not in picture
    return texts


def shown_escaped(texts: list[tuple[str, str]], name: str) -> list[str]:
    """Where the payload of field ``name`` is shown, escaped."""
    wanted = escape_markdown(payload(name), one_line=True)
    return [where for where, text in texts if wanted in text]


# -- pages over the hostile mesh -----------------------------------------------------------

QUALITY_VIEWS = ("Per product", "Per domain", "Rules not met", "Freshness", "Over time")
"""The quality page's sections (each runs only when open)."""

PRODUCT_FIELDS = [
    "title", "purpose", "usage", "limitations", "tag", "team", "owner", "support",
    "support-tool", "support-scope", "support-js", "port-description", "contract-purpose",
    "object", "object-description", "granularity", "sla", "unit", "policy-title",
    "policy-tag", "policy-reason", "sql-rule", "failing-rule",
]
"""Fields of the hostile product that its page shows as Markdown (escaped); column names,
business names and descriptions are shown in tables (plain text)."""


@pytest.fixture(scope="module")
def product_tabs(hostile_mesh: MeshDirs) -> dict[str, AppTest]:
    """The hostile product's page, once per tab (only the open tab runs)."""
    return {tab: open_page(routes.PRODUCT, product=PRODUCT, tab=tab)
            for tab in routes.PRODUCT_TABS}


def test_product_page_shows_every_hostile_field_literally(product_tabs: dict[str, AppTest]
                                                          ) -> None:
    texts = [text for at in product_tabs.values() for text in assert_inert(at)]
    for at in product_tabs.values():
        assert at.title[0].value == escape_markdown(payload("title"), one_line=True)
    missing = [name for name in PRODUCT_FIELDS if not shown_escaped(texts, name)]
    assert missing == []
    # The quality engine quotes the start of the rule's query in its message: escaped too.
    quoted = escape_markdown(payload("missing-table")[:40], one_line=True)
    assert any(quoted in text for _, text in texts)
    # The only live links are the support channels whose URLs passed safe_url; the one with
    # a ")" stays one link to its own host, the javascript: one is text.
    links = {target for _, text in texts for target in live_targets(text)}
    assert links == {safe_url(SUPPORT_URL)}, links


def test_tables_and_charts_carry_text(product_tabs: dict[str, AppTest]) -> None:
    frames = "\n".join(frame.value.to_csv() for at in product_tabs.values()
                       for frame in at.dataframe)
    assert COLUMN in frames and payload("column-description") in frames  # plain cells
    for view in QUALITY_VIEWS:  # every section of the quality page, its charts escaped
        quality = open_page(routes.QUALITY, **{state.QUALITY_VIEW: view})
        assert_inert(quality)
        if view == "Per product":
            cells = "\n".join(frame.value.to_csv() for frame in quality.dataframe)
            assert payload("title") in cells  # a plain cell, never Markdown


def test_domain_page_shows_every_hostile_field_literally(hostile_mesh: MeshDirs) -> None:
    at = open_page(routes.DOMAINS, domain="reference")
    texts = assert_inert(at)
    assert at.title[0].value == escape_markdown(payload("domain-title"), one_line=True)
    for name in ("domain-description", "domain-team", "contact", "tool", "scope", "title"):
        assert shown_escaped(texts, name), name
    assert not any(line.startswith(("# heading", "- list")) for _, text in texts
                   for line in text.split("\n")), "block syntax of the description is escaped"
    team = next(frame.value for frame in at.dataframe if "Contact" in frame.value.columns)
    contacts = [c for c in team["Contact"] if c is not None and c == c]  # None or NaN: no link
    assert contacts and all(c.startswith("mailto:") for c in contacts), contacts
    assert payload("member2") in set(team["Name"])  # the javascript: user name links nowhere


@pytest.mark.parametrize(("page", "params"), [
    (routes.HOME, {}),
    (routes.DISCOVER, {}),
    (routes.DISCOVER, {"q": "Click"}),
    (routes.DISCOVER, {"tag": payload("tag"), "owner": payload("owner")}),
    (routes.DOMAINS, {}),
    (routes.QUALITY, {}),
    (routes.QUALITY, {"quality_domain": "reference"}),
    (routes.QUALITY, {state.QUALITY_VIEW: "Rules not met"}),
    (routes.GOVERNANCE, {state.GOVERNANCE_VIEW: "Violations"}),
    (routes.GOVERNANCE, {state.GOVERNANCE_VIEW: "Approvals"}),
    (routes.MESH_HEALTH, {}),
    (routes.REGISTER, {"product": PRODUCT}),
], ids=["home", "discover", "discover-q", "discover-facets", "domains", "quality",
        "quality-reference", "quality-rules-not-met", "governance-violations",
        "governance-approvals", "mesh-health", "register-new-version"])
def test_pages_listing_the_hostile_product_stay_inert(hostile_mesh: MeshDirs, page: str,
                                                      params: dict[str, str]) -> None:
    at = open_page(page, **params)
    texts = assert_inert(at)
    cells = "\n".join(frame.value.to_csv() for frame in at.dataframe)  # plain, not Markdown
    if page != routes.MESH_HEALTH:
        assert shown_escaped(texts, "title") or shown_escaped(texts, "domain-title") or \
            payload("title") in cells or page == routes.REGISTER, "the hostile product is listed"


def test_governance_page_shows_policy_problems_literally(hostile_mesh: MeshDirs) -> None:
    texts = assert_inert(open_page(routes.GOVERNANCE, **{state.GOVERNANCE_VIEW: "Policies"}))
    assert shown_escaped(texts, "uses"), "the unknown kind of policy is named, escaped"
    texts = assert_inert(open_page(routes.GOVERNANCE, **{state.GOVERNANCE_VIEW: "Approvals"}))
    assert shown_escaped(texts, "title"), "the proposed product waits for approval"


# -- hostile query parameters --------------------------------------------------------------

PARAM_PAGES = [
    (routes.PRODUCT, ("product",)),
    (routes.DOMAINS, ("domain",)),
    (routes.DISCOVER, ("q",)),
    (routes.DISCOVER, ("domain", "owner", "tag", "status", "classification")),
    (routes.QUALITY, (state.QUALITY_DOMAIN, state.QUALITY_OWNER, state.QUALITY_STATUS)),
    (routes.REGISTER, ("product",)),
]


@pytest.mark.parametrize("value", URL_PAYLOADS)
@pytest.mark.parametrize(("page", "names"), PARAM_PAGES,
                         ids=["product", "domains", "discover-q", "discover-facets", "quality",
                              "register"])
def test_query_parameters_are_never_rendered(hostile_mesh: MeshDirs, page: str,
                                             names: tuple[str, ...], value: str) -> None:
    at = open_page(page, **{name: value for name in names})
    texts = assert_inert(at)
    if page in (routes.PRODUCT, routes.DOMAINS):  # "not found" repeats the value, escaped
        assert escape_markdown(value, one_line=True) in at.error[0].value
        assert at.title[0].value in ("Data product not found", "Domain not found")
    if page == routes.DISCOVER and names == ("q",):
        assert all(value not in text for _, text in texts)


# -- an upload ------------------------------------------------------------------------------

TYPED = f"t [x](https://{EVIL}/t) ![i](https://{EVIL}/i.png) <b>b</b> :red[t] $x$"
"""A hostile title typed into the wizard (titles are limited to 120 characters)."""
UPLOAD_NAME = f"[f](https://{EVIL}/f) ![i](https://{EVIL}/i.png) <b>x.csv"
UPLOAD_CSV = (f'"{COLUMN}",":red[h] $x$",day\n'
              + "".join(f'"@![v](https://{EVIL}/{i}.png)",=cmd,2013-01-0{i + 1}\n'
                        for i in range(5))).encode()
"""Hostile column names; cells starting with ``@`` and ``=`` make the data step name both
columns in its formula warning."""


def test_uploaded_file_and_typed_text_are_shown_literally(hostile_mesh: MeshDirs) -> None:
    at = open_page(routes.REGISTER)
    key = state.register_field
    at.selectbox(key=key("domain")).select("operations")
    at.text_input(key=key("name")).input("hostile_upload")
    at.text_input(key=key("title")).input(TYPED)
    for field in ("purpose", "usage"):
        at.text_area(key=key(field)).input(payload(f"typed-{field}"))
    at.text_input(key=key("owner")).input("someone@skyport.example")
    for field in ("owner_name", "team_name", "support_channel"):
        at.text_input(key=key(field)).input(payload(f"typed-{field}"))
    at.text_input(key=key("support_url")).input(SUPPORT_URL)
    at.run()
    assert_inert(at)
    at.button(key=state.REGISTER_NEXT).click().run()
    assert_inert(at)
    assert at.session_state[state.REGISTER_STEP] == 1, [e.value for e in at.error]
    at.file_uploader(key=state.REGISTER_UPLOAD).set_value((UPLOAD_NAME, UPLOAD_CSV, "text/csv"))
    at.run()
    texts = assert_inert(at)
    assert at.session_state[state.REGISTER_SOURCE] is not None, [e.value for e in at.error]
    for column in (COLUMN, ":red[h] $x$"):  # named in the formula warning, escaped
        assert any(escape_markdown(column, one_line=True) in text and COLUMN not in text
                   for _, text in texts), column
    steps = [1]
    while at.session_state[state.REGISTER_STEP] < 5 and len(steps) < 6:
        at.button(key=state.REGISTER_NEXT).click().run()  # schema, levels, rules, review
        texts = assert_inert(at)
        steps.append(at.session_state[state.REGISTER_STEP])
    assert steps[-1] == 5, ([e.value for e in at.error], steps)
    assert at.button(key=state.REGISTER_PUBLISH).label == escape_markdown(
        "Publish operations.hostile_upload 1.0.0", one_line=True)
