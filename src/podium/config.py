"""Settings: the one place configuration is read (``PODIUM_*`` environment variables)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "ENV_PREFIX",
    "Settings",
    "install_settings",
    "process_settings",
]

ENV_PREFIX = "PODIUM_"

CommaList = Annotated[list[str], NoDecode]

DEFAULT_EMBEDDING_MODEL = "podium/all-MiniLM-L6-v2-int8"


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("podium", appauthor=False))


class Settings(BaseSettings):
    """Every knob Podium has. Read from ``PODIUM_*`` environment variables or passed as kwargs."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data directory (PODIUM_HOME).")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: sqlite:///$PODIUM_HOME/podium.db",
    )
    auto_migrate: bool | None = Field(
        default=None,
        description="Migrate the database schema when a process starts (PODIUM_AUTO_MIGRATE). "
        "Default: on for SQLite; off for PostgreSQL, where `podium migrate` runs the "
        "migrations once and every process only checks the schema revision.",
    )
    # PostgreSQL connection pool: one per process, shared by every service (docs/deployment.md).
    db_pool_size: int = Field(
        default=5,
        ge=1,
        description="PostgreSQL connections a process keeps open (PODIUM_DB_POOL_SIZE).",
    )
    db_max_overflow: int = Field(
        default=5,
        ge=0,
        description="Extra PostgreSQL connections a process may open at peaks, closed when "
        "returned (PODIUM_DB_MAX_OVERFLOW). A process never holds more than "
        "pool size + overflow connections.",
    )
    db_pool_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a request waits for a free pooled connection before it fails "
        "(PODIUM_DB_POOL_TIMEOUT_S).",
    )
    db_pool_recycle_s: float = Field(
        default=1800.0,
        gt=0,
        description="Replace pooled connections older than this (PODIUM_DB_POOL_RECYCLE_S).",
    )
    db_prepare_threshold: int | None = Field(
        default=None,
        ge=0,
        description="Prepare a statement on the server after it ran this many times on a "
        "connection (psycopg's prepare_threshold). Unset: never, which PgBouncer in "
        "transaction mode needs (PODIUM_DB_PREPARE_THRESHOLD).",
    )
    db_pipeline: bool = Field(
        default=False,
        description="Let psycopg pipeline executemany batches (PODIUM_DB_PIPELINE). Off: "
        "one statement at a time, safe behind any pooler.",
    )
    keyword_engine: str = Field(
        default="auto",
        pattern="^(auto|tantivy|fts5)$",
        description="Keyword search on SQLite (PODIUM_KEYWORD_ENGINE): auto (the default: FTS5, "
        "and for a knowledge base of keyword_tantivy_threshold chunks or more a tantivy index "
        "beside the database file with top-k pruning, when the package is installed), tantivy "
        "(for every index), or fts5 (FTS5 alone). FTS5 is written either way and answers while "
        "tantivy catches up.",
    )
    keyword_tantivy_threshold: int = Field(
        default=20_000,
        ge=1,
        description="Searchable chunks from which a SQLite knowledge base's keyword search goes "
        "to tantivy under keyword_engine=auto (PODIUM_KEYWORD_TANTIVY_THRESHOLD): FTS5's bm25() "
        "scores every matching row, ~30 ms a query at 100k chunks against ~1 ms.",
    )
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="Embedding model for new knowledge bases and memories.",
    )
    embedding_threads: int = Field(
        default=0, description="onnxruntime intra-op threads; 0 means one per core."
    )
    # Measured on 2 cores with 80-200-word abstracts: 20 texts/s at 8, 15 texts/s at 32 (attention
    # cost grows with the padded length, and small batches keep onnxruntime's arena small).
    embedding_batch_size: int = Field(default=8, ge=1, le=1024)
    blas_threads: int = Field(
        default=1,
        ge=0,
        description="Threads numpy's OpenBLAS may use in a Podium process (PODIUM_BLAS_THREADS): "
        "1, since query-time matrix-vector products are short and OpenBLAS's busy-waiting "
        "threads made them 100x slower beside the embedder on a busy machine; 0 leaves "
        "OpenBLAS's own default (one per core).",
    )
    vector_ann_threshold: int = Field(
        default=20_000,
        ge=1,
        description="Searchable chunks from which a SQLite knowledge base's vector search walks "
        "an HNSW graph (usearch, persisted beside the database file) instead of an exact scan.",
    )
    catalog_path: Path | None = Field(
        default=None,
        description="Sample event catalog (JSONL). Default: data/catalog/sessions.jsonl of the checkout.",
    )

    # Model providers (issue: agent).
    model: str = Field(default="offline", description="offline | bedrock:ID | anthropic:ID | ...")
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    model_max_tokens: int = Field(default=2048, ge=1)
    ollama_host: str = "http://127.0.0.1:11434"
    aws_region: str | None = None
    aws_local_source_roots: CommaList = Field(
        default_factory=list,
        description="Folders a bedrock-agent local-folder data source (type WEB, file:// seed "
        "URLs) may read. Default: PODIUM_HOME/sources.",
    )

    # Inbound JWT authorizer (AgentCore customJWTAuthorizer equivalent).
    auth_discovery_url: str | None = None
    auth_allowed_audience: CommaList = Field(default_factory=list)
    auth_allowed_clients: CommaList = Field(default_factory=list)
    auth_allowed_scopes: CommaList = Field(default_factory=list)
    auth_custom_claims: dict[str, Any] = Field(default_factory=dict)
    auth_actor_claim: str = "sub"
    auth_disabled: bool = Field(default=False, description="Only via --no-auth, for development.")
    request_header_allowlist: CommaList = Field(default_factory=list)
    allowed_hosts: CommaList = Field(
        default_factory=list,
        description="Host names served besides loopback, the bind address and the public URL.",
    )

    # Web UI sign-in (the dev issuer by default, or any OIDC provider via auth_discovery_url).
    ui_client_id: str = "podium-web"
    ui_scopes: CommaList = Field(
        default_factory=lambda: ["openid", "profile", "email", "podium/invoke"]
    )

    embedded_worker: bool = Field(
        default=True,
        description="Run a long-term memory extraction thread in this process (PODIUM_EMBEDDED_WORKER).",
    )

    # Runtime gateway.
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    isolation: str = Field(default="process", pattern="^(process|none)$")
    session_idle_timeout_s: float = Field(default=900.0, gt=0)
    session_max_lifetime_s: float = Field(default=28800.0, gt=0)
    session_lease_s: float = Field(
        default=30.0,
        gt=0,
        description="How long a gateway's lease on a session outlives its last renewal: the "
        "session of a gateway that died mid-invocation is served elsewhere after this long.",
    )
    max_workers: int | None = Field(
        default=None,
        ge=1,
        description="Cap on live session workers. Default: derived from the available memory.",
    )
    max_sessions_per_actor: int = Field(
        default=8,
        ge=1,
        description="Live sessions one actor may hold; a new one ends their least recently used.",
    )
    max_invocations_per_actor: int = Field(
        default=4, ge=1, description="Invocations one actor may have in flight at once."
    )

    service_socket: str | None = Field(
        default=None,
        description="Set by the gateway in session workers: its service socket (thin workers).",
    )

    log_level: str = "WARNING"
    log_format: str = Field(
        default="text",
        pattern="^(text|json)$",
        description="text, or json: one JSON object per line with the trace, session and "
        "actor ids (PODIUM_LOG_FORMAT).",
    )

    # Tracing (off unless an endpoint is set; see docs/observability.md).
    otel_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318 (spans are posted "
        "to its /v1/traces). Unset: no tracing (PODIUM_OTEL_ENDPOINT).",
    )
    otel_service_name: str = Field(
        default="podium", min_length=1, description="service.name of the exported spans."
    )

    @field_validator(
        "auth_allowed_audience",
        "auth_allowed_clients",
        "auth_allowed_scopes",
        "request_header_allowlist",
        "allowed_hosts",
        "ui_scopes",
        "aws_local_source_roots",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("auth_custom_claims", mode="before")
    @classmethod
    def _parse_claims(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser()
        if isinstance(value, Path):
            return value.expanduser()
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'podium.db'}"

    @property
    def migrates_at_start(self) -> bool:
        """Whether processes migrate the schema at start (else they check it is at head)."""
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.resolved_database_url.startswith("sqlite")

    def ensure_home(self) -> Path:
        """Create the data directory if needed (mode 0700: private to its owner) and return it."""
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.home.stat().st_mode & 0o077 and self.home.stat().st_uid == os.getuid():
            self.home.chmod(0o700)
        return self.home

    def to_env(self) -> dict[str, str]:
        """These settings as ``PODIUM_*`` variables, for a child process's environment.

        The one serialisation of settings across a process boundary: :meth:`from_env` on the
        result gives back equal settings. Unset optional values are left out, so the child
        uses the default.
        """
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                env[f"{ENV_PREFIX}{name.upper()}"] = _env_value(value)
        return env

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (default: this process's environment) and nothing else.

        Variables of ``env`` that are not ``PODIUM_*`` are ignored; unknown ``PODIUM_*`` ones too.
        """
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            key = f"{ENV_PREFIX}{name.upper()}"
            # Every field is passed explicitly (default when absent): init values outrank the
            # settings sources, so this process's own PODIUM_* variables cannot leak in.
            values[name] = (
                source[key] if key in source else field.get_default(call_default_factory=True)
            )
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and validated.

        Derived values follow, e.g. the default database URL of a new ``home``.
        """
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values.update(changes)
        return type(self)(**values)


_installed: Settings | None = None


def install_settings(settings: Settings | None) -> None:
    """Make ``settings`` what :func:`process_settings` returns in this process (None: undo).

    An embedding process (the gateway with in-process isolation, a test) calls this instead of
    writing ``os.environ``; worker processes get their parent's settings through
    :meth:`Settings.to_env` instead.
    """
    global _installed
    _installed = settings


def process_settings() -> Settings:
    """This process's settings: the installed ones, else read from the environment."""
    return _installed if _installed is not None else Settings()


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
