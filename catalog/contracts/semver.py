"""Semantic versions of data contracts: which bump a change needs, and the next version.

Rules from Semantic Versioning 2.0.0 (https://semver.org/, §6-§8): a change that is not
backward compatible increments MAJOR (and resets MINOR and PATCH), backward-compatible new
behaviour increments MINOR (and resets PATCH), backward-compatible fixes increment PATCH.
Applied to data contracts (ODCS v3 ``version``, "Current version of the data contract"): a
breaking change is MAJOR, an addition or a loosened rule is MINOR, a documentation-only change
(descriptions, tags, examples, links) is PATCH. See :mod:`catalog.contracts.diff`.
"""

from __future__ import annotations

import re
from typing import Literal

from catalog.errors import InvalidRequest

Bump = Literal["none", "patch", "minor", "major"]
"""The smallest version increment a set of contract changes needs."""

BUMPS: tuple[Bump, ...] = ("none", "patch", "minor", "major")
"""Bumps from smallest to largest; ``max`` over this order combines several changes."""

_SEMVER = re.compile(
    r"^(?P<prefix>v?)(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
"""The regular expression suggested by semver.org ("Is there a suggested regular expression?"),
with an optional leading ``v`` as written in many contracts (``v1.0.0``)."""


def _parse(version: str) -> re.Match[str]:
    match = _SEMVER.match(version)
    if match is None:
        raise InvalidRequest(f"Version '{version}' is not a semantic version: write it as "
                             "MAJOR.MINOR.PATCH, e.g. 1.0.0 (https://semver.org/).")
    return match


def largest(bumps: list[Bump] | tuple[Bump, ...]) -> Bump:
    """The largest of ``bumps`` (``"none"`` for an empty list).

    Args:
        bumps: bumps needed by individual changes.

    Returns:
        ``"major"`` if any is major, else ``"minor"`` if any is minor, and so on.
    """
    return max(bumps, key=BUMPS.index, default="none")


def is_semver(version: str) -> bool:
    """True when ``version`` is ``MAJOR.MINOR.PATCH`` (optionally ``v``-prefixed, with a
    pre-release and build part) as semver.org §2, §9 and §10 define it."""
    return _SEMVER.match(version.strip()) is not None


def next_version(old_version: str, bump: Bump) -> str:
    """The version a contract gets after changes needing ``bump``.

    Follows semver.org §6-§8 (reset the lower numbers) and, for a pre-release, the usual
    tooling convention (npm ``semver.inc``): the pre-release of the bumped version is released,
    so ``2.0.0-rc.1`` + major gives ``2.0.0`` and ``1.2.0-rc.1`` + minor gives ``1.2.0``. Build
    metadata is dropped (§10: it does not take part in precedence). A leading ``v`` is kept.

    Args:
        old_version: the current version, e.g. ``"1.4.2"`` or ``"v1.0.0"``.
        bump: ``none``, ``patch``, ``minor`` or ``major``.

    Returns:
        The next version, e.g. ``next_version("1.4.2", "minor") == "1.5.0"``; ``old_version``
        unchanged (stripped) when ``bump`` is ``none``.

    Raises:
        InvalidRequest: ``old_version`` is not a semantic version or ``bump`` is unknown.
    """
    text = old_version.strip()
    match = _parse(text)
    if bump not in BUMPS:
        raise InvalidRequest(f"Unknown version bump '{bump}'; use one of {', '.join(BUMPS)}.")
    if bump == "none":
        return text
    major, minor, patch = (int(match[k]) for k in ("major", "minor", "patch"))
    pre = match["pre"] is not None
    if bump == "major":
        if not (pre and minor == 0 and patch == 0):
            major, minor, patch = major + 1, 0, 0
    elif bump == "minor":
        if not (pre and patch == 0):
            minor, patch = minor + 1, 0
    elif not pre:
        patch += 1
    return f"{match['prefix']}{major}.{minor}.{patch}"


def precedence(version: str) -> tuple[int, int, int, int]:
    """A sort key for semantic versions: ``MAJOR, MINOR, PATCH``, then a release after its
    pre-releases (semver.org §11; pre-releases of one version are not ordered among
    themselves here).

    Raises:
        InvalidRequest: ``version`` is not a semantic version.
    """
    match = _parse(version.strip())
    return (int(match["major"]), int(match["minor"]), int(match["patch"]),
            0 if match["pre"] is not None else 1)
