"""Search over data products: an inverted index with typo tolerance, ranking and facets.

Ranking (best first):
1. exact name matches: the query equals a product's id, name or title (case-insensitive);
2. then by score: for each query word, the best match in each field (exact word 1.0, prefix
   0.8, typo-tolerant match 0.6 × similarity) times the field's weight (name/title 3, tags 2,
   owner/team 1.5, property names 1.5, description 1), summed over the query's words;
3. ties by title.
Every query word must match somewhere; if no product matches all words, products matching any
word are returned and ``SearchResult.partial`` is set. Typo tolerance uses rapidfuzz's
normalised Indel similarity (``fuzz.ratio``) with a cut-off of 80 (75 for words of 7+ letters).

Facets (domain, owner/team, tag, status, classification) are counted the usual way: each
facet's counts apply the text query and every *other* facet's selection, so choosing a value
never hides its siblings. Doc sets are Python ints used as bitsets.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from catalog.gc_pause import gc_paused
from catalog.mesh import DataProduct

FIELD_WEIGHTS = {"name": 3.0, "tags": 2.0, "owner": 1.5, "property": 1.5, "description": 1.0}
"""Weight of a match in each field."""

FACETS = ("domain", "owner", "tag", "status", "classification")
"""Facet names, in display order."""

_WORD = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Lower-case, accent-folded words of ``text``; underscores, dots and dashes separate words.

    ``"María López dep_delay"`` → ``["maria", "lopez", "dep", "delay"]`` (Unicode NFKD with
    combining marks removed, so a search typed without accents still matches).
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(folded)


@dataclass(frozen=True)
class SearchQuery:
    """A search: free text plus selected facet values (empty tuple = no filter)."""

    text: str = ""
    domain: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()

    def selected(self, facet: str) -> tuple[str, ...]:
        """The selected values of ``facet``."""
        return tuple(getattr(self, facet))


@dataclass(frozen=True)
class SearchHit:
    """One matching product: its id, score, whether its name matched exactly, matched fields."""

    product_id: str
    score: float
    exact: bool
    matched_fields: tuple[str, ...]


@dataclass
class SearchResult:
    """Ranked hits and facet counts.

    Attributes:
        hits: best first.
        facets: facet name → list of (value, count), by count then value.
        partial: no product matched every word; these match some of them.
    """

    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    partial: bool = False


def _facet_values(product: DataProduct) -> dict[str, set[str]]:
    owners = set(product.owners)
    if product.team_name:
        owners.add(product.team_name)
    return {
        "domain": {product.domain},
        "owner": owners,
        "tag": set(product.tags),
        "status": {product.status},
        "classification": product.classifications(),
    }


def _bitset(indices: list[int]) -> int:
    """An int whose bit ``i`` is set for every ``i`` in ``indices``."""
    bits = bytearray((max(indices) >> 3) + 1 if indices else 0)
    for i in indices:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


class SearchIndex:
    """An in-memory index of data products; build once per mesh load, query many times."""

    def __init__(self, products: Iterable[DataProduct]) -> None:
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._exact: dict[str, int] = {}
        self._postings: dict[str, dict[int, tuple[float, str]]] = {}
        members: dict[str, dict[str, list[int]]] = {f: {} for f in FACETS}
        with gc_paused():
            for index, product in enumerate(products):
                self._add(index, product, members)
        self._facets: dict[str, dict[str, int]] = {
            facet: {value: _bitset(docs) for value, docs in values.items()}
            for facet, values in members.items()
        }
        self._vocab = sorted(self._postings)
        self._all = (1 << len(self._ids)) - 1

    def __len__(self) -> int:
        return len(self._ids)

    def _add(self, index: int, product: DataProduct,
             members: dict[str, dict[str, list[int]]]) -> None:
        self._ids.append(product.id)
        self._titles.append(product.title.lower())
        for key in (product.id, product.name, product.title, product.name.replace("_", " ")):
            self._exact.setdefault(key.lower().strip(), index)
        fields = {
            "name": f"{product.id} {product.title}",
            "tags": " ".join(product.tags),
            "owner": " ".join([*product.owners, product.team_name]),
            "property": " ".join(p.name for p in product.properties()),
            "description": f"{product.purpose} {product.usage}",
        }
        for field_name, text in fields.items():
            weight = FIELD_WEIGHTS[field_name]
            for token in set(tokenize(text)):
                posting = self._postings.setdefault(token, {})
                if posting.get(index, (0.0, ""))[0] < weight:
                    posting[index] = (weight, field_name)
        for facet, values in _facet_values(product).items():
            bucket = members[facet]
            for value in values:
                bucket.setdefault(value, []).append(index)

    def _expand(self, word: str) -> list[tuple[str, float]]:
        """Vocabulary words matching ``word``: exact, prefix and typo-tolerant, with weights."""
        matches: dict[str, float] = {}
        if word in self._postings:
            matches[word] = 1.0
        if len(word) >= 2:
            start = bisect.bisect_left(self._vocab, word)
            for candidate in self._vocab[start : start + 200]:
                if not candidate.startswith(word):
                    break
                matches.setdefault(candidate, 0.8)
        if len(word) >= 4:
            cutoff = 75 if len(word) >= 7 else 80
            for candidate, score, _ in process.extract(
                word, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
            ):
                matches.setdefault(candidate, 0.6 * score / 100)
        return list(matches.items())

    def _score_words(self, words: list[str]) -> tuple[dict[int, float], dict[int, set[str]], bool]:
        per_word: list[dict[int, tuple[float, str]]] = []
        for word in words:
            best: dict[int, tuple[float, str]] = {}
            for token, quality in self._expand(word):
                for doc, (weight, field_name) in self._postings[token].items():
                    value = quality * weight
                    if value > best.get(doc, (0.0, ""))[0]:
                        best[doc] = (value, field_name)
            per_word.append(best)
        common = set(per_word[0]) if per_word else set()
        for best in per_word[1:]:
            common &= set(best)
        partial = not common
        docs = set().union(*per_word) if partial else common
        scores: dict[int, float] = {}
        fields: dict[int, set[str]] = {}
        for doc in docs:
            for best in per_word:
                if doc in best:
                    scores[doc] = scores.get(doc, 0.0) + best[doc][0]
                    fields.setdefault(doc, set()).add(best[doc][1])
        return scores, fields, partial and bool(docs)

    def search(self, query: SearchQuery) -> SearchResult:
        """Run ``query``; see the module docstring for ranking and facet semantics."""
        words = tokenize(query.text)
        if words:
            scores, fields, partial = self._score_words(words)
        else:
            scores, fields, partial = dict.fromkeys(range(len(self._ids)), 0.0), {}, False
        text_mask = 0
        for doc in scores:
            text_mask |= 1 << doc
        facet_masks = {f: self._selection_mask(f, query.selected(f)) for f in FACETS}
        final = text_mask
        for mask in facet_masks.values():
            final &= mask
        exact_doc = self._exact.get(query.text.lower().strip()) if words else None
        docs = [d for d in scores if final >> d & 1]
        docs.sort(key=lambda d: (d != exact_doc, -scores[d], self._titles[d]))
        hits = [
            SearchHit(self._ids[d], round(scores[d], 4), d == exact_doc,
                      tuple(sorted(fields.get(d, ()))))
            for d in docs
        ]
        return SearchResult(hits, self._facet_counts(text_mask, facet_masks), partial)

    def _selection_mask(self, facet: str, selected: tuple[str, ...]) -> int:
        if not selected:
            return self._all
        mask = 0
        for value in selected:
            mask |= self._facets[facet].get(value, 0)
        return mask

    def _facet_counts(
        self, text_mask: int, facet_masks: dict[str, int]
    ) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for facet in FACETS:
            base = text_mask
            for other, mask in facet_masks.items():
                if other != facet:
                    base &= mask
            counts = [(v, (m & base).bit_count()) for v, m in self._facets[facet].items()]
            out[facet] = sorted(((v, c) for v, c in counts if c), key=lambda vc: (-vc[1], vc[0]))
        return out
