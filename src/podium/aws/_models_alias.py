"""Bedrock model ids and ARNs → the model Podium runs, through one documented alias table.

Podium has one configured chat model (``PODIUM_MODEL``: the offline model by default, or a
hosted LLM) and one configured embedder (``PODIUM_EMBEDDING_MODEL``). A Bedrock caller names a
Bedrock model (``anthropic.claude-3-5-haiku-20241022-v1:0``, an inference profile such as
``us.amazon.nova-lite-v1:0``, or either as an ARN); the alias table says what answers it. An id
that matches no row gets the default (configured) model: the caller is never refused for naming
a model Podium does not have, and every response says which model answered (see
``docs/aws-compatibility.md``).
"""

from __future__ import annotations

import copy
import fnmatch
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strands.models import Model

    from podium.config import Settings

logger = logging.getLogger(__name__)

__all__ = [
    "CHAT_ALIASES",
    "EMBEDDING_ALIASES",
    "OFFLINE_SPEC",
    "ResolvedModel",
    "bare_model_id",
    "chat_model",
    "resolve_chat_model",
    "resolve_embedding_model",
    "with_inference",
]

OFFLINE_SPEC = "offline"
#: The configured model (``settings.model``).
CONFIGURED = "configured"
#: The configured embedder (``settings.embedding_model``).
CONFIGURED_EMBEDDER = "configured-embedder"

#: (Bedrock model id glob, target). First match wins; no match → the configured model.
CHAT_ALIASES: tuple[tuple[str, str], ...] = (
    ("podium-offline", OFFLINE_SPEC),
    ("podium.offline*", OFFLINE_SPEC),
    ("anthropic.claude-*", CONFIGURED),
    ("amazon.nova-*", CONFIGURED),
    ("amazon.titan-text-*", CONFIGURED),
    ("meta.llama*", CONFIGURED),
    ("mistral.*", CONFIGURED),
    ("cohere.command*", CONFIGURED),
    ("ai21.*", CONFIGURED),
    ("deepseek.*", CONFIGURED),
    ("openai.*", CONFIGURED),
    ("qwen.*", CONFIGURED),
    ("writer.*", CONFIGURED),
)

#: Embedding models (Titan v2 and others) → the configured embedder; ``podium/<id>`` names a
#: Podium embedder directly (e.g. ``podium/test-hash-64``).
EMBEDDING_ALIASES: tuple[tuple[str, str], ...] = (
    ("amazon.titan-embed-*", CONFIGURED_EMBEDDER),
    ("cohere.embed-*", CONFIGURED_EMBEDDER),
    ("amazon.nova-*embed*", CONFIGURED_EMBEDDER),
)

# Cross-region inference profiles prefix the model id with a geography.
_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "global.", "jp.", "au.", "ca.")


@dataclass(frozen=True)
class ResolvedModel:
    """What a requested model id maps to."""

    requested: str
    #: The Podium model spec that answers (``offline``, ``openai:gpt-4o-mini``...).
    spec: str
    #: The alias-table row that matched, or ``default`` when none did.
    alias: str

    @property
    def offline(self) -> bool:
        """True when Podium's offline model answers."""
        return self.spec.split(":", 1)[0].lower() == OFFLINE_SPEC

    @property
    def answered_by(self) -> str:
        """The model name a response reports (``podium-offline`` for the offline model)."""
        return "podium-offline" if self.offline else self.spec

    def as_fields(self) -> dict[str, Any]:
        """The ``additionalModelResponseFields`` entry that says which model answered."""
        return {
            "podium": {
                "requestedModelId": self.requested,
                "model": self.answered_by,
                "alias": self.alias,
                "offline": self.offline,
            }
        }


def bare_model_id(model_id: str) -> str:
    """``model_id`` without ARN wrapping or a cross-region profile prefix."""
    bare = model_id.strip()
    if bare.startswith("arn:"):
        # arn:aws:bedrock:<region>:<account>:foundation-model/<id> (or inference-profile/...)
        bare = bare.split(":", 5)[-1].split("/", 1)[-1]
    for prefix in _PROFILE_PREFIXES:
        if bare.startswith(prefix):
            return bare[len(prefix) :]
    return bare


def _match(table: tuple[tuple[str, str], ...], model_id: str) -> tuple[str, str] | None:
    bare = bare_model_id(model_id).lower()
    for pattern, target in table:
        if fnmatch.fnmatchcase(bare, pattern):
            return pattern, target
    return None


def resolve_chat_model(model_id: str, settings: Settings) -> ResolvedModel:
    """The model that answers a Converse / RetrieveAndGenerate call naming ``model_id``."""
    found = _match(CHAT_ALIASES, model_id)
    alias, target = found if found else ("default", CONFIGURED)
    spec = settings.model if target == CONFIGURED else target
    return ResolvedModel(requested=model_id, spec=spec, alias=alias)


def resolve_embedding_model(model_arn: str, settings: Settings) -> str:
    """The Podium embedder id for a Bedrock embedding-model id or ARN (unknown → configured)."""
    bare = bare_model_id(model_arn)
    if bare.startswith("podium/"):
        return bare
    # Every row of EMBEDDING_ALIASES targets the configured embedder, and so does no match: the
    # table documents which Bedrock embedders are understood, the KB shows both ids.
    if _match(EMBEDDING_ALIASES, model_arn) is None:
        logger.info(
            "requested=<%s>, effective=<%s> | unknown embedding model, using the default",
            bare,
            settings.embedding_model,
        )
    return settings.embedding_model


#: (id(settings), spec) -> (settings, model); the settings object is kept so its id is not reused.
_MODELS: dict[tuple[int, str], tuple[Any, Any]] = {}
_MODELS_LOCK = threading.Lock()


def chat_model(settings: Settings, resolved: ResolvedModel) -> Model:
    """The Strands model for ``resolved`` (built once per settings object and spec)."""
    from podium.agents import build_model

    key = (id(settings), resolved.spec)
    with _MODELS_LOCK:
        entry = _MODELS.get(key)
        if entry is None or entry[0] is not settings:
            # Hosted providers were checked when the server started (``podium up``); a per-call
            # probe of the provider would add a round trip to every first request.
            entry = (settings, build_model(settings, resolved.spec, validate=False))
            _MODELS[key] = entry
        return entry[1]  # type: ignore[no-any-return]


def with_inference(model: Model, inference: dict[str, Any]) -> Model:
    """A copy of ``model`` configured with Bedrock's ``inferenceConfig`` (the original is shared).

    The offline model is deterministic and takes none of these; its output limits (maxTokens,
    stopSequences) are applied to its stream instead (see ``_converse``).
    """
    if not inference or bool(model.get_config().get("offline")):
        return model
    clone = copy.copy(model)
    config = dict(model.get_config())
    clone.config = config  # type: ignore[attr-defined]
    kind = type(model).__name__
    max_tokens = inference.get("maxTokens")
    temperature = inference.get("temperature")
    top_p = inference.get("topP")
    stops = inference.get("stopSequences")
    update: dict[str, Any] = {}
    if kind in ("BedrockModel", "OllamaModel"):
        update = {
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stop_sequences": stops,
        }
    elif kind == "AnthropicModel":
        params = dict(config.get("params") or {})
        params.update(
            {k: v for k, v in (("temperature", temperature), ("top_p", top_p)) if v is not None}
        )
        if stops:
            params["stop_sequences"] = stops
        update = {"max_tokens": max_tokens, "params": params}
    elif kind in ("OpenAIModel", "LiteLLMModel"):
        params = dict(config.get("params") or {})
        for name, value in (
            ("max_tokens", max_tokens),
            ("temperature", temperature),
            ("top_p", top_p),
            ("stop", stops),
        ):
            if value is not None:
                params[name] = value
        update = {"params": params}
    update = {k: v for k, v in update.items() if v is not None}
    if update:
        clone.update_config(**update)
    return clone
