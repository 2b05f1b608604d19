"""CachedEmbedder over a real migrated SQLite database and the real bundled model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from podium.embeddings import CachedEmbedder, EmbedKind, OnnxMiniLMEmbedder
from podium.storage import Database, schema


class CountingEmbedder:
    """Delegates to a real embedder and records every call it receives."""

    def __init__(self, inner: OnnxMiniLMEmbedder, model_id: str | None = None) -> None:
        self._inner = inner
        self._model_id = model_id or inner.model_id
        self.calls: list[tuple[list[str], EmbedKind]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self._inner.token_spans(text)

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        self.calls.append((list(texts), kind))
        return self._inner.embed(texts, kind)


@pytest.fixture(scope="module")
def onnx() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(threads=1)


@pytest.fixture
def cache_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/t.db")
    db.migrate()
    yield db
    db.dispose()


def _rows(db: Database) -> list[tuple[str, str]]:
    table = schema.embedding_cache
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table.c.model_id, table.c.text_hash))]


def test_second_embed_is_served_from_cache(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    counting = CountingEmbedder(onnx)
    cached = CachedEmbedder(counting, cache_db)
    texts = ["keynote on open source", "workshop: vector search", "closing party"]
    first = cached.embed(texts)
    assert len(counting.calls) == 1
    assert cached.misses == 3
    second = cached.embed(texts)
    assert len(counting.calls) == 1  # no second call to the model
    assert cached.misses == 3
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.float32 and second.shape == (3, 384)
    np.testing.assert_allclose(first, onnx.embed(texts), atol=1e-5)
    assert len(_rows(cache_db)) == 3


def test_cache_survives_a_new_wrapper(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    CachedEmbedder(CountingEmbedder(onnx), cache_db).embed(["persisted text"])
    counting = CountingEmbedder(onnx)
    vectors = CachedEmbedder(counting, cache_db).embed(["persisted text"])
    assert counting.calls == []
    np.testing.assert_allclose(vectors, onnx.embed(["persisted text"]), atol=1e-5)


def test_mixed_hits_and_misses_keep_order(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    counting = CountingEmbedder(onnx)
    cached = CachedEmbedder(counting, cache_db)
    cached.embed(["alpha talk", "beta talk"])
    texts = ["gamma talk", "alpha talk", "delta talk", "beta talk", "gamma talk"]
    vectors = cached.embed(texts)
    # Only the unseen texts reach the model, each once.
    assert counting.calls[1] == (["gamma talk", "delta talk"], "document")
    assert len(counting.calls) == 2
    assert vectors.shape == (5, 384)
    expected = np.vstack([onnx.embed([t]) for t in texts])
    np.testing.assert_allclose(vectors, expected, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[4])
    assert not np.allclose(vectors[0], vectors[1])


def test_query_embeddings_bypass_the_cache(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    counting = CountingEmbedder(onnx)
    cached = CachedEmbedder(counting, cache_db)
    cached.embed(["what is on today?"], "query")
    cached.embed(["what is on today?"], "query")
    assert [kind for _, kind in counting.calls] == ["query", "query"]
    assert _rows(cache_db) == []
    # A document embedding of the same text is a miss: queries were never stored.
    cached.embed(["what is on today?"])
    assert len(counting.calls) == 3
    assert cached.misses == 1


def test_model_ids_do_not_share_entries(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    first = CountingEmbedder(onnx)
    other = CountingEmbedder(onnx, model_id="test/other-model")
    CachedEmbedder(first, cache_db).embed(["shared text"])
    cached_other = CachedEmbedder(other, cache_db)
    assert cached_other.model_id == "test/other-model"
    cached_other.embed(["shared text"])
    assert len(other.calls) == 1  # not served from the first model's entry
    assert sorted(model for model, _ in _rows(cache_db)) == [onnx.model_id, "test/other-model"]


def test_empty_and_passthrough(cache_db: Database, onnx: OnnxMiniLMEmbedder) -> None:
    counting = CountingEmbedder(onnx)
    cached = CachedEmbedder(counting, cache_db)
    assert cached.embed([]).shape == (0, 384)
    assert cached.dimension == 384
    assert cached.token_spans("Hello, world") == onnx.token_spans("Hello, world")
