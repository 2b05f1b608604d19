"""Model providers chosen by ``PODIUM_MODEL``, all through Strands' own provider classes.

``offline`` (default) | ``bedrock:<model id>`` | ``anthropic:<model>`` | ``openai:<model>`` (with
``PODIUM_OPENAI_BASE_URL`` for any OpenAI-compatible server) | ``ollama:<model>``.

:func:`build_model` checks the configuration up front — a missing key, an unreachable endpoint
or an unknown model raises :class:`ConfigurationError` naming the setting to fix — so a
misconfiguration fails at start-up, not mid-chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podium.errors import ConfigurationError

if TYPE_CHECKING:
    from strands.models import Model

    from podium.config import Settings

__all__ = ["PROVIDERS", "build_model", "describe_model"]

PROVIDERS = ("offline", "bedrock", "anthropic", "openai", "ollama")
_OPENAI_DEFAULT = "https://api.openai.com/v1"
_ANTHROPIC_DEFAULT = "https://api.anthropic.com"
_CHECK_TIMEOUT_S = 5.0


def _split(spec: str) -> tuple[str, str]:
    provider, _, name = spec.strip().partition(":")
    provider = provider.lower()
    if provider not in PROVIDERS:
        raise ConfigurationError(
            f"unknown model provider {provider!r} in PODIUM_MODEL={spec!r}; "
            f"use one of: {', '.join(PROVIDERS)} (e.g. openai:gpt-4o-mini)"
        )
    if provider != "offline" and not name:
        raise ConfigurationError(
            f"PODIUM_MODEL={spec!r} needs a model name, e.g. {provider}:<model>"
        )
    return provider, name


def describe_model(spec: str) -> dict[str, Any]:
    """What the UI shows: provider, model name and whether it is the offline model."""
    provider, name = _split(spec)
    return {
        "provider": provider,
        "model": name or "podium-offline",
        "offline": provider == "offline",
    }


def _get(url: str, setting: str, headers: dict[str, str] | None = None) -> Any:
    import httpx

    try:
        return httpx.get(url, headers=headers or {}, timeout=_CHECK_TIMEOUT_S)
    except httpx.HTTPError as e:
        raise ConfigurationError(
            f"cannot reach {url} ({e.__class__.__name__}); check {setting}"
        ) from e


def _json(response: Any, url: str, setting: str) -> Any:
    try:
        return response.json()
    except ValueError as e:
        raise ConfigurationError(f"{url} did not answer JSON; check {setting}") from e


def _check_openai(base_url: str, api_key: str | None, model: str) -> None:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/models"
    response = _get(url, "PODIUM_OPENAI_BASE_URL", headers)
    if response.status_code in (401, 403):
        raise ConfigurationError(f"{base_url} rejected the API key; check PODIUM_OPENAI_API_KEY")
    if response.status_code >= 400:
        # The usual cause is a base URL without its API prefix (``http://host:8000`` for ``.../v1``).
        raise ConfigurationError(
            f"{url} answered HTTP {response.status_code}; check PODIUM_OPENAI_BASE_URL "
            "(it usually ends in /v1)"
        )
    body = _json(response, url, "PODIUM_OPENAI_BASE_URL")
    try:
        ids = {m["id"] for m in body.get("data", [])}
    except (KeyError, TypeError, AttributeError) as e:
        raise ConfigurationError(
            f"{url} is not an OpenAI-compatible API; check PODIUM_OPENAI_BASE_URL"
        ) from e
    if ids and model not in ids:
        raise ConfigurationError(
            f"unknown model {model!r} at {base_url} (available: {', '.join(sorted(ids)[:10])}); "
            "check PODIUM_MODEL"
        )


def _check_anthropic(base_url: str, api_key: str, model: str) -> None:
    import anthropic

    # The SDK's own client, so the auth headers and API version are whatever it sends when
    # chatting; ``models.retrieve`` resolves aliases, so 404 means a truly unknown model.
    client = anthropic.Anthropic(
        api_key=api_key, base_url=base_url, max_retries=0, timeout=_CHECK_TIMEOUT_S
    )
    try:
        client.models.retrieve(model)
    except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as e:
        raise ConfigurationError(
            f"{base_url} rejected the API key; check PODIUM_ANTHROPIC_API_KEY"
        ) from e
    except anthropic.NotFoundError as e:
        raise ConfigurationError(
            f"unknown model {model!r} at {base_url}; check PODIUM_MODEL"
        ) from e
    except anthropic.APIStatusError as e:
        raise ConfigurationError(
            f"{base_url} answered HTTP {e.status_code}; check PODIUM_ANTHROPIC_BASE_URL"
        ) from e
    except anthropic.APIConnectionError as e:
        raise ConfigurationError(
            f"cannot reach {base_url} ({e.__class__.__name__}); check PODIUM_ANTHROPIC_BASE_URL"
        ) from e
    finally:
        client.close()


def _check_ollama(host: str, model: str) -> None:
    url = host.rstrip("/") + "/api/tags"
    response = _get(url, "PODIUM_OLLAMA_HOST")
    if response.status_code >= 400:
        raise ConfigurationError(
            f"{url} answered HTTP {response.status_code}; check PODIUM_OLLAMA_HOST"
        )
    body = _json(response, url, "PODIUM_OLLAMA_HOST")
    try:
        names = {m.get("name", "") for m in body.get("models", [])}
    except (TypeError, AttributeError) as e:
        raise ConfigurationError(f"{url} is not an Ollama API; check PODIUM_OLLAMA_HOST") from e
    if model not in names and f"{model}:latest" not in names:
        raise ConfigurationError(
            f"ollama at {host} has no model {model!r} (pull it with `ollama pull {model}`); "
            "check PODIUM_MODEL"
        )


def _bedrock(name: str, settings: Settings, validate: bool) -> Model:
    try:
        import boto3
        from strands.models.bedrock import BedrockModel
    except ImportError as e:
        raise ConfigurationError("bedrock models need boto3: pip install 'podium[bedrock]'") from e
    from botocore.exceptions import BotoCoreError

    try:
        session = (
            boto3.Session(region_name=settings.aws_region)
            if settings.aws_region
            else boto3.Session()
        )
        credentials = session.get_credentials() if validate else None
    except BotoCoreError as e:
        # e.g. ProfileNotFound for an AWS_PROFILE that ~/.aws/config does not define
        raise ConfigurationError(
            f"bad AWS configuration for bedrock ({e}); check AWS_PROFILE and ~/.aws/config"
        ) from e
    if validate and credentials is None:
        raise ConfigurationError(
            "no AWS credentials found for bedrock; set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    if validate and not session.region_name:
        raise ConfigurationError("no AWS region for bedrock; set PODIUM_AWS_REGION (or AWS_REGION)")
    return BedrockModel(model_id=name, boto_session=session, max_tokens=settings.model_max_tokens)


def _anthropic(name: str, settings: Settings, validate: bool) -> Model:
    if not settings.anthropic_api_key:
        raise ConfigurationError("anthropic models need an API key; set PODIUM_ANTHROPIC_API_KEY")
    try:
        from strands.models.anthropic import AnthropicModel
    except ImportError as e:
        raise ConfigurationError(
            "anthropic models need the anthropic package: pip install 'podium[anthropic]'"
        ) from e
    base_url = settings.anthropic_base_url or _ANTHROPIC_DEFAULT
    if validate:
        _check_anthropic(base_url, settings.anthropic_api_key, name)
    client_args: dict[str, Any] = {"api_key": settings.anthropic_api_key, "base_url": base_url}
    return AnthropicModel(
        client_args=client_args, model_id=name, max_tokens=settings.model_max_tokens
    )


def _openai(name: str, settings: Settings, validate: bool) -> Model:
    base_url = settings.openai_base_url or _OPENAI_DEFAULT
    if base_url == _OPENAI_DEFAULT and not settings.openai_api_key:
        raise ConfigurationError(
            "openai models need PODIUM_OPENAI_API_KEY (or PODIUM_OPENAI_BASE_URL for a local server)"
        )
    try:
        from strands.models.openai import OpenAIModel
    except ImportError as e:
        raise ConfigurationError(
            "openai models need the openai package: pip install 'podium[openai]'"
        ) from e
    if validate:
        _check_openai(base_url, settings.openai_api_key, name)
    return OpenAIModel(
        client_args={"api_key": settings.openai_api_key or "not-needed", "base_url": base_url},
        model_id=name,
        params={"max_tokens": settings.model_max_tokens},
    )


def _ollama(name: str, settings: Settings, validate: bool) -> Model:
    try:
        from strands.models.ollama import OllamaModel
    except ImportError as e:
        raise ConfigurationError(
            "ollama models need the ollama package: pip install 'podium[ollama]'"
        ) from e
    if validate:
        _check_ollama(settings.ollama_host, name)
    return OllamaModel(
        host=settings.ollama_host, model_id=name, max_tokens=settings.model_max_tokens
    )


def build_model(settings: Settings, spec: str | None = None, *, validate: bool = True) -> Model:
    """The Strands model for ``spec`` (default ``settings.model``), checked before first use."""
    provider, name = _split(spec or settings.model)
    if provider == "offline":
        from ._offline_model import OfflineModel

        return OfflineModel()
    if provider == "bedrock":
        return _bedrock(name, settings, validate)
    if provider == "anthropic":
        return _anthropic(name, settings, validate)
    if provider == "openai":
        return _openai(name, settings, validate)
    return _ollama(name, settings, validate)
