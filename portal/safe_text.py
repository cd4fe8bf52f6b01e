"""Untrusted text made safe for Streamlit's Markdown; no Streamlit here.

Everything a page shows that comes from a manifest, an upload, a typed value or a URL parameter
passes through here before it reaches anything that renders Markdown: ``st.markdown``,
``st.caption``, alerts, titles, and the labels, options and tooltips of widgets, tabs, expanders,
metrics and page links. The text then shows exactly as written: no links, images, emphasis,
HTML, maths, icons, colours or emoji.

Streamlit renders Markdown with react-markdown, remark-gfm, remark-math, remark-directive and its
own plugins. Backslash escapes stop what the Markdown parser sees (emphasis, links, code, HTML,
maths, tables, directives). A few plugins, though, rewrite the *text* after escapes are resolved:
GFM autolink literals (``https://…``, ``www.…``, ``a@b.example``), Material icons
(``:material/…:``), emoji shortcodes (``:smile:``), the Streamlit logo (``:streamlit:``) and
typographic replacements (``->`` becomes an arrow). Those are broken with an invisible WORD JOINER
(U+2060) inside the pattern, which the reader does not see.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

WORD_JOINER = "\u2060"
"""Invisible, zero-width, no line break: splits a pattern without changing what is shown."""

# Escaped wherever they appear: emphasis, code, links, HTML and autolinks, strikethrough, maths,
# tables and the backslash itself.
_ALWAYS = frozenset("\\`*[]<>~$|")
# A character reference such as &amp; or &#106; would be decoded; an ``&`` before one is escaped.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# After ``:`` these start a directive (``:red[``), an icon (``:material/``), an emoji (``:+1:``),
# the logo (``:streamlit:``) or a URL (``https://``).
_AFTER_COLON = re.compile(r"[A-Za-z0-9_+\-/:]")
_EMAIL_BEFORE = re.compile(r"[A-Za-z0-9_.+\-]")
_EMAIL_AFTER = re.compile(r"[A-Za-z0-9_\-]")
# Pairs Streamlit turns into arrows and symbols (``<->``, ``->``, ``<-``, ``--``, ``>=``, ``<=``,
# ``~=``) when spaces surround them.
_TYPOGRAPHIC = frozenset({("-", ">"), ("<", "-"), ("-", "-"), (">", "="), ("<", "="), ("~", "=")})
_WWW = re.compile(r"(?i)www(?=\.)")
# Block syntax at the start of a line: ATX heading, list item or thematic break, setext underline,
# ordered list item. (``>``, ``*``, ``_``, ``|``, ``~`` and backticks are escaped anyway.)
_LINE_HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
_LINE_BULLET = re.compile(r"[-+](?=[ \t]|$)|-(?=-)|=+[ \t]*$")
_LINE_ORDERED = re.compile(r"([0-9]{1,9})[.)](?=[ \t]|$)")
# The closing sequence of an ATX heading (``# Title ##``) is dropped when the line is a heading,
# as in st.title; its first ``#`` is escaped.
_CLOSING_HASHES = re.compile(r"(?<=[ \t])#+[ \t]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

URL_SCHEMES = ("http", "https", "mailto")
"""The only link schemes :func:`safe_url` lets through."""
_URL_SAFE = "-._~:/?#@!$&*+,;=%"
"""Characters left as they are in a URL; everything else is percent-encoded (``(``, ``)``,
quotes, spaces, ``<``, ``>``, backslashes, brackets, braces, non-ASCII)."""


def _plain(text: object) -> str:
    """``text`` as a string with Windows and old-Mac line ends made ``\\n``, tabs made spaces
    and other control characters removed."""
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", value)


def _escape_line(line: str) -> str:
    """One line of text with every Markdown meaning taken away (see :func:`escape_markdown`)."""
    line = line.lstrip(" ")  # four leading spaces would start a code block
    marked: set[int] = set()  # indexes of characters to escape because of where they stand
    if _LINE_HEADING.match(line) or _LINE_BULLET.match(line):
        marked.add(0)
    ordered = _LINE_ORDERED.match(line)
    if ordered:
        marked.add(len(ordered.group(1)))
    closing = _CLOSING_HASHES.search(line)
    if closing:
        marked.add(closing.start())
    out: list[str] = []
    for index, char in enumerate(line):
        before = line[index - 1] if index else ""
        after = line[index + 1] if index + 1 < len(line) else ""
        if char in _ALWAYS or index in marked:
            out.append("\\" + char)
        elif char == "_" and not (before.isalnum() and after.isalnum()):
            out.append("\\_")  # snake_case stays as it is: no emphasis inside a word
        elif char == "&" and _ENTITY.match(line, index):
            out.append("\\&")
        else:
            out.append(char)
        if ((char == ":" and _AFTER_COLON.match(after))
                or (char == "@" and _EMAIL_BEFORE.match(before) and _EMAIL_AFTER.match(after))
                or (char, after) in _TYPOGRAPHIC):
            out.append(WORD_JOINER)
    return _WWW.sub("www" + WORD_JOINER, "".join(out))


def escape_markdown(text: object, *, one_line: bool = False) -> str:
    """Escape ``text`` so Streamlit's Markdown shows it literally.

    Ordinary text stays readable: only characters that would mean something are escaped
    (``operations.flights``, ``dep_time`` and ``Owner: Priya`` come back unchanged), and
    patterns that Streamlit's plugins rewrite are split by an invisible word joiner.

    Args:
        text: anything; ``None`` gives ``""``, other objects their ``str()``.
        one_line: collapse all whitespace (newlines included) to single spaces, for labels,
            headings and text placed inside a line of Markdown.

    Returns:
        Markdown whose rendering shows exactly the characters of ``text`` (line breaks within
        a paragraph show as spaces, as in any Markdown).
    """
    value = _plain(text)
    if one_line:
        value = " ".join(value.split())
    return "\n".join(_escape_line(line) for line in value.split("\n"))


def badge_label(text: object) -> str:
    """Escape ``text`` for ``st.badge``, which escapes square brackets itself.

    Args:
        text: the badge's text (a tag, a status, a version).

    Returns:
        :func:`escape_markdown` on one line, with ``[`` and ``]`` left for ``st.badge`` to
        escape, so they are escaped exactly once.
    """
    return escape_markdown(text, one_line=True).replace("\\[", "[").replace("\\]", "]")


def code_span(text: object) -> str:
    """Inline code showing ``text`` literally, whatever backticks it holds.

    Args:
        text: an id or a location (one line; whitespace is collapsed).

    Returns:
        A code span fenced with more backticks than ``text`` has in a row; ``""`` for no text.
    """
    value = " ".join(_plain(text).split())
    if not value:
        return ""
    # Streamlit rewrites ":material/" in the raw source, even inside code.
    value = value.replace(":material/", ":" + WORD_JOINER + "material/")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def safe_url(url: object) -> str | None:
    """A link target that is safe inside Markdown link syntax, or None.

    Only absolute ``http``/``https`` URLs with a host (and no user name or password, which
    disguise the real host) and ``mailto`` URLs with an address are accepted. The result is
    percent-encoded so it cannot end the link early: ``(``, ``)``, spaces, ``<``, ``>``, quotes,
    backslashes and non-ASCII characters are encoded; the host is given in ASCII (IDNA).

    Args:
        url: the URL as written in a manifest or typed by someone.

    Returns:
        The URL to put between ``(`` and ``)``, or None when it is refused (``javascript:``,
        ``data:``, relative, no host, control characters, unparsable).
    """
    if url is None:
        return None
    raw = str(url).strip()
    if not raw or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in URL_SCHEMES:
        return None
    path, query, fragment = (quote(p, safe=_URL_SAFE) for p in
                             (parts.path, parts.query, parts.fragment))
    tail = ("?" + query if query else "") + ("#" + fragment if fragment else "")
    if scheme == "mailto":
        if parts.netloc or "@" not in parts.path:
            return None
        return f"mailto:{path}{tail}"
    host = parts.hostname
    if not host or "@" in parts.netloc or "\\" in parts.netloc:
        return None
    if ":" in host:  # an IPv6 address, written in brackets
        if not re.fullmatch(r"[0-9a-f:.]+", host):
            return None
        netloc = f"[{host}]"
    else:
        try:
            netloc = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if not re.fullmatch(r"[a-z0-9.\-]+", netloc, re.IGNORECASE):
            return None
    if port is not None:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{path}{tail}"


def md_link(label: object, url: object) -> str:
    """A Markdown link whose text shows ``label`` literally and which cannot leave its target.

    Args:
        label: the text of the link (one line).
        url: where it leads; see :func:`safe_url` for what is accepted.

    Returns:
        ``[escaped label](safe url)``, or just the escaped label when the URL is refused (the
        escaped URL when there is no label).
    """
    target = safe_url(url)
    text = escape_markdown(label, one_line=True)
    if target is None:
        return text
    return f"[{text or escape_markdown(target)}]({target})"


def chart_text(text: object) -> str:
    """Text for a Plotly figure (axis categories, hover and bar labels) shown literally.

    Plotly reads a little HTML in its text (``<a href>``, ``<b>``, ``<br>``) and LaTeX between
    dollar signs; both are turned into character references, which it shows as the characters.

    Args:
        text: a product title, domain name or other untrusted label.

    Returns:
        The text with ``&``, ``<``, ``>`` and ``$`` as references, on one line.
    """
    value = " ".join(_plain(text).split())
    return html.escape(value, quote=False).replace("$", "&#36;")


def grid_button_label(text: object) -> str:
    """Text for a button cell of a data grid (``st.column_config.ButtonColumn``), shown as
    written.

    The grid draws the label on a canvas (no Markdown, no HTML) but reads two patterns: a
    leading ``:material/…:`` becomes an icon, and a text in square brackets a list of
    buttons. A word joiner after the first character breaks both.

    Args:
        text: a product title or other untrusted label (one line).

    Returns:
        The label; ``""`` for no text.
    """
    value = " ".join(_plain(text).split())
    if value.startswith((":", "[")):
        value = value[0] + WORD_JOINER + value[1:]
    return value
