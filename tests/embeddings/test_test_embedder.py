"""The deterministic TestEmbedder: shape, norms, determinism, registry, and no ONNX."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from podium.config import Settings
from podium.embeddings import Embedder, TestEmbedder, get_embedder
from podium.errors import ConfigurationError


def test_protocol_shape_and_unit_rows() -> None:
    embedder = TestEmbedder()
    assert isinstance(embedder, Embedder)
    assert embedder.model_id == "podium/test-hash-64" and embedder.dimension == 64
    vectors = embedder.embed(["Kubernetes network policies", "", "a b c d e f"])
    assert vectors.shape == (3, 64) and vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    assert norms[0] == pytest.approx(1.0) and norms[2] == pytest.approx(1.0)
    assert norms[1] == 0.0  # no words: the zero vector
    assert embedder.embed([]).shape == (0, 64)


def test_deterministic_and_word_overlap_means_similarity() -> None:
    embedder = TestEmbedder(128)
    a, b, c = embedder.embed(
        ["Kafka streaming dashboards", "kafka STREAMING dashboards!", "sourdough bread baking"]
    )
    assert np.array_equal(a, b)  # case and punctuation do not matter
    assert float(a @ c) < 0.5 < float(a @ b)
    assert np.array_equal(embedder.embed(["x y"], "query"), embedder.embed(["x y"], "document"))
    assert embedder.token_spans("hi, you") == [(0, 2), (2, 3), (4, 7)]


def test_same_vectors_in_another_process() -> None:
    code = (
        "from podium.embeddings import TestEmbedder;"
        "print(TestEmbedder().embed(['same text in every process']).tobytes().hex())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == TestEmbedder().embed(["same text in every process"]).tobytes().hex()


def test_get_embedder_builds_it_from_its_id(settings: Settings) -> None:
    built = get_embedder("podium/test-hash-32", settings)
    assert isinstance(built, TestEmbedder) and built.dimension == 32
    assert get_embedder("podium/test-hash-32", settings) is built
    for bad in ("podium/test-hash-", "podium/test-hash-3", "podium/test-hash-x"):
        with pytest.raises(ConfigurationError, match="test-hash"):
            get_embedder(bad, settings)


def test_does_not_load_onnxruntime() -> None:
    code = (
        "import sys; from podium.embeddings import TestEmbedder;"
        "TestEmbedder().embed(['hello']);"
        "print('onnxruntime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
