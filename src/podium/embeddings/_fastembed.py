"""fastembed (Qdrant's ONNX runtime wrapper) models: ``fastembed:<model>``.

fastembed normally downloads models from the Hugging Face hub. Podium looks for a local copy
first, so it also works offline:

* ``fastembed:/abs/path/to/dir`` (or ``~/...``): that directory;
* ``fastembed:<name>``: ``$PODIUM_HOME/models/fastembed/<name with '/' as '--'>`` if it exists.

* otherwise fastembed's own cache in ``$PODIUM_HOME/models/fastembed/.cache``.

Podium never downloads at embedding time (fastembed retries a failed download for a minute,
and a first request should not fetch hundreds of MB); the error says how to fetch a model.

A local directory holds the ONNX file (``model.onnx`` or ``onnx/model.onnx``),
``tokenizer.json`` and ``tokenizer_config.json``. A directory for a model fastembed does not
know is registered as a mean-pooled, normalised sentence model; its dimension comes from
``config.json`` (``hidden_size``) or the ONNX graph.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from podium.errors import ConfigurationError, EmbeddingError

from ._base import EmbedKind, RegexTokenizer, l2_normalize, require_extra, sort_by_length

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from podium.config import Settings

__all__ = ["FastEmbedEmbedder", "local_model_dir"]

logger = logging.getLogger(__name__)

_MODEL_FILES = ("model.onnx", "onnx/model.onnx", "model_optimized.onnx", "model_quantized.onnx")


def local_model_dir(name: str, models_root: Path) -> Path:
    """Where a local copy of fastembed model ``name`` is looked for."""
    if name.startswith(("/", "~", ".")):
        return Path(name).expanduser()
    return models_root / name.replace("/", "--")


def _find_model_file(model_dir: Path) -> str:
    for candidate in _MODEL_FILES:
        if (model_dir / candidate).is_file():
            return candidate
    found = sorted(p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*.onnx"))
    if not found:
        raise ConfigurationError(
            f"no ONNX model file in the fastembed model directory {model_dir} "
            f"(expected one of {', '.join(_MODEL_FILES)})"
        )
    return found[0]


def _discover_dimension(model_dir: Path, model_file: str) -> int:
    config = model_dir / "config.json"
    if config.is_file():
        try:
            hidden = json.loads(config.read_text(encoding="utf-8")).get("hidden_size")
        except (OSError, ValueError) as e:
            raise ConfigurationError(f"unreadable {config}: {e}") from e
        if isinstance(hidden, int) and hidden > 0:
            return hidden
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(
            str(model_dir / model_file), providers=["CPUExecutionProvider"]
        )
    except Exception as e:  # onnxruntime raises its own untyped errors
        raise ConfigurationError(f"cannot load ONNX model {model_dir / model_file}: {e}") from e
    shape = session.get_outputs()[0].shape
    if shape and isinstance(shape[-1], int) and shape[-1] > 0:
        return int(shape[-1])
    raise ConfigurationError(
        f"cannot tell the embedding dimension of {model_dir / model_file}: add a config.json "
        "with 'hidden_size'"
    )


class FastEmbedEmbedder:
    """Embeddings from a fastembed ``TextEmbedding``, loaded lazily on first use.

    Queries go through ``query_embed`` and documents through ``passage_embed`` so models with
    instruction prefixes (BGE, E5...) get them.
    """

    def __init__(
        self,
        *,
        name: str,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
        batch_size: int = 32,
    ) -> None:
        if not name:
            raise ConfigurationError(
                "fastembed needs a model: 'fastembed:<model>' (PODIUM_EMBEDDING_MODEL)"
            )
        self._name = name
        self._model_dir = model_dir
        self._cache_dir = cache_dir
        self._threads = threads
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._model: Any = None
        self._dimension: int | None = None
        self._span_tokenizer: Tokenizer | RegexTokenizer | None = None

    @classmethod
    def from_settings(cls, name: str, settings: Settings) -> FastEmbedEmbedder:
        """``fastembed:<model>``, looking for local copies under ``$PODIUM_HOME/models``."""
        require_extra("fastembed", "fastembed")
        root = settings.home / "models" / "fastembed"
        candidate = local_model_dir(name, root)
        return cls(
            name=name,
            model_dir=candidate if candidate.is_dir() else None,
            cache_dir=root / ".cache",
            threads=settings.embedding_threads or None,
            batch_size=settings.embedding_batch_size,
        )

    @property
    def model_id(self) -> str:
        """``fastembed:<model>``."""
        return f"fastembed:{self._name}"

    @property
    def dimension(self) -> int:
        """Vector length (loads the model)."""
        self._load()
        assert self._dimension is not None
        return self._dimension

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._build()
            return self._model

    def _build(self) -> Any:
        try:
            from fastembed import TextEmbedding
            from fastembed.common.model_description import ModelSource, PoolingType
        except ImportError as e:
            raise ConfigurationError(
                "the fastembed embedding provider needs fastembed: install podium[fastembed]"
            ) from e
        supported = {m["model"].lower(): m for m in TextEmbedding.list_supported_models()}
        known = supported.get(self._name.lower())
        if known is None:
            if self._model_dir is None:
                raise ConfigurationError(
                    f"fastembed does not know the model {self._name!r} and there is no local "
                    "model directory for it: pass an absolute directory "
                    "('fastembed:/path/to/model') or put the files under "
                    "$PODIUM_HOME/models/fastembed/<name> (PODIUM_EMBEDDING_MODEL)"
                )
            model_file = _find_model_file(self._model_dir)
            self._dimension = _discover_dimension(self._model_dir, model_file)
            TextEmbedding.add_custom_model(
                model=self._name,
                pooling=PoolingType.MEAN,
                normalization=True,
                sources=ModelSource(hf=self._name),
                dim=self._dimension,
                model_file=model_file,
            )
        else:
            self._dimension = int(known["dim"])
        kwargs: dict[str, Any] = {"local_files_only": True}
        if self._model_dir is not None:
            kwargs["specific_model_path"] = str(self._model_dir)
        cache_dir = str(self._cache_dir) if self._cache_dir else None
        try:
            model = TextEmbedding(
                model_name=self._name,
                cache_dir=cache_dir,
                threads=self._threads,
                providers=["CPUExecutionProvider"],
                **kwargs,
            )
        except Exception as e:  # fastembed surfaces hub, file and onnxruntime errors untyped
            where = self._model_dir or cache_dir or "fastembed's cache"
            raise ConfigurationError(
                f"fastembed could not load {self._name!r} ({e}); the model must be available "
                f"locally (looked in {where}): put its files in "
                f"$PODIUM_HOME/models/fastembed/{self._name.replace('/', '--')} or fetch it "
                f"once with TextEmbedding({self._name!r}, cache_dir={cache_dir!r})"
            ) from e
        self._span_tokenizer = self._load_span_tokenizer(model)
        logger.debug("model=<%s> | fastembed model loaded", self._name)
        return model

    def _load_span_tokenizer(self, model: Any) -> Tokenizer | RegexTokenizer:
        model_dir = self._model_dir or getattr(getattr(model, "model", None), "_model_dir", None)
        tokenizer_file = Path(model_dir) / "tokenizer.json" if model_dir else None
        if tokenizer_file is None or not tokenizer_file.is_file():
            return RegexTokenizer()
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the model's tokens (no special tokens, no truncation)."""
        self._load()
        spans = self._span_tokenizer
        if isinstance(spans, RegexTokenizer) or spans is None:
            return RegexTokenizer().token_spans(text)
        encoding = spans.encode(text, add_special_tokens=False)
        return [span for span in encoding.offsets if span[1] > span[0]]

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed ``texts`` in length-sorted batches."""
        model = self._load()
        assert self._dimension is not None
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        order = sort_by_length(texts)
        ordered = [texts[i] for i in order]
        method = model.query_embed if kind == "query" else model.passage_embed
        try:
            vectors = np.asarray(
                list(method(ordered, batch_size=self._batch_size)), dtype=np.float32
            )
        except Exception as e:  # onnxruntime/tokenizers errors are untyped
            raise EmbeddingError(f"fastembed model {self._name!r} failed: {e}") from e
        if vectors.shape != (len(texts), self._dimension):
            raise EmbeddingError(
                f"fastembed model {self._name!r} returned shape {vectors.shape}, "
                f"expected {(len(texts), self._dimension)}"
            )
        out = np.empty_like(vectors)
        out[order] = vectors
        return l2_normalize(out)
