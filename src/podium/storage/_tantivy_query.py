"""Tantivy queries of the keyword index: the scope filter, and when it can be left out.

Every search is restricted to its scopes (a knowledge base, a memory namespace) by a second
``Must`` clause on the ``scope`` field, scored 0 so that it never changes a score. That clause
costs: on a 1M-chunk index holding one knowledge base it matches every document, and walking
its postings beside the text terms defeats much of block-max WAND's skipping (measured p50
13.6 ms with it against 2.5 ms without). So when every live document of the searcher lies in
the searched scopes, the clause is left out (same hits, same scores). That is decided exactly,
once per searcher and scope set: the scopes' document frequencies (which count deleted
documents too, so they can only overstate) rule it out cheaply; otherwise the live documents
in the scopes are counted and compared with the searcher's total.

The index's schema and analyzer live here too: a query is parsed with the analyzer the text was
indexed with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._keyword import query_terms, scope_token

__all__ = ["SearcherView", "analyzer", "index_schema"]

_COVERAGE_ENTRIES = 256


class SearcherView:
    """One tantivy searcher (a fixed generation of the index) and its known scope coverage."""

    def __init__(self, index: Any, schema: Any) -> None:
        self.index = index
        self.schema = schema
        self.searcher = index.searcher()
        self._covers: dict[tuple[str, ...], bool] = {}

    def covers(self, tokens: tuple[str, ...], scope_q: Any) -> bool:
        """Whether every live document of this searcher carries one of ``tokens``."""
        hit = self._covers.get(tokens)
        if hit is None:
            total = self.searcher.num_docs
            if sum(self.searcher.doc_freq("scope", t) for t in tokens) < total:
                hit = False
            else:
                hit = self.searcher.search(scope_q, 1, count=True).count == total
            if len(self._covers) >= _COVERAGE_ENTRIES:
                self._covers.clear()
            self._covers[tokens] = hit
        return hit

    def search(self, scopes: Sequence[str], query: str, limit: int) -> list[tuple[int, float]]:
        """Best ``limit`` (row id, BM25 score) pairs in any of ``scopes``."""
        import tantivy

        text_q = self.index.parse_query(" ".join(query_terms(query)), ["text"])
        tokens = tuple(sorted({scope_token(s) for s in scopes}))
        scope_q = tantivy.Query.term_set_query(self.schema, "scope", list(tokens))
        q = text_q
        if not self.covers(tokens, scope_q):
            q = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, text_q),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(scope_q, 0.0)),
                ]
            )
        hits = self.searcher.search(q, int(limit)).hits
        ids = self.searcher.fast_field_values("id", [address for _, address in hits])
        return [(int(rid), float(score)) for (score, _), rid in zip(hits, ids, strict=True)]


def index_schema() -> Any:
    """The index's fields: row id, text (analysed as FTS5 does) and scope tokens."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=False, indexed=True, fast=True)
    builder.add_text_field("text", stored=False, tokenizer_name="podium", index_option="freq")
    builder.add_text_field("scope", stored=False, tokenizer_name="raw", index_option="basic")
    return builder.build()


def analyzer() -> Any:
    """FTS5's ``porter unicode61 remove_diacritics 2``, as near as tantivy's filters come."""
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )
