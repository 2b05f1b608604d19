"""Amazon Bedrock Titan Text Embeddings (``bedrock:amazon.titan-embed-text-v2:0``)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from podium.errors import ConfigurationError, EmbeddingError

from ._base import EmbedKind, RegexTokenizer, l2_normalize, require_extra

if TYPE_CHECKING:
    from podium.config import Settings

__all__ = ["TITAN_V2", "BedrockTitanEmbedder", "parse_bedrock_model"]

logger = logging.getLogger(__name__)

TITAN_V2 = "amazon.titan-embed-text-v2:0"
_TITAN_V2_DIMENSIONS = (1024, 512, 256)
# Titan v2 takes up to 8,192 tokens / 50,000 characters; longer input is an error, not a cut.
_MAX_CHARS = 50_000


def parse_bedrock_model(name: str) -> tuple[str, int]:
    """Split ``amazon.titan-embed-text-v2:0[@512]`` into the Bedrock model id and dimension."""
    model, sep, dims = name.partition("@")
    if model != TITAN_V2:
        raise ConfigurationError(
            f"unsupported Bedrock embedding model {model!r}: only {TITAN_V2!r} "
            f"(optionally '@512' or '@256') is supported (PODIUM_EMBEDDING_MODEL)"
        )
    if not sep:
        return model, _TITAN_V2_DIMENSIONS[0]
    try:
        dimension = int(dims)
    except ValueError:
        dimension = 0
    if dimension not in _TITAN_V2_DIMENSIONS:
        raise ConfigurationError(
            f"Titan v2 dimension must be one of {list(_TITAN_V2_DIMENSIONS)}, got {dims!r} "
            "(PODIUM_EMBEDDING_MODEL)"
        )
    return model, dimension


class BedrockTitanEmbedder:
    """Titan Text Embeddings v2 through ``bedrock-runtime`` ``InvokeModel``, one text per call.

    The model API takes a single ``inputText``, so texts are sent concurrently on
    ``max_workers`` threads (boto3 clients are thread-safe). ``client`` injects a ready
    ``bedrock-runtime`` client (tests use a ``botocore`` Stubber on a real one).
    """

    def __init__(
        self,
        *,
        name: str = TITAN_V2,
        region: str | None = None,
        client: Any = None,
        max_workers: int = 4,
    ) -> None:
        self._name = name
        self._model, self._dimension = parse_bedrock_model(name)
        self._region = region
        self._client = client
        self._max_workers = max(1, max_workers)
        self._lock = threading.Lock()
        self._spans = RegexTokenizer()

    @classmethod
    def from_settings(cls, name: str, settings: Settings) -> BedrockTitanEmbedder:
        """``bedrock:<model>`` with the region from ``PODIUM_AWS_REGION``."""
        require_extra("boto3", "bedrock")
        return cls(name=name, region=settings.aws_region)

    @property
    def model_id(self) -> str:
        """``bedrock:<model>[@dims]``."""
        return f"bedrock:{self._name}"

    @property
    def dimension(self) -> int:
        """1024, 512 or 256."""
        return self._dimension

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Word/punctuation spans: Titan's tokenizer is not available locally."""
        return self._spans.token_spans(text)

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                try:
                    import boto3
                    from botocore.exceptions import NoRegionError
                except ImportError as e:
                    raise ConfigurationError(
                        "the Bedrock embedding provider needs boto3: install podium[bedrock]"
                    ) from e
                try:
                    self._client = boto3.client("bedrock-runtime", region_name=self._region)
                except NoRegionError as e:
                    raise ConfigurationError(
                        "no AWS region for Bedrock embeddings: set PODIUM_AWS_REGION"
                    ) from e
            return self._client

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts``; empty texts embed to the zero vector (Titan rejects them)."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        wanted = [i for i, t in enumerate(texts) if t.strip()]
        if not wanted:
            return out
        client = self._get_client()
        if self._max_workers == 1 or len(wanted) == 1:
            vectors = [self._invoke(client, texts[i]) for i in wanted]
        else:
            with ThreadPoolExecutor(max_workers=min(self._max_workers, len(wanted))) as pool:
                vectors = list(pool.map(lambda i: self._invoke(client, texts[i]), wanted))
        for i, vector in zip(wanted, vectors, strict=True):
            out[i] = vector
        return l2_normalize(out)

    def _invoke(self, client: Any, text: str) -> list[float]:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        body = json.dumps(
            {"inputText": text[:_MAX_CHARS], "dimensions": self._dimension, "normalize": True}
        )
        try:
            response = client.invoke_model(
                modelId=self._model,
                body=body,
                contentType="application/json",
                accept="application/json",
            )
            payload = json.loads(response["body"].read())
        except NoCredentialsError as e:
            raise ConfigurationError(
                "no AWS credentials for Bedrock embeddings: configure the AWS credential chain "
                "(AWS_PROFILE, instance role, ...)"
            ) from e
        except ClientError as e:
            error = e.response.get("Error", {})
            code = error.get("Code", "ClientError")
            hint = ""
            if code == "AccessDeniedException":
                hint = f"; enable access to {self._model} in the Bedrock console for this account"
            elif code == "ResourceNotFoundException":
                hint = f"; is {self._model} offered in PODIUM_AWS_REGION={self._region}?"
            raise EmbeddingError(
                f"Bedrock embedding call failed for {self.model_id}: {code}: "
                f"{error.get('Message', e)}{hint}"
            ) from e
        except BotoCoreError as e:
            raise EmbeddingError(
                f"Bedrock embedding call failed for {self.model_id}: {e} "
                f"(check PODIUM_AWS_REGION and network access)"
            ) from e
        except (ValueError, KeyError, TypeError) as e:
            raise EmbeddingError(f"Bedrock returned an unreadable response: {e!r}") from e
        vector = payload.get("embedding") if isinstance(payload, dict) else None
        if not isinstance(vector, list) or len(vector) != self._dimension:
            got = len(vector) if isinstance(vector, list) else "no"
            raise EmbeddingError(
                f"Bedrock returned {got} embedding values for {self.model_id}, "
                f"expected {self._dimension}"
            )
        return [float(x) for x in vector]
