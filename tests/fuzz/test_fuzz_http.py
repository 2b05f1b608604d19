"""Property-based fuzzing of every HTTP operation of a live ``podium up`` (issue 11).

Schemathesis reads the server's own ``/openapi.json`` and, for every operation, sends requests
generated from it: valid ones (``positive``) and ones that break the document on purpose
(``negative``: wrong types, missing required fields, out-of-range values, bad patterns).
Operations that need a bearer token run twice: with a valid token of a dev user, and with
generated credentials or none. Every response must be:

* below 500 (``not_a_server_error``),
* a documented status with the documented content type, headers and body schema (so every
  error is the documented JSON ``{"error", "message"}``, or OAuth's shape at ``/idp/token``),
* and, for a negative case, a 4xx (``negative_data_rejection``).

Random strings rarely name a real client, user, record or session, so generated cases are
mixed with known-good values (:class:`Known`: the dev clients and users, the fuzz user's real
records and session) to reach past the first check. Afterwards the server must still answer
``/ping``, serve a normal invocation and have logged no traceback.

Bounds: a fixed ``max_examples`` per operation and mode (smaller for the costly ones), a fixed
seed (``derandomize``), and a wall-clock budget: once it is spent, the remaining runs drop to
:data:`FLOOR_EXAMPLES` each (never to zero, so no operation goes unfuzzed). The server is a
throwaway child process with a small catalog, so the destructive operations (forget-me, record
deletion, session stop) are fuzzed too; forget-me runs last so that it does not empty the
fuzz user's data under the others.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fixtures.web import UpProcess, start_up, write_small_catalog
from podium.agents._request import SESSION_HEADER
from podium.identity import issue_token, load_dev_directory
from podium.runtime._openapi import openapi_document
from podium.web._openapi import web_openapi

pytestmark = pytest.mark.slow

#: The operations ``podium up`` serves, from the same functions that build its document.
DOCUMENT = openapi_document(dev_idp=True, extra=[web_openapi()])
_LAST = "POST /api/memory/forget"
OPERATIONS = sorted(
    (
        (f"{method.upper()} {path}", "security" in op)
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
    ),
    key=lambda entry: entry[0] == _LAST,
)
DEFAULT_EXAMPLES = 150
#: Fewer examples where one costs much more than a plain request.
MAX_EXAMPLES = {
    # A full agent turn, and a new session worker for each new session id.
    "POST /invocations": 25,
    # Each password check is a deliberate scrypt (tens of ms of CPU).
    "POST /idp/token": 60,
    "POST /idp/authorize": 60,
}
#: Without a token every secured operation stops at the authorizer: fewer examples suffice.
NO_TOKEN_EXAMPLES = 40
FLOOR_EXAMPLES = 3
BUDGET_S = 150.0
REQUEST_TIMEOUT_S = 60.0
FUZZ_USER = "alice"
FUZZ_SESSION = "fuzz-session-" + "0" * 32
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Browser endpoints answer HTML pages (and redirects) by design; everything else answers JSON.
_HTML_ERRORS = {"GET /idp/authorize", "POST /idp/authorize"}
# Not held to negative_data_rejection: once the client and redirect URI are known good, an
# authorization endpoint reports a bad request by redirecting to the client with error=...
# (a 303, RFC 6749 4.1.2.1), not with a 4xx. Every other check still applies to them.
_REDIRECTS_ERRORS = _HTML_ERRORS


@dataclass
class Tally:
    """What the fuzz run did, printed at the end."""

    started: float = field(default_factory=time.monotonic)
    examples: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    reduced: int = 0
    not_negatable: set[str] = field(default_factory=set)

    def remaining_s(self) -> float:
        return BUDGET_S - (time.monotonic() - self.started)


@dataclass
class Known:
    """Known-good values per operation: ``label -> location -> field -> values``."""

    values: dict[str, dict[str, dict[str, list[Any]]]]

    def mix(self, label: str, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """``strategy`` with each known field independently kept as generated or replaced."""
        fields = [
            (location, name, values)
            for location, named in self.values.get(label, {}).items()
            for name, values in named.items()
        ]
        if not fields:
            return strategy
        picks = st.tuples(*(st.sampled_from([None, *values]) for _, _, values in fields))

        def apply(drawn: tuple[Any, tuple[Any, ...]]) -> Any:
            case, chosen = drawn
            for (location, name, _), value in zip(fields, chosen, strict=True):
                current = getattr(case, location)
                if value is None or not (current is None or isinstance(current, dict)):
                    continue
                setattr(case, location, {**(current or {}), name: value})
            return case

        return st.tuples(strategy, picks).map(apply)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpProcess]:
    """A throwaway ``podium up``: forget-me and deletions are fuzzed against it."""
    root = tmp_path_factory.mktemp("fuzz")
    catalog = write_small_catalog(root / "catalog" / "sessions.jsonl")
    up = start_up(root / "home", catalog)
    yield up
    up.stop()


@pytest.fixture(scope="module")
def token(server: UpProcess) -> str:
    return issue_token(server.home, f"{server.url}/idp", user=FUZZ_USER)


@pytest.fixture(scope="module")
def known(server: UpProcess, token: str) -> Known:
    """One real conversation of the fuzz user (so it has a session and records), and the
    dev issuer's clients and users."""
    headers = {"Authorization": f"Bearer {token}", SESSION_HEADER: FUZZ_SESSION}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S, headers=headers) as client:
        said = "I work at Initech as a data engineer and I prefer serverless workshops."
        reply = client.post("/invocations", json={"prompt": said, "stream": False})
        assert reply.status_code == 200, reply.text
        deadline = time.monotonic() + 60
        while not (records := client.get("/api/memory/records").json()["records"]):
            assert time.monotonic() < deadline, "extraction made no record in 60 s"
            time.sleep(0.3)
    directory = load_dev_directory(server.home)
    secret = directory.clients["podium-service"].secret
    redirect = f"{server.url}/"
    authorize = {
        "client_id": ["podium-web"],
        "redirect_uri": [redirect],
        "response_type": ["code"],
        "code_challenge_method": ["S256"],
        "code_challenge": ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],
        "scope": ["openid podium/invoke"],
    }
    login = {**authorize, "username": [FUZZ_USER], "password": [f"{FUZZ_USER}-password"]}
    return Known(
        {
            "GET /idp/authorize": {"query": authorize},
            "POST /idp/authorize": {"body": login},
            "POST /idp/token": {
                "body": {
                    "client_id": ["podium-cli", "podium-service", "podium-web"],
                    "client_secret": [secret],
                    "username": [FUZZ_USER],
                    "password": [f"{FUZZ_USER}-password"],
                    "redirect_uri": [redirect],
                }
            },
            "POST /invocations": {"headers": {SESSION_HEADER: [FUZZ_SESSION]}},
            "POST /sessions/{session_id}/stop": {"path_parameters": {"session_id": [FUZZ_SESSION]}},
            "GET /api/sessions/{session_id}/messages": {
                "path_parameters": {"session_id": [FUZZ_SESSION]}
            },
            "DELETE /api/memory/records/{record_id}": {
                "path_parameters": {"record_id": [r["id"] for r in records]}
            },
            "GET /static/{path}": {"path_parameters": {"path": ["app.js", "app.css"]}},
        }
    )


def _load(server: UpProcess, *, credentials: bool) -> Any:
    loaded = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=10)
    loaded.config.update(base_url=server.url)
    loaded.config.generation.update(with_security_parameters=credentials)
    return loaded


@pytest.fixture(scope="module")
def schemas(server: UpProcess) -> dict[bool, Any]:
    """The live document, loaded twice: with generated credentials and without any.

    Runs with the fuzz user's token send no generated credentials (they would make a
    "negative" case of every request and mask what the other inputs did); the other runs fuzz
    the Authorization header too (junk bearer tokens, HTTP Basic for ``/idp/token``).
    """
    return {flag: _load(server, credentials=flag) for flag in (True, False)}


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    found = Tally()
    yield found
    wall = time.monotonic() - found.started
    print(
        f"\nfuzz: {len(found.examples)} operations, {found.runs} runs, "
        f"{sum(found.examples.values())} requests in {wall:.1f} s "
        f"({found.reduced} runs reduced to {FLOOR_EXAMPLES} examples by the budget); "
        f"statuses {dict(sorted(found.statuses.items()))}; "
        f"nothing to negate in {sorted(found.not_negatable)}"
    )
    for key, count in sorted(found.by_operation.items()):
        print(f"  {key}: {count}")


def test_the_live_document_is_the_one_fuzzed(server: UpProcess) -> None:
    """``podium up`` serves the document built here, so the parametrization covers it all."""
    live = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    assert live == json.loads(json.dumps(DOCUMENT))


def _assert_error_shape(label: str, response: Any) -> None:
    """Every error is JSON of the documented shape (checked here too, not only via the doc)."""
    if response.status_code < 400 or label in _HTML_ERRORS:
        return
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), label
    body = json.loads(response.content)
    detail = "error_description" if label == "POST /idp/token" else "message"
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and isinstance(body.get(detail), str), body


def _cases(operation: Any, mode: GenerationMode) -> st.SearchStrategy[Any] | None:
    """The operation's cases in ``mode``; None when it has nothing to negate (no inputs)."""
    definition = operation.definition.raw
    if mode is GenerationMode.NEGATIVE and not (
        definition.get("parameters") or definition.get("requestBody")
    ):
        return None
    return operation.as_strategy(generation_mode=mode)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    *,
    label: str,
    headers: dict[str, str],
    examples: int,
    known: Known,
    tally: Tally,
) -> None:
    strategy = _cases(operation, mode)
    if strategy is None:
        return
    if tally.remaining_s() <= 0:
        examples = FLOOR_EXAMPLES
        tally.reduced += 1
    checks = list(CHECKS)
    if mode is GenerationMode.NEGATIVE and label not in _REDIRECTS_ERRORS:
        checks.append(negative_data_rejection)
    tally.runs += 1

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=known.mix(label, strategy))
    def run(case: Any) -> None:
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT_S)
        tally.examples[label] += 1
        tally.statuses[response.status_code] += 1
        tally.by_operation[f"{label} {mode.value} {response.status_code}"] += 1
        case.validate_response(response, checks=checks)
        _assert_error_shape(label, response)

    try:
        run()
    except Unsatisfiable:
        # Only the negative mode filters: an operation whose inputs are all free-form strings
        # (a path id) has no schema-violating request to send. Recorded, and printed.
        if mode is not GenerationMode.NEGATIVE:
            raise
        tally.not_negatable.add(label)


@pytest.mark.parametrize(
    ("label", "auth"),
    [
        pytest.param(label, auth, id=f"{label}-{auth}")
        for label, secured in OPERATIONS
        for auth in (("token", "no-token") if secured else ("public",))
    ],
)
def test_fuzz_operation(
    label: str, auth: str, schemas: dict[bool, Any], token: str, known: Known, tally: Tally
) -> None:
    method, path = label.split(" ", 1)
    operation = schemas[auth != "token"][path][method]
    headers = {"Authorization": f"Bearer {token}"} if auth == "token" else {}
    examples = MAX_EXAMPLES.get(label, DEFAULT_EXAMPLES)
    if auth == "no-token":
        examples = min(examples, NO_TOKEN_EXAMPLES)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        _fuzz(
            operation,
            mode,
            label=label,
            headers=headers,
            examples=examples,
            known=known,
            tally=tally,
        )


def test_the_server_is_healthy_afterwards(server: UpProcess, token: str) -> None:
    """Still up, still answering a normal turn, and no traceback in its log."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        ping = client.get("/ping")
        assert ping.status_code == 200 and ping.json()["status"] in ("Healthy", "HealthyBusy")
        answer = client.post(
            "/invocations",
            json={"prompt": "security workshops on Monday", "stream": False},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["text"]
    assert server.proc.poll() is None
    assert "Traceback" not in server.output(), server.output()[-4000:]
