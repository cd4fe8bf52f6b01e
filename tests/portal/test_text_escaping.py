"""Escaping untrusted text for Streamlit's Markdown and checking link targets
(portal/safe_text.py).

What a browser finally shows is checked in tests/security/test_injection_browser.py, which renders
every sample below through the real Streamlit front end. Here the escaped strings are checked
against a model of what Streamlit's Markdown does with them: backslash escapes are resolved,
the word joiner is invisible, and none of the syntax or text patterns that make links, images,
HTML, maths, icons, colours, emoji or arrows survives.
"""

from __future__ import annotations

import re

import pytest

from portal.safe_text import (
    WORD_JOINER,
    badge_label,
    chart_text,
    code_span,
    escape_markdown,
    md_link,
    safe_url,
)

HOSTILE = [
    "[Click here](https://evil.example/login)",
    "![x](https://evil.example/t.png)",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    ":red[alert] :material/home: :smile: :streamlit: :+1: :100:",
    "www.evil.example and https://evil.example/x and a@evil.example HTTP://EVIL.EXAMPLE",
    "$x^2$ and $$y$$ cost $5",
    "# Title #",
    "- item",
    "1. one",
    "a -> b <- c -- d >= e <= f ~= g <-> h",
    "&amp; &#106; &#x6A; AT&T &copy",
    "_a_ *b* **c** `d` ~~e~~ ~f~ __g__",
    "x|y\n---|---\n1|2",
    "> quote",
    "```\ncode\n```",
    "Title\n===",
    "[^1] footnote\n\n[^1]: https://evil.example",
    "<https://evil.example>",
    "\\*not bold\\* back\\slash \\",
    ":::note\ncontainer\n:::",
    "::leaf[x]",
    "key:value[0]",
    "[link][ref]\n\n[ref]: https://evil.example",
    "    indented code",
    "* * *",
    "http://evil.example/a_b_(c)",
    ":help[tooltip] :blue-badge[b] :small[s] :color[c]{foreground=red}",
    "<!-- comment --> <b>bold</b> </p>",
    "+ plus\n+ two",
    "2) two",
    "Name ##",
    "[a]\n[b]: /x",
    "a_b_c _d e_ f__g",
    "@user me@x.example.com",
]
"""Markdown, HTML and Streamlit syntax as a hostile manifest or URL would carry it."""

ORDINARY = [
    "operations.flights", "dep_time", "Owner: Priya Raman", "Airline code (carrier)",
    "Kept for 5 years", "Fresh: newest record at most 1 day old (measured on flights.time_hour)",
    "Departure delays vs. weather, hour by hour", "#reference-data", "reference-data mailbox",
    "99.5%", "C# and F#", "María López", "Route punctuality 2013 (deprecated)", "v1.0.0",
    "Every airline has a non-empty name!", "A/B test {draft}",
]
"""Text from the demo manifests: escaping must leave it exactly as it is."""

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LINE_BLOCK = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)"
                         r"|>|=+[ \t]*$|-+[ \t]*$|`{3}|~{3}|\|)")


def resolved(markdown: str) -> str:
    """The text of ``markdown`` once its backslash escapes are resolved (word joiners kept)."""
    return _ESCAPE.sub(r"\1", markdown)


def shown(markdown: str) -> str:
    """What a reader sees of escaped text: escapes resolved, word joiners invisible."""
    return resolved(markdown).replace(WORD_JOINER, "")


def expected(text: str, one_line: bool = False) -> str:
    """``text`` as escaped text shows it: leading spaces of a line are not shown anyway."""
    if one_line:
        return " ".join(text.split())
    return "\n".join(line.lstrip(" ") for line in text.split("\n"))


def live_syntax(markdown: str) -> list[str]:
    """What in ``markdown`` would still act as Markdown or be rewritten by Streamlit."""
    found = []
    unescaped = _ESCAPE.sub("\x00", markdown)  # escaped characters are plain text
    for char in "\\`*[]<>~$|":
        if char in unescaped:
            found.append(f"unescaped {char!r}")
    for match in re.finditer(r"_", unescaped):
        before, after = unescaped[match.start() - 1: match.start()], unescaped[match.end():][:1]
        if not (before.isalnum() and after.isalnum()):
            found.append("emphasis '_'")
    if re.search(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", unescaped):
        found.append("character reference")
    if re.search(r":[A-Za-z]", unescaped) or ":material/" in unescaped:
        found.append("directive or icon")
    for line in unescaped.split("\n"):
        if _LINE_BLOCK.match(line):
            found.append(f"block syntax at {line[:12]!r}")
    text = resolved(markdown)  # what Streamlit's text plugins see (escapes already resolved)
    patterns = {
        "autolink literal": r"(?i)(https?://|www(?=\.))[-.\w]+",
        "e-mail autolink": r"[-.\w+]+@[-\w]+(\.[-\w]+)+",
        "emoji or icon": r":[\w+-][\w+-]*:",
        "typographic replacement": r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)",
    }
    found += [name for name, pattern in patterns.items() if re.search(pattern, text)]
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_shows_literally_and_stays_inert(text: str) -> None:
    escaped = escape_markdown(text)
    assert shown(escaped) == expected(text)
    assert live_syntax(escaped) == []
    one_line = escape_markdown(text, one_line=True)
    assert "\n" not in one_line and shown(one_line) == expected(text, one_line=True)
    assert live_syntax(one_line) == []


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert escape_markdown(text) == text
    assert escape_markdown(text, one_line=True) == text


def test_links_and_images_lose_their_syntax() -> None:
    assert escape_markdown("[Click here](https://evil.example/login)") == (
        rf"\[Click here\](https:{WORD_JOINER}//evil.example/login)")
    assert escape_markdown("![x](https://evil.example/t.png)").startswith(r"!\[x\](")
    assert escape_markdown("[x](javascript:alert(1))").startswith(r"\[x\](")  # "]" escaped
    assert escape_markdown("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert(1)\>"


def test_streamlit_directives_icons_and_maths_are_neutralised() -> None:
    assert escape_markdown(":red[alert]") == rf":{WORD_JOINER}red\[alert\]"
    assert escape_markdown(":material/home:") == f":{WORD_JOINER}material/home:"
    assert escape_markdown("$x$ costs $5") == r"\$x\$ costs \$5"
    assert escape_markdown("Fresh: 1 day") == "Fresh: 1 day"  # ": " starts nothing


def test_line_start_syntax_only_where_it_acts() -> None:
    assert escape_markdown("# Title") == r"\# Title"
    assert escape_markdown("#channel") == "#channel"
    assert escape_markdown("- item\n-5 degrees") == "\\- item\n-5 degrees"
    assert escape_markdown("1. one\n1.5 m") == "1\\. one\n1.5 m"
    assert escape_markdown("Title\n===") == "Title\n\\==="
    assert escape_markdown("Name ##") == r"Name \##"


def test_none_objects_and_control_characters() -> None:
    assert escape_markdown(None) == ""
    assert escape_markdown(42) == "42"
    assert escape_markdown("a\x00b\x1bc\r\nd\te") == "abc\nd e"
    assert escape_markdown("one\n\ntwo  three", one_line=True) == "one two three"


@pytest.mark.parametrize(("url", "safe"), [
    ("https://x.example/a", "https://x.example/a"),
    ("http://x.example", "http://x.example"),
    ("HTTPS://X.example/Path", "https://x.example/Path"),
    ("mailto:a@b.example", "mailto:a@b.example"),
    ("https://chat.skyport.example/channels/reference-data",
     "https://chat.skyport.example/channels/reference-data"),
    ("https://x.example/a)b (c)", "https://x.example/a%29b%20%28c%29"),
    ("https://x.example/a) [x](https://evil.example/b",
     "https://x.example/a%29%20%5Bx%5D%28https://evil.example/b"),
    ('https://x.example/q?a=<b>&c="d"\'e\\f', "https://x.example/q?a=%3Cb%3E&c=%22d%22%27e%5Cf"),
    ("https://x.example/`x`{y}", "https://x.example/%60x%60%7By%7D"),
    ("https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"),
    ("https://[::1]:8443/x", "https://[::1]:8443/x"),
    ("  https://x.example/a  ", "https://x.example/a"),
])
def test_safe_url_accepts_web_and_mail_links_encoded(url: str, safe: str) -> None:
    assert safe_url(url) == safe
    assert not re.search(r"[\s()<>\"'\\`]", safe)  # nothing that could end a Markdown link


@pytest.mark.parametrize("url", [
    None, "", "   ", "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "file:///etc/passwd",
    "ftp://x.example/f", "/product?product=x", "//evil.example/x", "evil.example",
    "https:evil.example", "https://", "https:///x", "mailto:", "mailto:nobody",
    "https://bank.example@evil.example/", "https://user:pw@x.example/",
    "https://evil.example\\@good.example/", "https://x.example:99999/", "https://x.example/\x00",
    "https://x.example/a\nb", "https://exa mple.example/",
])
def test_safe_url_refuses_other_schemes_and_disguises(url: object) -> None:
    assert safe_url(url) is None


def test_md_link_escapes_the_label_and_encodes_the_target() -> None:
    link = md_link("Help [desk]", "https://help.example/a) ![t](https://evil.example/t.png)")
    assert link == (r"[Help \[desk\]](https://help.example/a%29%20!%5Bt%5D%28https://evil."
                    "example/t.png%29)")
    assert link.count("](") == 1 and link.endswith(")") and link.count(")") == 1
    assert md_link("#reference-data", "mailto:ref@skyport.example") == \
        "[#reference-data](mailto:ref@skyport.example)"
    assert md_link("[x](javascript:alert(1))", "javascript:alert(1)") == \
        escape_markdown("[x](javascript:alert(1))", one_line=True)  # refused: text only
    assert md_link(None, "https://x.example") == f"[https:{WORD_JOINER}//x.example](https://x.example)"
    assert md_link("a\nb", None) == "a b"


def test_code_span_holds_any_backticks() -> None:
    assert code_span("operations.flights") == "`operations.flights`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x``") == "``` `x`` ```"
    assert code_span(":material/home:") == f"`:{WORD_JOINER}material/home:`"
    assert code_span("  two\nlines ") == "`two lines`"
    assert code_span(None) == ""


def test_badge_label_leaves_brackets_to_st_badge() -> None:
    for text in HOSTILE:
        label = badge_label(text)
        # st.badge escapes [ and ] itself: together that is escape_markdown on one line.
        assert label.replace("[", "\\[").replace("]", "\\]") == \
            escape_markdown(text, one_line=True)


def test_chart_text_turns_plotly_html_and_latex_into_references() -> None:
    assert chart_text('<a href="https://evil.example">x</a>') == \
        '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'
    assert chart_text("$x$ & <b>") == "&#36;x&#36; &amp; &lt;b&gt;"
    assert chart_text("Airline codes\nand names") == "Airline codes and names"
