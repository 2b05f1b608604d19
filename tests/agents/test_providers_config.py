"""Model providers: misconfiguration fails at start-up naming the setting; one real exchange each.

HTTP providers are driven against a fake server on 127.0.0.1 that speaks the provider's wire
protocol (OpenAI chat completions SSE, Ollama NDJSON, Anthropic messages SSE), through a real
``strands.Agent`` and the provider's real client library. Only the LLM behind the wire is fake.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from strands import Agent

from podium.agents._offline_model import OfflineModel
from podium.agents._providers import build_model, describe_model
from podium.config import Settings
from podium.errors import ConfigurationError

# --------------------------------------------------------------------------- fake HTTP server


@dataclass(kw_only=True)
class Request:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(kw_only=True)
class Reply:
    """What the fake server answers: a status and either a JSON body or streamed chunks."""

    status: int = 200
    json_body: Any = None
    chunks: list[bytes] = field(default_factory=list)
    content_type: str = "application/json"


Route = Callable[[Request], Reply]


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 answering by ``(method, path)`` and recording requests."""

    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        self.routes = routes
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                request = Request(
                    method=self.command,
                    path=path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw) if raw else None,
                )
                server.requests.append(request)
                route = server.routes.get((self.command, path))
                reply = route(request) if route else Reply(status=404, json_body={"error": "no"})
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if reply.chunks:
                    # HTTP/1.0 without Content-Length: the body ends when the connection closes,
                    # and each chunk reaches the client as soon as it is flushed.
                    self.end_headers()
                    for chunk in reply.chunks:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                    return
                data = json.dumps(reply.json_body).encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def posts(self, path: str) -> list[Request]:
        """Requests POSTed to ``path``."""
        return [r for r in self.requests if r.method == "POST" and r.path == path]


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _sse(events: list[tuple[str | None, Any]]) -> list[bytes]:
    out = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data)
        prefix = f"event: {name}\n" if name else ""
        out.append(f"{prefix}data: {payload}\n\n".encode())
    return out


def _settings(tmp_path: Path, **kwargs: Any) -> Settings:
    return Settings(home=tmp_path / "home", **kwargs)


ANSWER_PARTS = ["Hello ", "from the ", "fake server."]
ANSWER = "".join(ANSWER_PARTS)
SYSTEM = "You are terse."
PROMPT = "Say hello, please."


def _answer(agent: Agent) -> str:
    result = agent(PROMPT)
    return "".join(b.get("text", "") for b in result.message["content"]).strip()


# --------------------------------------------------------------------------- spec parsing


def test_offline_is_the_default_and_builds_the_offline_model(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert settings.model == "offline"
    assert isinstance(build_model(settings), OfflineModel)
    assert describe_model("offline") == {
        "provider": "offline",
        "model": "podium-offline",
        "offline": True,
    }
    assert describe_model("openai:gpt-4o-mini")["model"] == "gpt-4o-mini"


def test_spec_argument_overrides_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, model="anthropic:claude-x")
    assert isinstance(build_model(settings, "offline"), OfflineModel)


@pytest.mark.parametrize("spec", ["gemini:pro", "nope", "openai:", "ollama:", "bedrock:  "])
def test_unknown_provider_or_missing_name_names_podium_model(tmp_path: Path, spec: str) -> None:
    with pytest.raises(ConfigurationError, match="PODIUM_MODEL"):
        build_model(_settings(tmp_path, model=spec))


# --------------------------------------------------------------------------- openai-compatible


def _openai_routes(models: list[str], status: int = 200) -> dict[tuple[str, str], Route]:
    def list_models(request: Request) -> Reply:
        if status != 200:
            return Reply(status=status, json_body={"error": {"message": "bad key"}})
        return Reply(json_body={"object": "list", "data": [{"id": m} for m in models]})

    def chat(request: Request) -> Reply:
        base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}
        base["model"] = request.body["model"]
        events: list[tuple[str | None, Any]] = [
            (None, {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        ]
        for part in ANSWER_PARTS:
            delta = {"index": 0, "delta": {"content": part}, "finish_reason": None}
            events.append((None, {**base, "choices": [delta]}))
        stop = {"index": 0, "delta": {}, "finish_reason": "stop"}
        events.append((None, {**base, "choices": [stop]}))
        usage = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
        events.append((None, {**base, "choices": [], "usage": usage}))
        events.append((None, "[DONE]"))
        return Reply(chunks=_sse(events), content_type="text/event-stream")

    return {("GET", "/v1/models"): list_models, ("POST", "/v1/chat/completions"): chat}


def test_openai_exchange_through_a_real_agent(tmp_path: Path) -> None:
    with FakeServer(_openai_routes(["gpt-test", "other"])) as server:
        settings = _settings(
            tmp_path,
            model="openai:gpt-test",
            openai_base_url=server.url + "/v1",
            openai_api_key="sk-local",
            model_max_tokens=321,
        )
        agent = Agent(model=build_model(settings), system_prompt=SYSTEM, callback_handler=None)
        assert _answer(agent) == ANSWER

    (call,) = server.posts("/v1/chat/completions")
    assert call.headers["authorization"] == "Bearer sk-local"
    assert call.body["model"] == "gpt-test"
    assert call.body["stream"] is True
    assert call.body["max_tokens"] == 321
    roles = [m["role"] for m in call.body["messages"]]
    assert roles == ["system", "user"]
    assert call.body["messages"][0]["content"] in (SYSTEM, [{"type": "text", "text": SYSTEM}])
    user = call.body["messages"][1]["content"]
    assert PROMPT in json.dumps(user)


def test_openai_against_api_openai_com_without_key_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PODIUM_OPENAI_API_KEY"):
        build_model(_settings(tmp_path, model="openai:gpt-4o-mini"))


def test_openai_unreachable_base_url_names_the_base_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_unused_port()}/v1"
    settings = _settings(tmp_path, model="openai:m", openai_base_url=url)
    with pytest.raises(ConfigurationError, match="PODIUM_OPENAI_BASE_URL") as info:
        build_model(settings)
    assert url in info.value.message


def test_openai_unknown_model_names_podium_model(tmp_path: Path) -> None:
    with FakeServer(_openai_routes(["llama-3", "qwen-2"])) as server:
        settings = _settings(tmp_path, model="openai:gpt-test", openai_base_url=server.url + "/v1")
        with pytest.raises(ConfigurationError, match="PODIUM_MODEL") as info:
            build_model(settings)
    assert "gpt-test" in info.value.message and "llama-3" in info.value.message


def test_openai_rejected_key_names_the_key(tmp_path: Path) -> None:
    with FakeServer(_openai_routes(["gpt-test"], status=401)) as server:
        settings = _settings(
            tmp_path,
            model="openai:gpt-test",
            openai_base_url=server.url + "/v1",
            openai_api_key="sk-wrong",
        )
        with pytest.raises(ConfigurationError, match="PODIUM_OPENAI_API_KEY"):
            build_model(settings)
    assert server.requests[0].headers["authorization"] == "Bearer sk-wrong"


def test_openai_base_url_without_api_prefix_names_the_base_url(tmp_path: Path) -> None:
    with FakeServer(_openai_routes(["gpt-test"])) as server:
        settings = _settings(tmp_path, model="openai:gpt-test", openai_base_url=server.url)
        with pytest.raises(ConfigurationError, match="PODIUM_OPENAI_BASE_URL"):
            build_model(settings)


def test_validate_false_skips_the_network_check(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_unused_port()}/v1"
    settings = _settings(tmp_path, model="openai:m", openai_base_url=url)
    model = build_model(settings, validate=False)
    assert model.get_config()["model_id"] == "m"


# --------------------------------------------------------------------------- ollama


def _ollama_routes(models: list[str]) -> dict[tuple[str, str], Route]:
    def tags(request: Request) -> Reply:
        return Reply(json_body={"models": [{"name": m, "model": m} for m in models]})

    def chat(request: Request) -> Reply:
        model = request.body["model"]
        stamp = "2026-01-01T00:00:00Z"
        lines = [
            {
                "model": model,
                "created_at": stamp,
                "message": {"role": "assistant", "content": part},
                "done": False,
            }
            for part in ANSWER_PARTS
        ]
        lines.append(
            {
                "model": model,
                "created_at": stamp,
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": "stop",
                "total_duration": 120_000_000,
                "prompt_eval_count": 12,
                "eval_count": 5,
            }
        )
        chunks = [(json.dumps(line) + "\n").encode() for line in lines]
        return Reply(chunks=chunks, content_type="application/x-ndjson")

    return {("GET", "/api/tags"): tags, ("POST", "/api/chat"): chat}


def test_ollama_exchange_through_a_real_agent(tmp_path: Path) -> None:
    with FakeServer(_ollama_routes(["llama3.2:latest", "qwen3:4b"])) as server:
        settings = _settings(
            tmp_path, model="ollama:llama3.2", ollama_host=server.url, model_max_tokens=77
        )
        agent = Agent(model=build_model(settings), system_prompt=SYSTEM, callback_handler=None)
        assert _answer(agent) == ANSWER

    (call,) = server.posts("/api/chat")
    assert call.body["model"] == "llama3.2"
    assert call.body["stream"] is True
    assert call.body["options"]["num_predict"] == 77
    messages = call.body["messages"]
    assert messages[0] == {"role": "system", "content": SYSTEM}
    assert messages[-1]["role"] == "user" and PROMPT in messages[-1]["content"]


def test_ollama_unreachable_names_the_host(tmp_path: Path) -> None:
    host = f"http://127.0.0.1:{_unused_port()}"
    settings = _settings(tmp_path, model="ollama:llama3.2", ollama_host=host)
    with pytest.raises(ConfigurationError, match="PODIUM_OLLAMA_HOST"):
        build_model(settings)


def test_ollama_unknown_model_names_podium_model_and_how_to_pull(tmp_path: Path) -> None:
    with FakeServer(_ollama_routes(["qwen3:4b"])) as server:
        settings = _settings(tmp_path, model="ollama:llama3.2", ollama_host=server.url)
        with pytest.raises(ConfigurationError, match="PODIUM_MODEL") as info:
            build_model(settings)
    assert "ollama pull llama3.2" in info.value.message


def test_ollama_host_that_is_not_ollama_names_the_host(tmp_path: Path) -> None:
    def html(request: Request) -> Reply:
        return Reply(chunks=[b"<html>hi</html>"], content_type="text/html")

    with FakeServer({("GET", "/api/tags"): html}) as server:
        settings = _settings(tmp_path, model="ollama:llama3.2", ollama_host=server.url)
        with pytest.raises(ConfigurationError, match="PODIUM_OLLAMA_HOST"):
            build_model(settings)


# --------------------------------------------------------------------------- anthropic


def _anthropic_routes(known: str) -> dict[tuple[str, str], Route]:
    def get_model(request: Request) -> Reply:
        return Reply(json_body={"type": "model", "id": known, "display_name": "Test"})

    def messages(request: Request) -> Reply:
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": request.body["model"],
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        }
        events: list[tuple[str | None, Any]] = [
            ("message_start", {"type": "message_start", "message": message}),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            ("ping", {"type": "ping"}),
        ]
        for part in ANSWER_PARTS:
            delta = {"type": "text_delta", "text": part}
            events.append(
                ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
            )
        events += [
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 5},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
        return Reply(chunks=_sse(events), content_type="text/event-stream")

    return {("GET", f"/v1/models/{known}"): get_model, ("POST", "/v1/messages"): messages}


def test_anthropic_exchange_through_a_real_agent(tmp_path: Path) -> None:
    with FakeServer(_anthropic_routes("claude-test")) as server:
        settings = _settings(
            tmp_path,
            model="anthropic:claude-test",
            anthropic_api_key="sk-ant-local",
            anthropic_base_url=server.url,
            model_max_tokens=99,
        )
        agent = Agent(model=build_model(settings), system_prompt=SYSTEM, callback_handler=None)
        assert _answer(agent) == ANSWER

    (call,) = server.posts("/v1/messages")
    # Depending on the SDK version the key travels as ``x-api-key`` or as a bearer token.
    auth = (call.headers.get("x-api-key"), call.headers.get("authorization", "")[7:])
    assert "sk-ant-local" in auth
    assert call.body["model"] == "claude-test"
    assert call.body["max_tokens"] == 99
    assert call.body["stream"] is True
    assert SYSTEM in json.dumps(call.body["system"])
    assert [m["role"] for m in call.body["messages"]] == ["user"]
    assert PROMPT in json.dumps(call.body["messages"][0]["content"])


def test_anthropic_without_key_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PODIUM_ANTHROPIC_API_KEY"):
        build_model(_settings(tmp_path, model="anthropic:claude-test"))


def test_anthropic_unknown_model_names_podium_model(tmp_path: Path) -> None:
    with FakeServer(_anthropic_routes("claude-test")) as server:
        settings = _settings(
            tmp_path,
            model="anthropic:claude-nope",
            anthropic_api_key="k",
            anthropic_base_url=server.url,
        )
        with pytest.raises(ConfigurationError, match="PODIUM_MODEL"):
            build_model(settings)


def test_anthropic_rejected_key_names_the_key(tmp_path: Path) -> None:
    def denied(request: Request) -> Reply:
        return Reply(status=401, json_body={"type": "error", "error": {"type": "auth"}})

    with FakeServer({("GET", "/v1/models/claude-test"): denied}) as server:
        settings = _settings(
            tmp_path,
            model="anthropic:claude-test",
            anthropic_api_key="wrong",
            anthropic_base_url=server.url,
        )
        with pytest.raises(ConfigurationError, match="PODIUM_ANTHROPIC_API_KEY"):
            build_model(settings)
    headers = server.requests[0].headers
    assert "wrong" in (headers.get("x-api-key"), headers.get("authorization", "")[7:])


def test_anthropic_unreachable_base_url_names_it(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        model="anthropic:claude-test",
        anthropic_api_key="k",
        anthropic_base_url=f"http://127.0.0.1:{_unused_port()}",
    )
    with pytest.raises(ConfigurationError, match="PODIUM_ANTHROPIC_BASE_URL"):
        build_model(settings)


# --------------------------------------------------------------------------- bedrock


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """An environment where boto3 finds no credentials, no region and no instance metadata."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield


@pytest.mark.usefixtures("no_aws")
def test_bedrock_without_credentials_fails_at_start_up(tmp_path: Path) -> None:
    settings = _settings(tmp_path, model="bedrock:anthropic.claude-test", aws_region="us-east-1")
    with pytest.raises(ConfigurationError, match="AWS_ACCESS_KEY_ID"):
        build_model(settings)


@pytest.mark.usefixtures("no_aws")
def test_bedrock_without_region_names_podium_aws_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    with pytest.raises(ConfigurationError, match="PODIUM_AWS_REGION"):
        build_model(_settings(tmp_path, model="bedrock:anthropic.claude-test"))


@pytest.mark.usefixtures("no_aws")
def test_bedrock_unknown_profile_names_aws_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    settings = _settings(tmp_path, model="bedrock:anthropic.claude-test", aws_region="eu-west-1")
    with pytest.raises(ConfigurationError, match="AWS_PROFILE"):
        build_model(settings)


@pytest.mark.usefixtures("no_aws")
def test_bedrock_builds_with_credentials_and_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    settings = _settings(
        tmp_path, model="bedrock:anthropic.claude-test", aws_region="eu-west-1", model_max_tokens=55
    )
    model = build_model(settings)
    config = model.get_config()
    assert config["model_id"] == "anthropic.claude-test"
    assert config["max_tokens"] == 55
    client = model.client  # type: ignore[attr-defined]
    assert client.meta.region_name == "eu-west-1"
