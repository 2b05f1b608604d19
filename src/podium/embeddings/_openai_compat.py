"""OpenAI-compatible ``POST /embeddings`` provider (OpenAI itself, Ollama, vLLM, LiteLLM...)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from podium.errors import ConfigurationError, EmbeddingError

from ._base import EmbedKind, RegexTokenizer, l2_normalize

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["DEFAULT_OPENAI_BASE_URL", "OpenAICompatEmbedder"]

logger = logging.getLogger(__name__)

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
MAX_BATCH = 96

# Only trusted when talking to api.openai.com: a compatible server may reuse the names.
_OPENAI_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_DIMENSION_PROBE = "dimension probe"


def _is_openai(base_url: str) -> bool:
    return (urlsplit(base_url).hostname or "").lower() == "api.openai.com"


def _error_detail(response: httpx.Response) -> str:
    """The server's own error message when it sent one, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(body)[:300]


class OpenAICompatEmbedder:
    """Embeddings from any server that speaks OpenAI's ``POST {base_url}/embeddings``.

    Texts go in batches of at most ``batch_size`` (≤ 96). Empty texts are not sent (OpenAI
    rejects them) and embed to the zero vector. The dimension comes from a known table for
    OpenAI's own models, otherwise from the first response (a one-text probe if it is asked
    for before any embedding).
    """

    def __init__(
        self,
        *,
        provider: str,
        model: str,
        base_url: str,
        api_key: str | None = None,
        base_url_setting: str = "PODIUM_OPENAI_BASE_URL",
        api_key_setting: str = "PODIUM_OPENAI_API_KEY",
        batch_size: int = MAX_BATCH,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        backoff_s: float = 0.5,
    ) -> None:
        if not model:
            raise ConfigurationError(
                f"embedding model id {provider!r} needs a model name: "
                f"'{provider}:<model>' (PODIUM_EMBEDDING_MODEL)"
            )
        self._provider = provider
        self._model = model
        self.base_url = base_url.rstrip("/")
        self._base_url_setting = base_url_setting
        self._api_key_setting = api_key_setting
        self._batch_size = max(1, min(batch_size, MAX_BATCH))
        self._max_retries = max(0, max_retries)
        self._backoff_s = backoff_s
        self._lock = threading.Lock()
        self._dimension: int | None = (
            _OPENAI_DIMENSIONS.get(model) if _is_openai(self.base_url) else None
        )
        self._spans = RegexTokenizer()
        headers = {"Content-Type": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
        )

    @classmethod
    def for_openai(cls, model: str, settings: Settings) -> OpenAICompatEmbedder:
        """``openai:<model>``: base URL and key from ``PODIUM_OPENAI_BASE_URL``/``_API_KEY``."""
        base_url = settings.openai_base_url or DEFAULT_OPENAI_BASE_URL
        if _is_openai(base_url) and not settings.openai_api_key:
            raise ConfigurationError(
                f"embedding model 'openai:{model}' needs an API key: set PODIUM_OPENAI_API_KEY "
                "(or point PODIUM_OPENAI_BASE_URL at a compatible server that needs none)"
            )
        return cls(
            provider="openai",
            model=model,
            base_url=base_url,
            api_key=settings.openai_api_key,
        )

    @classmethod
    def for_ollama(cls, model: str, settings: Settings) -> OpenAICompatEmbedder:
        """``ollama:<model>``: Ollama's OpenAI-compatible endpoint at ``PODIUM_OLLAMA_HOST``/v1."""
        return cls(
            provider="ollama",
            model=model,
            base_url=settings.ollama_host.rstrip("/") + "/v1",
            base_url_setting="PODIUM_OLLAMA_HOST",
        )

    @property
    def model_id(self) -> str:
        """``<provider>:<model>``."""
        return f"{self._provider}:{self._model}"

    @property
    def dimension(self) -> int:
        """Vector length (asks the server once when it is not known yet)."""
        if self._dimension is None:
            self.embed([_DIMENSION_PROBE])
        assert self._dimension is not None
        return self._dimension

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Word/punctuation spans: the remote tokenizer is not available locally."""
        return self._spans.token_spans(text)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts`` in batches; ``kind`` does not change these symmetric models."""
        wanted = [i for i, t in enumerate(texts) if t.strip()]
        rows: dict[int, list[float]] = {}
        for start in range(0, len(wanted), self._batch_size):
            idx = wanted[start : start + self._batch_size]
            for i, vector in zip(idx, self._request([texts[i] for i in idx]), strict=True):
                rows[i] = vector
        if len(wanted) < len(texts) and self._dimension is None:
            self.embed([_DIMENSION_PROBE])
        dimension = self._dimension or 0
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        for i, vector in rows.items():
            out[i] = vector
        return l2_normalize(out)

    def _request(self, batch: list[str]) -> list[list[float]]:
        payload = {"model": self._model, "input": batch}
        attempt = 0
        while True:
            try:
                response = self._client.post("/embeddings", json=payload)
            except httpx.TimeoutException as e:
                if attempt < self._max_retries:
                    attempt = self._sleep(attempt, None)
                    continue
                raise EmbeddingError(
                    f"embedding server at {self.base_url} timed out "
                    f"(model {self.model_id}; check {self._base_url_setting})"
                ) from e
            except httpx.TransportError as e:
                if attempt < self._max_retries:
                    attempt = self._sleep(attempt, None)
                    continue
                raise EmbeddingError(
                    f"cannot reach the embedding server at {self.base_url} ({e}); "
                    f"check {self._base_url_setting}"
                ) from e
            if response.status_code in _RETRY_STATUS and attempt < self._max_retries:
                attempt = self._sleep(attempt, response.headers.get("retry-after"))
                continue
            return self._parse(response, len(batch))

    def _sleep(self, attempt: int, retry_after: str | None) -> int:
        delay = self._backoff_s * (2**attempt)
        if retry_after:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the backoff
                delay = min(max(float(retry_after), 0.0), 10.0)
        logger.debug(
            "model_id=<%s>, attempt=<%d> | retrying embedding request", self.model_id, attempt
        )
        time.sleep(delay)
        return attempt + 1

    def _parse(self, response: httpx.Response, expected: int) -> list[list[float]]:
        status = response.status_code
        if status in (401, 403):
            hint = (
                f"check {self._api_key_setting}"
                if self._provider == "openai"
                else f"check the server at {self._base_url_setting}"
            )
            raise EmbeddingError(
                f"embedding server at {self.base_url} rejected the credentials "
                f"(HTTP {status}: {_error_detail(response)}); {hint}"
            )
        if status == 404:
            raise EmbeddingError(
                f"embedding server at {self.base_url} has no model {self._model!r} or no "
                f"/embeddings endpoint (HTTP 404: {_error_detail(response)}); check "
                f"PODIUM_EMBEDDING_MODEL and {self._base_url_setting}"
            )
        if status >= 400:
            raise EmbeddingError(
                f"embedding server at {self.base_url} failed for model {self.model_id} "
                f"(HTTP {status}: {_error_detail(response)})"
            )
        try:
            body: Any = response.json()
            items = sorted(body["data"], key=lambda item: int(item["index"]))
            vectors = [[float(x) for x in item["embedding"]] for item in items]
        except (ValueError, KeyError, TypeError) as e:
            raise EmbeddingError(
                f"embedding server at {self.base_url} sent a response that is not an "
                f"OpenAI embeddings list ({e!r})"
            ) from e
        if len(vectors) != expected:
            raise EmbeddingError(
                f"embedding server at {self.base_url} returned {len(vectors)} embeddings "
                f"for {expected} texts"
            )
        with self._lock:
            for vector in vectors:
                if self._dimension is None:
                    self._dimension = len(vector)
                if len(vector) != self._dimension or not vector:
                    raise EmbeddingError(
                        f"embedding server at {self.base_url} returned a {len(vector)}-dimensional "
                        f"vector for {self.model_id}, expected {self._dimension}"
                    )
        return vectors
