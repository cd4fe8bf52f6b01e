"""Hostile manifests through ``parse_document``: how many per second, and the slowest one.

Generates ``--count`` hostile manifests from the demo mesh's real ones (the same families the
fuzz tests in ``tests/security/test_loader_fuzz.py`` draw from, here with plain ``random`` so
the run is quick and reproducible for a seed): wrong types in known fields, odd keys and YAML
tags, wrong encodings, random bytes, deep nesting, alias bombs and huge scalars. Each goes
through ``catalog.manifests.documents.parse_document`` in this process.

Prints, per family and overall: manifests, manifests/s, mean and slowest milliseconds, the
share refused with an error; and the same for the unmodified demo manifests, for scale. The
target is the loader's promise: no document above 2 s.

Usage::

    python bench/fuzz_loader.py [--count 10000] [--seed 20261121]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ryaml  # noqa: E402
import yaml  # noqa: E402

from bench._common import (  # noqa: E402
    DEFAULT_SEED,
    REPO_ROOT,
    machine_note,
    save_results,
    table,
    verdict,
)
from catalog.manifests.documents import kind_of, parse_document  # noqa: E402

SLOWEST_TARGET_S = 2.0
Seed = tuple[str, str, Any, list[tuple[Any, ...]]]  # kind, text, document, paths
Case = tuple[str, bytes]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def load_seeds() -> list[Seed]:
    """Every ODPS, ODCS and domain manifest of the demo mesh."""
    seeds = []
    for file in sorted((REPO_ROOT / "domains").rglob("*.yaml")):
        kind = kind_of(file)
        if kind:
            text = file.read_text(encoding="utf-8")
            data = ryaml.loads(text)
            seeds.append((kind, text, data, _paths(data)))
    return seeds


HOSTILE = [None, True, -1, 2**70, 1.5e300, float("nan"), "", "x" * 300, "!!python/object:os",
           "*a", "&a", "{", "[", "- x", "~", "2021-01-01", "yes", "\u2028", [1, [2, [3]]],
           {"a": {"b": None}}, [], {}]
ODD = ["1: x", "true: y", "null: z", "[a, b]: c", "? [x]\n: y", "x: !!python/name:os.system",
       "x: !!binary aGVsbG8=", "x: !custom x", "x: *undefined", "<<: {a: 1}", "'': e",
       "x: &a y", "x: !!int not-a-number"]


def wrong_types(rng: random.Random, seed: Seed) -> Case:
    """One to three fields set to a value of the wrong type, dumped as block, flow or JSON."""
    kind, _, data, paths = seed
    doc = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(paths)
        try:  # an earlier change may have replaced a parent
            node = doc
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = copy.deepcopy(rng.choice(HOSTILE))
        except (KeyError, IndexError, TypeError):
            continue
    style = rng.choice(["block", "flow", "json"])
    text = json.dumps(doc, default=str) if style == "json" else yaml.dump(
        doc, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=style == "flow")
    return kind, text.encode()


def odd_keys(rng: random.Random, seed: Seed) -> Case:
    """Odd, huge, duplicated or tagged keys inserted at a random line's indentation."""
    kind, text, _, _ = seed
    lines = text.splitlines()
    at = rng.randrange(len(lines))
    indent = len(lines[at]) - len(lines[at].lstrip(" ").lstrip("- "))
    extra = rng.choice([rng.choice(ODD), "k" * rng.randint(1, 5_000) + ": v",
                        lines[at].strip().lstrip("- ")])
    lines.insert(at + 1, "\n".join(" " * indent + part for part in extra.split("\n")))
    return kind, "\n".join(lines).encode()


def wrong_encodings(rng: random.Random, seed: Seed) -> Case:
    """UTF-16/32, Latin-1, NUL bytes, BOMs, broken UTF-8, other line breaks."""
    kind, text, _, _ = seed
    raw = text.encode()
    at = rng.randrange(len(raw))
    return kind, rng.choice([
        text.encode("utf-16"), text.encode("utf-32"), (text + "café").encode("latin-1"),
        raw[:at] + b"\x00" + raw[at:], raw[:at] + b"\xef\xbb\xbf" + raw[at:],
        raw[:at] + b"\xc0\xaf" + raw[at:], text.replace("\n", "\r").encode(),
        text.replace("\n", "\u2028").encode(),
    ])


def random_bytes(rng: random.Random, seed: Seed) -> Case:
    """Random bytes after a random cut of a real manifest."""
    kind, text, _, _ = seed
    return kind, text[:rng.randrange(len(text))].encode() + rng.randbytes(rng.randint(0, 2_048))


def deep_nesting(rng: random.Random, seed: Seed) -> Case:
    """A value nested 40 to 20,000 levels deep: flow, block or compact, closed or not."""
    kind, text, _, _ = seed
    depth = rng.randint(40, 20_000)
    style = rng.choice(["[", "{a: ", "[{a: ", "[a: ", "block", "- ", "? "])
    if style == "block":
        value = "\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(min(depth, 1_500)))
    elif style in ("- ", "? "):
        value = "\n" + style * depth + "x"
    else:
        value = style * depth
    return kind, f"{text}\nnested: {value}\n".encode()


def alias_bombs(rng: random.Random, seed: Seed) -> Case:
    """Billion laughs, alias chains, and many aliases of one big anchor."""
    kind, text, _, _ = seed
    how = rng.choice(["laughs", "chain", "fan-out"])
    if how == "laughs":
        width, depth = rng.randint(2, 12), rng.randint(2, 12)
        lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"] + [
            f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
    elif how == "chain":
        lines = ["c0: &c0 [x]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, rng.randint(
            10, 400))]
    else:
        lines = [f"big: &big [{', '.join(['x'] * rng.randint(10, 20_000))}]"] + [
            f"r{i}: *big" for i in range(rng.randint(10, 2_000))]
    return kind, (text + "\n" + "\n".join(lines) + "\n").encode()


def huge_scalars(rng: random.Random, seed: Seed) -> Case:
    """A scalar, key, quoted string or comment of 10 KB to 1.9 MB."""
    kind, text, _, _ = seed
    blob = rng.choice("x é[\\#") * rng.randint(10_000, 900_000)
    extra = rng.choice([f"huge: {blob}", f"{blob}: 1", "huge: '" + blob.replace("'", "") + "'",
                        "huge: |\n  " + blob, "# " + blob, f"huge: [{blob}]"])
    return kind, f"{text}\n{extra}\n".encode()


FAMILIES: list[tuple[str, Callable[[random.Random, Seed], Case], float]] = [
    ("wrong types in known fields", wrong_types, 1.5),
    ("odd keys and YAML tags", odd_keys, 1.0),
    ("wrong encodings", wrong_encodings, 1.0),
    ("random bytes", random_bytes, 1.0),
    ("deep nesting", deep_nesting, 0.5),
    ("alias bombs", alias_bombs, 0.25),
    ("huge scalars", huge_scalars, 0.1),
]


def measure(cases: list[Case]) -> dict[str, float]:
    """Parse every case; count, seconds, slowest seconds and refused share."""
    slowest = total = 0.0
    refused = 0
    for kind, raw in cases:
        started = time.perf_counter()
        doc = parse_document(raw, "bench.yaml", kind)
        seconds = time.perf_counter() - started
        total += seconds
        slowest = max(slowest, seconds)
        refused += doc.model is None
    return {"count": len(cases), "seconds": total, "slowest_s": slowest,
            "refused_share": refused / max(1, len(cases))}


def main(argv: list[str] | None = None) -> int:
    """Generate the hostile manifests, parse them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    seeds = load_seeds()
    weights = sum(weight for _, _, weight in FAMILIES)
    print(f"hostile-manifest throughput: {args.count:,} manifests from {len(seeds)} demo "
          f"manifests, seed {args.seed} ({machine_note()})", flush=True)
    rows, results = [], {}
    for name, make, weight in FAMILIES:
        cases = [make(rng, rng.choice(seeds)) for _ in range(round(args.count * weight / weights))]
        figures = measure(cases)
        results[name] = figures
        rows.append((name, figures["count"], figures["count"] / figures["seconds"],
                     1000 * figures["seconds"] / figures["count"], 1000 * figures["slowest_s"],
                     f"{figures['refused_share']:.0%}"))
    count = sum(f["count"] for f in results.values())
    seconds = sum(f["seconds"] for f in results.values())
    slowest = max(f["slowest_s"] for f in results.values())
    rows.append(("all hostile", count, count / seconds, 1000 * seconds / count, 1000 * slowest,
                 ""))
    clean = measure([(kind, text.encode()) for kind, text, _, _ in seeds] * 20)
    rows.append(("unmodified demo manifests", clean["count"], clean["count"] / clean["seconds"],
                 1000 * clean["seconds"] / clean["count"], 1000 * clean["slowest_s"],
                 f"{clean['refused_share']:.0%}"))
    print(table(rows, ("family", "manifests", "manifests/s", "mean ms", "slowest ms",
                       "refused")))
    print(f"\nslowest hostile manifest: {slowest:.2f} s (target < {SLOWEST_TARGET_S:.0f} s: "
          f"{verdict(slowest, SLOWEST_TARGET_S)}); {count / seconds:,.0f} manifests/s overall")
    save_results("fuzz_loader", {"count": count, "seconds": seconds,
                                 "manifests_per_s": count / seconds, "slowest_s": slowest,
                                 "families": results, "clean": clean, "seed": args.seed,
                                 "machine": machine_note()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
