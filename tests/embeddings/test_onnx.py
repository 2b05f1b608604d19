"""The bundled all-MiniLM-L6-v2 int8 ONNX embedder."""

from __future__ import annotations

import numpy as np
import pytest

from podium.config import Settings
from podium.embeddings import BUNDLED_MODEL_ID, Embedder, OnnxMiniLMEmbedder, get_embedder

TEXTS = [
    "Kubernetes security best practices",
    "a",
    "How to bake sourdough bread at home with a long cold fermentation and a very hot oven",
    "Serverless event-driven architectures on AWS Lambda",
    "",
    "Graph databases for fraud detection",
]


@pytest.fixture(scope="module")
def embedder() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(batch_size=4)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_protocol_and_id(embedder: OnnxMiniLMEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.model_id == BUNDLED_MODEL_ID
    assert embedder.dimension == 384


def test_registry_returns_bundled_model(tmp_path) -> None:
    found = get_embedder(BUNDLED_MODEL_ID, Settings(home=tmp_path))
    assert isinstance(found, OnnxMiniLMEmbedder)
    assert get_embedder(BUNDLED_MODEL_ID, Settings(home=tmp_path)) is found


def test_shape_dtype_and_unit_norms(embedder: OnnxMiniLMEmbedder) -> None:
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_deterministic(embedder: OnnxMiniLMEmbedder) -> None:
    first = embedder.embed(TEXTS)
    second = embedder.embed(TEXTS)
    np.testing.assert_array_equal(first, second)


def test_sorted_batches_match_one_by_one(embedder: OnnxMiniLMEmbedder) -> None:
    batched = embedder.embed(TEXTS)
    singles = np.vstack([embedder.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, singles, atol=1e-5)
    # Different texts really get different vectors (order is kept, not shuffled).
    assert _cos(batched[0], batched[2]) < 0.9


def test_query_and_document_kinds_agree(embedder: OnnxMiniLMEmbedder) -> None:
    text = ["hardening Kubernetes workloads"]
    np.testing.assert_allclose(
        embedder.embed(text, "query"), embedder.embed(text, "document"), atol=1e-6
    )


def test_semantic_sanity(embedder: OnnxMiniLMEmbedder) -> None:
    q, related, unrelated = embedder.embed(
        [
            "how do I secure my kubernetes cluster",
            "hardening Kubernetes workloads",
            "a recipe for banana bread",
        ]
    )
    assert _cos(q, related) > _cos(q, unrelated) + 0.2


def test_empty_list(embedder: OnnxMiniLMEmbedder) -> None:
    vectors = embedder.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_token_spans_are_valid_and_have_no_special_tokens(
    embedder: OnnxMiniLMEmbedder,
) -> None:
    text = "Hello, Kubernetes world! Unbelievably tokenized."
    spans = embedder.token_spans(text)
    assert spans
    previous_end = 0
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert start >= previous_end
        previous_end = end
    pieces = [text[s:e] for s, e in spans]
    assert not any(p in ("[CLS]", "[SEP]", "[PAD]") for p in pieces)
    assert pieces[:2] == ["Hello", ","]
    assert "Kubernetes".startswith(pieces[2])
    # WordPiece splits long words into several spans that cover the word.
    covered = "".join(pieces)
    assert covered == text.replace(" ", "")
    assert embedder.token_spans("") == []


def test_long_text_is_truncated_without_error(embedder: OnnxMiniLMEmbedder) -> None:
    long_text = " ".join(f"word{i} about conference sessions" for i in range(300))
    assert len(embedder.token_spans(long_text)) > 256
    vectors = embedder.embed([long_text, "short"])
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Everything past the first 256 tokens is ignored: a different tail gives the same vector.
    other_tail = long_text + " completely different trailing text about bread"
    np.testing.assert_allclose(embedder.embed([other_tail])[0], vectors[0], atol=1e-5)
