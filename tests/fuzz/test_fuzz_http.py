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

Random strings rarely name a real client, user, record or session, so a generated case may be
overlaid with a known-good request (:class:`Known`: the dev clients and users, the fuzz user's
real records and session) to get past the first check, and then has up to two inputs mutated
to classic troublemakers (:data:`NASTY`). Afterwards the server must still answer
``/ping``, serve a normal invocation and have logged no traceback.

Bounds: a fixed ``max_examples`` per operation and mode (smaller for the costly ones), a fixed
seed (``derandomize``), and a wall-clock budget: once it is spent, the remaining runs drop to
:data:`FLOOR_EXAMPLES` each (never to zero, so no operation goes unfuzzed). The server is a
throwaway child process with a small catalog, so the destructive operations (forget-me, record
deletion, session stop) are fuzzed too; forget-me runs last so that it does not empty the
fuzz user's data under the others.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from collections import Counter
from collections.abc import Iterator, MutableMapping
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

pytestmark = [
    pytest.mark.slow,
    # The nasty values make long case reprs; Hypothesis only warns that they are long.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

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
DEFAULT_EXAMPLES = 300
#: Fewer examples where one costs much more than a plain request.
MAX_EXAMPLES = {
    # A full agent turn, and a new session worker for each new session id.
    "POST /invocations": 40,
    # Each password check is a deliberate scrypt (tens of ms of CPU).
    "POST /idp/token": 100,
    "POST /idp/authorize": 100,
}
#: Without a token every secured operation stops at the authorizer: fewer examples suffice.
NO_TOKEN_EXAMPLES = 60
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
# Nor the catalog search and recall: they strip their values of surrounding blanks (Python's
# idea of blanks) and ignore empty ones, which JSON Schema cannot state exactly. Their other
# checks apply.
_LENIENT = {"GET /api/catalog/search", "GET /api/memory/recall"}


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


# Classic troublemakers, offered for every free-form input next to what the schema generates:
# Unicode digits int() refuses, numbers past int()'s 4300-digit limit, NUL, stray percent
# signs, path traversal, separators, bidi and BOM characters, deep nesting. (Lone surrogates
# cannot be sent through schemathesis' serializers; tests/runtime covers them.)
NASTY = ["", " ", "\u00b2", "\u0661\u0660", "9" * 5000, "-1", "\x00", "%", "%ZZ", "a/b"]
NASTY += ["../../../etc/passwd", "\u00e9", "\n", "null", "[" * 200, "\u202e", "\ufeff"]
NASTY_JSON = [*NASTY, {"$": ["x"] * 3}, [[[[[]]]]], 10**30, -1.5, True]
# Header values must be Latin-1 without control characters or leading blanks to be sent at all.
NASTY_HEADERS = ["", "\u00e9", "\xff", "x" * 300, "a:b", "a b"]
NASTY_AUTHORIZATION = [
    "Basic \u00e9",
    "Basic Og==",
    "Basic " + "A" * 4000,
    "Basic not base64!",
    "Bearer \u00e9",
    "Bearer a.b.c",
    "Bearer " + "a" * 20_000,
    "Bearer",
    "Digest x",
]
_LOCATIONS = {"query": "query", "path": "path_parameters", "header": "headers"}
#: ``location -> field -> value``: the inputs of one request, as a case holds them.
Inputs = dict[str, dict[str, Any]]


def _nasty_inputs(label: str, *, credentials: bool) -> list[tuple[str, str, list[Any]]]:
    """``(location, field, nasty values)`` for every input of the operation in the document."""
    method, path = label.split(" ", 1)
    operation = DOCUMENT["paths"][path][method.lower()]
    found: list[tuple[str, str, list[Any]]] = [
        (_LOCATIONS[p["in"]], p["name"], NASTY_HEADERS if p["in"] == "header" else NASTY)
        for p in operation.get("parameters", [])
    ]
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        nasty: list[Any] = NASTY_JSON if media == "application/json" else NASTY
        found += [("body", name, nasty) for name in content["schema"].get("properties", {})]
    if credentials:
        found.append(("headers", "Authorization", NASTY_AUTHORIZATION))
    return found


def _set(case: Any, location: str, name: str, value: Any) -> None:
    current = getattr(case, location)
    if not (current is None or isinstance(current, MutableMapping)):
        return  # a body that is not an object has no fields to set
    updated = copy.copy(current) if current is not None else {}
    updated[name] = value  # headers are a case-insensitive mapping: keep its type
    setattr(case, location, updated)


@dataclass
class Known:
    """Coherent known-good requests per operation (real clients, users, records, sessions).

    Random strings rarely name any of them, so without these most cases stop at the first
    check. :meth:`mix` lays one over a generated case (or not), then mutates up to two inputs
    with :data:`NASTY` values: the deep paths get probed one perturbation at a time.
    """

    scenarios: dict[str, list[Inputs]]

    def mix(
        self, label: str, strategy: st.SearchStrategy[Any], *, credentials: bool
    ) -> st.SearchStrategy[Any]:
        """Generated cases, overlaid with a known-good scenario and mutated."""
        nasty = _nasty_inputs(label, credentials=credentials)
        scenarios = self.scenarios.get(label, [])
        if not (nasty or scenarios):
            return strategy
        mutation = st.sampled_from(nasty).flatmap(
            lambda f: st.tuples(st.just(f[0]), st.just(f[1]), st.sampled_from(f[2]))
        )
        mutations = st.lists(mutation, max_size=2) if nasty else st.just([])

        def apply(drawn: tuple[Any, Inputs | None, list[tuple[str, str, Any]]]) -> Any:
            case, scenario, mutated = drawn
            for location, named in (scenario or {}).items():
                for name, value in named.items():
                    _set(case, location, name, value)
            for location, name, value in mutated:
                _set(case, location, name, value)
            return case

        return st.tuples(strategy, st.sampled_from([None, *scenarios]), mutations).map(apply)


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


def _records_of_a_conversation(server: UpProcess, token: str) -> list[dict[str, Any]]:
    """One real turn of the fuzz user in :data:`FUZZ_SESSION`, and the records it made."""
    headers = {"Authorization": f"Bearer {token}", SESSION_HEADER: FUZZ_SESSION}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S, headers=headers) as client:
        said = "I work at Initech as a data engineer and I prefer serverless workshops."
        reply = client.post("/invocations", json={"prompt": said, "stream": False})
        assert reply.status_code == 200, reply.text
        deadline = time.monotonic() + 60
        while not (records := client.get("/api/memory/records").json()["records"]):
            assert time.monotonic() < deadline, "extraction made no record in 60 s"
            time.sleep(0.3)
    return list(records)


def _issuer_scenarios(server: UpProcess) -> dict[str, list[Inputs]]:
    secret = load_dev_directory(server.home).clients["podium-service"].secret
    assert secret
    basic = base64.b64encode(f"podium-service:{secret}".encode()).decode()
    redirect = f"{server.url}/"
    authorize = {
        "client_id": "podium-web",
        "redirect_uri": redirect,
        "response_type": "code",
        "code_challenge_method": "S256",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "scope": "openid podium/invoke",
        "state": "fuzz",
    }
    user = {"username": FUZZ_USER, "password": f"{FUZZ_USER}-password"}
    return {
        "GET /idp/authorize": [{"query": authorize}],
        "POST /idp/authorize": [{"body": {**authorize, **user}}],
        "POST /idp/token": [
            {"body": {"grant_type": "password", "client_id": "podium-cli", **user}},
            {
                "body": {
                    "grant_type": "client_credentials",
                    "client_id": "podium-service",
                    "client_secret": secret,
                }
            },
            {
                "body": {"grant_type": "client_credentials"},
                "headers": {"Authorization": f"Basic {basic}"},
            },
            {
                "body": {
                    "grant_type": "authorization_code",
                    "client_id": "podium-web",
                    "code": "not-a-code",
                    "redirect_uri": redirect,
                    "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                }
            },
        ],
    }


@pytest.fixture(scope="module")
def known(server: UpProcess, token: str) -> Known:
    """The fuzz user's real session and records, the dev issuer's clients and users."""
    records = _records_of_a_conversation(server, token)
    session = {"path_parameters": {"session_id": FUZZ_SESSION}}
    return Known(
        {
            **_issuer_scenarios(server),
            "POST /invocations": [
                {"headers": {SESSION_HEADER: FUZZ_SESSION}},
                {"headers": {SESSION_HEADER: FUZZ_SESSION}, "body": {"prompt": "hi"}},
            ],
            "POST /sessions/{session_id}/stop": [session],
            "GET /api/sessions/{session_id}/messages": [session],
            "DELETE /api/memory/records/{record_id}": [
                {"path_parameters": {"record_id": r["id"]}} for r in records
            ],
            "GET /api/memory/recall": [{"query": {"q": "what did I say", "limit": 3}}],
            "GET /api/catalog/search": [
                {"query": {"q": "security"}},
                {"query": {"day": "Monday", "level": 200, "limit": 5}},
            ],
            "GET /static/{path}": [
                {"path_parameters": {"path": name}} for name in ("app.js", "app.css")
            ],
        }
    )


def _load(server: UpProcess, *, credentials: bool) -> Any:
    loaded = schemathesis.openapi.from_url(f"{server.url}/openapi.json", timeout=10)
    loaded.config.update(base_url=server.url)
    # Unknown query parameters and form fields are ignored (the document says so), so a request
    # that adds some is not a schema-violating one.
    loaded.config.generation.update(
        with_security_parameters=credentials, allow_extra_parameters=False
    )
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


def _free_form(operation: Any) -> bool:
    """No body, and only unconstrained string parameters: nothing a request could violate."""
    definition = operation.definition.raw
    parameters = definition.get("parameters", [])
    return "requestBody" not in definition and all(
        p["schema"] == {"type": "string"} for p in parameters
    )


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
    if mode is GenerationMode.NEGATIVE and label not in _REDIRECTS_ERRORS | _LENIENT:
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
    @given(case=known.mix(label, strategy, credentials=not headers))
    def run(case: Any) -> None:
        # Redirects are answers to check, not to follow.
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT_S, allow_redirects=False)
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
        if mode is not GenerationMode.NEGATIVE or not _free_form(operation):
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
