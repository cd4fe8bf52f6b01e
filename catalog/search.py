"""Search over data products: an inverted index with typo tolerance, ranking and facets.

Ranking (best first):
1. exact name matches: the query equals a product's id, name or title (case-insensitive);
2. then by score: for each query word, the best match in each field (exact word 1.0, prefix
   0.8, typo-tolerant match 0.6 × similarity) times the field's weight (name/title 3, tags 2,
   owner/team 1.5, property names 1.5, description 1), summed over the query's words;
3. ties by title, then by product id.
Every query word must match somewhere; if no product matches all words, products matching any
word are returned and ``SearchResult.partial`` is set. Typo tolerance uses rapidfuzz's
normalised Indel similarity (``fuzz.ratio``) with a cut-off of 80 (75 for words of 7+ letters).

Facets (domain, owner/team, tag, status, classification) are counted the usual way: each
facet's counts apply the text query and every *other* facet's selection, so choosing a value
never hides its siblings. Doc sets are Python ints used as bitsets.

The index is built once per mesh and then updated copy-on-write as products change (see
:meth:`SearchIndex.updated`); a search makes :class:`SearchHit` objects only for the hits read
(:class:`Hits`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

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


class Hits(Sequence[SearchHit]):
    """The ranked hits of one search, best first; a :class:`SearchHit` is made when it is
    read, so a search matching 50,000 products costs nothing for the 49,980 hits a page of
    20 never shows. Compares equal to a list of the same hits."""

    __slots__ = ("_docs", "_ids", "_scores", "_per_word", "_exact")

    def __init__(self, docs: list[int], ids: list[str | None], scores: dict[int, float],
                 per_word: list[dict[int, tuple[float, str]]], exact: int | None) -> None:
        self._docs = docs
        self._ids = ids
        self._scores = scores
        self._per_word = per_word
        self._exact = exact

    def __len__(self) -> int:
        return len(self._docs)

    def _hit(self, doc: int) -> SearchHit:
        fields = tuple(sorted({best[doc][1] for best in self._per_word if doc in best}))
        return SearchHit(self._ids[doc] or "", round(self._scores[doc], 4), doc == self._exact,
                         fields)

    @overload
    def __getitem__(self, index: int) -> SearchHit: ...

    @overload
    def __getitem__(self, index: slice) -> list[SearchHit]: ...

    def __getitem__(self, index: int | slice) -> SearchHit | list[SearchHit]:
        if isinstance(index, slice):
            return [self._hit(doc) for doc in self._docs[index]]
        return self._hit(self._docs[index])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Hits({len(self)} products)"


@dataclass
class SearchResult:
    """Ranked hits and facet counts.

    Attributes:
        hits: best first (a list, or a :class:`Hits` from :meth:`SearchIndex.search`).
        facets: facet name → list of (value, count), by count then value.
        partial: no product matched every word; these match some of them.
    """

    hits: Sequence[SearchHit]
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
    """An int whose bit ``i`` is set for every ``i`` in ``indices`` (numpy packs the bits of
    a long list: 50,000 documents in well under a millisecond)."""
    if len(indices) > 256:
        import numpy as np

        flags = np.zeros(max(indices) + 1, dtype=bool)
        flags[np.fromiter(indices, dtype=np.int64, count=len(indices))] = True
        return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")
    bits = bytearray((max(indices) >> 3) + 1 if indices else 0)
    for i in indices:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


SEGMENT_BITS = 12
"""Postings are split in segments of ``2**SEGMENT_BITS`` (4,096) documents, so an update
copies the segments it touches, never a whole posting list of a common word."""

_ENTRIES = {name: (weight, name) for name, weight in FIELD_WEIGHTS.items()}
"""One shared ``(weight, field)`` tuple per field: postings reference these (no tuple per
posting)."""

Posting = dict[int, dict[int, tuple[float, str]]]
"""A word's postings: segment number → {document slot → (weight, field)}."""


def _order_key(product: DataProduct) -> str:
    """How hits of equal score are ordered: by lower-case title, then by id."""
    return f"{product.title.lower()}\0{product.id}"


def _entries(product: DataProduct) -> tuple[list[str], dict[str, tuple[float, str]],
                                             dict[str, set[str]]]:
    """What the index holds of one product: its exact-match keys, each word with its best
    ``(weight, field)``, and its facet values."""
    keys = []
    for key in (product.id, product.name, product.title, product.name.replace("_", " ")):
        key = key.lower().strip()
        if key not in keys:
            keys.append(key)
    fields = {
        "name": f"{product.id} {product.title}",
        "tags": " ".join(product.tags),
        "owner": " ".join([*product.owners, product.team_name]),
        "property": " ".join(p.name for p in product.properties()),
        "description": f"{product.purpose} {product.usage}",
    }
    words: dict[str, tuple[float, str]] = {}
    for field_name, text in fields.items():
        entry = _ENTRIES[field_name]
        for token in tokenize(text):
            if words.get(token, (0.0, ""))[0] < entry[0]:
                words[token] = entry
    return keys, words, _facet_values(product)


class SearchIndex:
    """An in-memory index of data products; built once, then updated copy-on-write.

    An index is never changed once built: :meth:`updated` returns a new index that shares
    every untouched part with this one, so searches running on this one go on undisturbed.
    Documents live in slots (a removed product's slot is reused); product ids must be unique.
    """

    def __init__(self, products: Iterable[DataProduct]) -> None:
        self._ids: list[str | None] = []
        self._order: list[str] = []  # per slot: "<lower-case title>\0<id>", the tie order
        self._products: list[DataProduct | None] = []
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        exact: dict[str, list[int]] = {}
        flat: dict[str, dict[int, tuple[float, str]]] = {}
        members: dict[str, dict[str, list[int]]] = {f: {} for f in FACETS}
        with gc_paused():
            for slot, product in enumerate(products):
                keys, words, facets = _entries(product)
                self._ids.append(product.id)
                self._order.append(_order_key(product))
                self._products.append(product)
                self._slots[product.id] = slot
                for key in keys:
                    exact.setdefault(key, []).append(slot)
                for token, entry in words.items():
                    posting = flat.get(token)
                    if posting is None:
                        posting = flat[token] = {}
                    posting[slot] = entry
                for facet, values in facets.items():
                    bucket = members[facet]
                    for value in values:
                        bucket.setdefault(value, []).append(slot)
            self._postings: dict[str, Posting] = {
                token: _segmented(posting) for token, posting in flat.items()}
        ids = self._ids
        self._exact: dict[str, tuple[int, ...]] = {
            key: tuple(slots) if len(slots) == 1 else tuple(
                sorted(slots, key=lambda s: ids[s] or ""))
            for key, slots in exact.items()}
        self._facets: dict[str, dict[str, int]] = {
            facet: {value: _bitset(docs) for value, docs in values.items()}
            for facet, values in members.items()
        }
        self._vocab = sorted(self._postings)
        self._all = (1 << len(self._ids)) - 1

    def __len__(self) -> int:
        return len(self._slots)

    def product_ids(self) -> set[str]:
        """Ids of the products in the index."""
        return set(self._slots)

    def updated(self, removed: Iterable[str], added: Iterable[DataProduct]) -> SearchIndex:
        """A new index without the products ``removed`` and with ``added``; this one is left
        as it is (parts neither touches are shared, not copied).

        Args:
            removed: ids of products to drop (ids not in the index are ignored).
            added: products to index; an id already in the index (and not removed) is
                replaced.

        Returns:
            The new index. Its cost is that of the products changed plus copying the slot
            tables (a few milliseconds at 100,000 products), not a rebuild.
        """
        return _Update(self).apply(removed, added)

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

    def _score_words(self, words: list[str]
                     ) -> tuple[dict[int, float], list[dict[int, tuple[float, str]]], bool]:
        """Each document's score, each word's best match per document, whether partial."""
        per_word: list[dict[int, tuple[float, str]]] = []
        for word in words:
            best: dict[int, tuple[float, str]] = {}
            for token, quality in self._expand(word):  # best quality first
                bulk = not best and quality == 1.0
                scaled = {entry: (quality * entry[0], entry[1]) for entry in _ENTRIES.values()}
                for segment in self._postings[token].values():
                    if bulk:  # the first token, an exact match: entries are its values
                        best.update(segment)
                        continue
                    for doc, entry in segment.items():
                        value = scaled.get(entry) or (quality * entry[0], entry[1])
                        known = best.get(doc)
                        if known is None or value[0] > known[0]:
                            best[doc] = value
            per_word.append(best)
        if len(per_word) == 1:
            only = per_word[0]
            return {doc: value[0] for doc, value in only.items()}, per_word, False
        common = set(per_word[0]) if per_word else set()
        for best in per_word[1:]:
            common &= best.keys()
        partial = not common
        docs = set().union(*per_word) if partial else common
        scores: dict[int, float] = {}
        for doc in docs:
            total = 0.0
            for best in per_word:
                match = best.get(doc)
                if match is not None:
                    total += match[0]
            scores[doc] = total
        return scores, per_word, partial and bool(docs)

    def search(self, query: SearchQuery) -> SearchResult:
        """Run ``query``; see the module docstring for ranking and facet semantics."""
        words = tokenize(query.text)
        per_word: list[dict[int, tuple[float, str]]] = []
        if words:
            scores, per_word, partial = self._score_words(words)
        else:
            scores, partial = dict.fromkeys(self._slots.values(), 0.0), False
        text_mask = _bitset(list(scores)) & self._all if words else self._all
        facet_masks = {f: self._selection_mask(f, query.selected(f)) for f in FACETS}
        final = text_mask
        for mask in facet_masks.values():
            final &= mask
        exact = self._exact.get(query.text.lower().strip()) if words else None
        exact_doc = exact[0] if exact else None
        if final == text_mask:
            docs = list(scores)
        else:  # one byte look-up per document, not a shift of the whole mask
            bits = final.to_bytes((len(self._ids) >> 3) + 1, "little")
            docs = [d for d in scores if bits[d >> 3] >> (d & 7) & 1]
        # Exact name first, then score (descending), title, id: two stable sorts on keys the
        # C sort reads itself, far cheaper than a Python key per hit.
        ids = self._ids
        docs.sort(key=self._order.__getitem__)
        if words:
            docs.sort(key=scores.__getitem__, reverse=True)
        if exact_doc is not None and exact_doc in scores and docs and docs[0] != exact_doc:
            try:
                docs.remove(exact_doc)
                docs.insert(0, exact_doc)
            except ValueError:  # filtered out by a facet
                pass
        hits = Hits(docs, ids, scores, per_word, exact_doc)
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


def _segmented(posting: dict[int, tuple[float, str]]) -> Posting:
    """A flat posting split into segments of ``2**SEGMENT_BITS`` slots."""
    out: Posting = {}
    for doc, entry in posting.items():
        segment = out.get(doc >> SEGMENT_BITS)
        if segment is None:
            segment = out[doc >> SEGMENT_BITS] = {}
        segment[doc] = entry
    return out


class _Update:
    """Builds :meth:`SearchIndex.updated`'s result: every table, posting, segment and facet
    table of the base index is shared until the update first changes it, then copied once.

    A product replaced by a new version of itself keeps its slot and only what differs is
    written (an edited description touches its words, not the slot tables)."""

    def __init__(self, base: SearchIndex) -> None:
        new = SearchIndex.__new__(SearchIndex)
        new.__dict__.update(base.__dict__)
        self.new = new
        self._owned: set[str] = set()
        self._own_postings: set[str] = set()
        self._own_segments: set[tuple[str, int]] = set()
        self._own_facets: set[str] = set()
        self._gone: set[str] = set()
        self._born: set[str] = set()

    def _own(self, name: str) -> Any:
        """The new index's table ``name``, copied from the base on first use."""
        if name not in self._owned:
            table = getattr(self.new, name)
            setattr(self.new, name, table[:] if isinstance(table, list) else dict(table))
            self._owned.add(name)
        return getattr(self.new, name)

    def apply(self, removed: Iterable[str], added: Iterable[DataProduct]) -> SearchIndex:
        """Remove, then add (a product already indexed is replaced); returns the new index."""
        new = self.new
        added = list(added)
        gone = set(removed) - {p.id for p in added}
        for product_id in sorted(gone):
            if product_id in new._slots:
                self._remove(product_id)
        for product in added:
            if product.id in new._slots:
                self._replace(product)
            else:
                self._add(product)
        if self._gone or self._born:
            vocab = new._vocab[:]
            for token in self._gone - self._born:
                if token not in new._postings:
                    del vocab[bisect.bisect_left(vocab, token)]
            for token in self._born - self._gone:
                if token in new._postings:
                    bisect.insort(vocab, token)
            new._vocab = vocab
        return new

    def _segment(self, token: str, segment: int) -> dict[int, tuple[float, str]]:
        postings = self._own("_postings")
        if token not in self._own_postings:
            postings[token] = dict(postings.get(token, {}))
            self._own_postings.add(token)
        posting = postings[token]
        if (token, segment) not in self._own_segments or segment not in posting:
            posting[segment] = dict(posting.get(segment, {}))
            self._own_segments.add((token, segment))
        return posting[segment]

    def _facet(self, facet: str) -> dict[str, int]:
        facets = self._own("_facets")
        if facet not in self._own_facets:
            facets[facet] = dict(facets[facet])
            self._own_facets.add(facet)
        return facets[facet]

    def _unpost(self, token: str, slot: int) -> None:
        segment_no = slot >> SEGMENT_BITS
        segment = self._segment(token, segment_no)
        segment.pop(slot, None)
        postings = self.new._postings
        if not segment:
            del postings[token][segment_no]
            if not postings[token]:
                del postings[token]
                self._own_postings.discard(token)
                self._gone.add(token)

    def _post(self, token: str, slot: int, entry: tuple[float, str]) -> None:
        if token not in self.new._postings:
            self._born.add(token)
        self._segment(token, slot >> SEGMENT_BITS)[slot] = entry

    def _unexact(self, key: str, slot: int) -> None:
        exact = self._own("_exact")
        left = tuple(s for s in exact.get(key, ()) if s != slot)
        if left:
            exact[key] = left
        else:
            exact.pop(key, None)

    def _exact(self, key: str, slot: int) -> None:
        exact = self._own("_exact")
        ids = self.new._ids
        slots = (*exact.get(key, ()), slot)
        exact[key] = slots if len(slots) == 1 else tuple(sorted(slots, key=lambda s: ids[s] or ""))

    def _set_bits(self, facets: dict[str, set[str]], slot: int, on: bool) -> None:
        bit = 1 << slot
        for facet, values in facets.items():
            if not values:
                continue
            table = self._facet(facet)
            for value in values:
                bits = table.get(value, 0)
                bits = bits | bit if on else bits & ~bit
                if bits:
                    table[value] = bits
                else:
                    table.pop(value, None)

    def _remove(self, product_id: str) -> None:
        new = self.new
        slot = self._own("_slots").pop(product_id)
        product = new._products[slot]
        assert product is not None
        keys, words, facets = _entries(product)
        for key in keys:
            self._unexact(key, slot)
        for token in words:
            self._unpost(token, slot)
        self._set_bits(facets, slot, on=False)
        self._own("_ids")[slot] = None
        self._own("_order")[slot] = ""
        self._own("_products")[slot] = None
        self._own("_free").append(slot)
        new._all &= ~(1 << slot)

    def _add(self, product: DataProduct) -> None:
        new = self.new
        ids, order, products = self._own("_ids"), self._own("_order"), self._own("_products")
        if new._free:
            slot = self._own("_free").pop()
            ids[slot], order[slot], products[slot] = product.id, _order_key(product), product
        else:
            slot = len(ids)
            ids.append(product.id)
            order.append(_order_key(product))
            products.append(product)
        self._own("_slots")[product.id] = slot
        keys, words, facets = _entries(product)
        for key in keys:
            self._exact(key, slot)
        for token, entry in words.items():
            self._post(token, slot, entry)
        self._set_bits(facets, slot, on=True)
        new._all |= 1 << slot

    def _replace(self, product: DataProduct) -> None:
        """A new version of an indexed product: same slot, only the differences written."""
        new = self.new
        slot = new._slots[product.id]
        old = new._products[slot]
        assert old is not None
        old_keys, old_words, old_facets = _entries(old)
        keys, words, facets = _entries(product)
        self._own("_products")[slot] = product
        key = _order_key(product)
        if new._order[slot] != key:
            self._own("_order")[slot] = key
        for key in old_keys:
            if key not in keys:
                self._unexact(key, slot)
        for key in keys:
            if key not in old_keys:
                self._exact(key, slot)
        for token in old_words.keys() - words.keys():
            self._unpost(token, slot)
        for token, entry in words.items():
            if old_words.get(token) != entry:
                self._post(token, slot, entry)
        self._set_bits({f: old_facets[f] - facets[f] for f in old_facets}, slot, on=False)
        self._set_bits({f: facets[f] - old_facets[f] for f in facets}, slot, on=True)
