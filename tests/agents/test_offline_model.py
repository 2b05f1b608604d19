"""The offline model as a product feature: real Strands agents, real @tool functions, no network.

Each test drives ``strands.Agent(model=OfflineModel(), tools=[...])`` and checks what the agent
did (which tool ran with which arguments) and what it answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from strands import Agent, tool
from strands.types.exceptions import EventLoopException

from podium.agents._offline_model import (
    HISTORY_TAG,
    PROFILE_TAG,
    OfflineModel,
    render_memory_context,
)
from podium.agents._offline_text import parse_memory_context
from podium.errors import InvalidInput, ModelError

CATALOG: list[dict[str, Any]] = [
    {
        "code": "AIM301",
        "title": "Securing generative AI applications",
        "day": "Tuesday",
        "start": "10:00",
        "room": "Hall A",
        "level": 300,
        "session_type": "workshop",
        "topic": "security",
        "abstract": "Hands-on workshop: guardrails and prompt-injection defences for generative AI.",
    },
    {
        "code": "SVS201",
        "title": "Serverless patterns in practice",
        "day": "Monday",
        "start": "14:00",
        "room": "Room 2",
        "level": 200,
        "session_type": "breakout session",
        "topic": "serverless",
        "abstract": "Event-driven serverless architectures with queues and functions.",
    },
    {
        "code": "SEC402",
        "title": "Threat modeling deep dive",
        "day": "Wednesday",
        "start": "09:00",
        "room": "Room 5",
        "level": 400,
        "session_type": "chalk talk",
        "topic": "security",
        "abstract": "Whiteboard threat modeling for cloud security teams.",
    },
]

Day = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SessionType = Literal["workshop", "breakout session", "builders session", "chalk talk", "keynote"]
Topic = Literal["generative AI", "security", "serverless", "databases"]

PROFILE = [
    "preference: interested in generative AI and security (categories: generative AI, security)",
    "preference: prefers hands-on sessions (workshops, builders' sessions, code talks)",
    "fact: name is Alice",
    "fact: works as a software engineer at TechCorp",
]
HISTORY = ["session s1 (2026-12-07): user introduced themselves as Alice; discussed: security"]


def _text_matches(session: dict[str, Any], query: str) -> bool:
    haystack = " ".join(str(v) for v in session.values()).lower()
    return any(term in haystack for term in query.lower().split())


def event_tools(calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """An event catalog: a search with filters and a by-code lookup, recording every call."""

    @tool
    def search_sessions(
        query: str,
        day: Day | None = None,
        level: Literal[100, 200, 300, 400] | None = None,
        session_type: SessionType | None = None,
        topic: Topic | None = None,
        max_results: int = 5,
    ) -> list[dict[str, Any]]:
        """Search the conference catalog for sessions matching a query and optional filters.

        Args:
            query: Free-text search query.
            day: Day of the conference.
            level: Session level (100 introductory to 400 expert).
            session_type: Format of the session.
            topic: Main topic of the session.
            max_results: Maximum number of sessions to return.
        """
        args = {"query": query, "day": day, "level": level, "session_type": session_type}
        calls.append(("search_sessions", {**args, "topic": topic, "max_results": max_results}))
        hits = [s for s in CATALOG if _text_matches(s, query)]
        hits = [s for s in hits if day in (None, s["day"]) and level in (None, s["level"])]
        return hits[:max_results]

    @tool
    def get_session(code: str) -> dict[str, Any]:
        """Get the full details of one session by its code (e.g. AIM301).

        Args:
            code: Session code such as AIM301.
        """
        calls.append(("get_session", {"code": code}))
        for session in CATALOG:
            if session["code"] == code.upper():
                return session
        raise KeyError(f"no session {code}")

    return [search_sessions, get_session]


def weather_tools(calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """A weather forecast and a unit converter."""

    @tool
    def get_forecast(city: str, day: str) -> dict[str, Any]:
        """Get the weather forecast for a city on a given day.

        Args:
            city: City name, e.g. Paris.
            day: Day of the week, or today/tomorrow.
        """
        calls.append(("get_forecast", {"city": city, "day": day}))
        return {"city": city, "day": day, "forecast": "light rain", "high_c": 14}

    @tool
    def convert_units(value: float, from_unit: str, to_unit: str) -> dict[str, Any]:
        """Convert a measurement between units (km, miles, celsius, fahrenheit, kg, lb).

        Args:
            value: The amount to convert.
            from_unit: Unit to convert from.
            to_unit: Unit to convert to.
        """
        calls.append(
            ("convert_units", {"value": value, "from_unit": from_unit, "to_unit": to_unit})
        )
        return {"value": round(value * 0.621371, 2), "unit": to_unit}

    return [get_forecast, convert_units]


def library_tools(calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """A recipe finder and a book search."""

    @tool
    def find_recipes(
        ingredients: str,
        cuisine: Literal["italian", "mexican", "indian", "japanese"] | None = None,
        max_minutes: int | None = None,
    ) -> list[dict[str, Any]]:
        """Find recipes that use the given ingredients.

        Args:
            ingredients: Ingredients or dish keywords.
            cuisine: Cuisine style.
            max_minutes: Maximum total cooking time in minutes.
        """
        calls.append(
            (
                "find_recipes",
                {"ingredients": ingredients, "cuisine": cuisine, "max_minutes": max_minutes},
            )
        )
        return [{"id": "r-17", "name": "Pasta primavera", "minutes": 25, "cuisine": "italian"}]

    @tool
    def search_books(
        title: str | None = None, author: str | None = None, genre: str | None = None
    ) -> list[dict[str, Any]]:
        """Search a library catalog of books by title, author or genre.

        Args:
            title: Words from the title.
            author: Author name.
            genre: Genre, one of: fantasy, science fiction, mystery, romance, history.
        """
        calls.append(("search_books", {"title": title, "author": author, "genre": genre}))
        return {"results": [{"isbn": "9780062225740", "title": "Guards! Guards!", "year": 1989}]}  # type: ignore[return-value]

    return [find_recipes, search_books]


def make_agent(
    tools_factory: Callable[[list[tuple[str, dict[str, Any]]]], list[Any]],
    system_prompt: str | None = None,
    **model_config: Any,
) -> tuple[Agent, list[tuple[str, dict[str, Any]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    agent = Agent(
        model=OfflineModel(**model_config),
        tools=tools_factory(calls),
        system_prompt=system_prompt,
        callback_handler=None,
    )
    return agent, calls


def memory_prompt() -> str:
    return "You are a helpful event assistant.\n" + render_memory_context(PROFILE, HISTORY)


def tool_uses(agent: Agent) -> list[dict[str, Any]]:
    return [dict(b["toolUse"]) for m in agent.messages for b in m["content"] if "toolUse" in b]


def collect(model: OfflineModel, messages: list[Any], **kwargs: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return [dict(event) async for event in model.stream(messages, **kwargs)]

    return asyncio.run(run())


# --- routing and arguments: (a) event catalog ---------------------------------------------------


def test_filters_are_extracted_from_the_question() -> None:
    agent, calls = make_agent(event_tools)
    agent("Show me the top 3 security workshops on Tuesday")
    name, args = calls[0]
    assert name == "search_sessions"
    assert args["day"] == "Tuesday"
    assert args["session_type"] == "workshop"
    assert args["topic"] == "security"
    assert args["max_results"] == 3
    assert "security" in args["query"]


def test_levels_and_plural_enum_phrases_match() -> None:
    agent, calls = make_agent(event_tools)
    agent("Any 400-level builders' sessions about serverless?")
    name, args = calls[0]
    assert name == "search_sessions"
    assert args["level"] == 400
    assert args["session_type"] == "builders session"
    assert args["topic"] == "serverless"
    assert args["max_results"] == 5  # not in the text: the tool's own default applies


def test_optional_parameters_are_never_invented() -> None:
    agent, _ = make_agent(event_tools)
    agent("find sessions about edge computing")
    (use,) = tool_uses(agent)
    assert use["name"] == "search_sessions"
    assert use["input"] == {"query": "edge computing"}


def test_a_code_routes_to_the_lookup_tool() -> None:
    agent, calls = make_agent(event_tools)
    result = agent("Tell me about AIM301")
    assert calls == [("get_session", {"code": "AIM301"})]
    text = str(result)
    assert "[AIM301] Securing generative AI applications" in text
    assert "Sources: [AIM301]" in text


def test_generic_question_uses_profile_interests_as_query() -> None:
    agent, calls = make_agent(event_tools, memory_prompt())
    agent("Which sessions should I attend?")
    name, args = calls[0]
    assert name == "search_sessions"
    assert "generative AI" in args["query"] and "security" in args["query"]


def test_memories_listed_as_plain_bullets_personalise_too() -> None:
    # An app written for AWS lists the records search_long_term_memories returned, in its own
    # words and in AgentCore's JSON form for user preferences; no Podium tags.
    record = {
        "context": "The user said so in the first session.",
        "preference": "Prefers sessions on serverless",
        "categories": ["serverless", "event-driven"],
    }
    prompt = f"You help attendees.\n\nWhat you know about this attendee:\n- {json.dumps(record)}"
    agent, calls = make_agent(event_tools, prompt)
    agent("Which sessions should I attend?")
    name, args = calls[0]
    assert name == "search_sessions"
    assert "serverless" in args["query"]


def test_answer_cites_ids_and_explains_with_profile() -> None:
    agent, _ = make_agent(event_tools, memory_prompt())
    text = str(agent("Which sessions should I attend?"))
    assert "[AIM301]" in text and "[SEC402]" in text
    assert "matches your interest in generative AI and security" in text
    assert "fits your preference for hands-on sessions" in text
    assert text.rstrip().endswith("Sources: [AIM301], [SEC402]")
    assert "day: Tuesday" in text and "room: Hall A" in text
    assert "guardrails" not in text  # long text fields are not dumped


def test_answer_lists_at_most_max_results() -> None:
    agent, _ = make_agent(event_tools, max_results_in_answer=1)
    text = str(agent("find security or serverless sessions"))
    assert "Here is the best of the 3 sessions I found" in text
    assert "search_sessions" not in text and "max_results" not in text
    assert text.count("Why:") == 1


def test_empty_results_suggest_broadening() -> None:
    agent, _ = make_agent(event_tools)
    text = str(agent("find sessions about quantum knitting"))
    assert 'I couldn\'t find any sessions for "quantum knitting"' in text
    assert "broadening" in text
    assert "Sources" not in text


# --- (b) weather and units ----------------------------------------------------------------------


def test_city_and_day_are_extracted() -> None:
    agent, calls = make_agent(weather_tools)
    text = str(agent("What's the weather in New York on Monday?"))
    assert calls == [("get_forecast", {"city": "New York", "day": "Monday"})]
    assert "light rain" in text


def test_unit_conversion_arguments() -> None:
    agent, calls = make_agent(weather_tools)
    agent("convert 10 km to miles")
    assert calls == [("convert_units", {"value": 10.0, "from_unit": "km", "to_unit": "miles"})]


def test_missing_required_argument_is_asked_for() -> None:
    agent, calls = make_agent(weather_tools)
    text = str(agent("What's the weather tomorrow?"))
    assert calls == []
    assert "get the weather forecast" in text and "city" in text
    assert "get_forecast" not in text  # no tool names in answers
    assert text.rstrip().endswith("?")


def test_cannot_help_lists_capabilities() -> None:
    agent, calls = make_agent(weather_tools)
    text = str(agent("Please book a flight to Lisbon"))
    assert calls == []
    assert text.startswith("I can't help with that offline.")
    assert "I can get the weather forecast for a city on a given day" in text
    assert ", and convert a measurement between units (km, miles" in text
    assert "get_forecast" not in text and "convert_units" not in text


def test_cannot_help_without_tools() -> None:
    agent = Agent(model=OfflineModel(), callback_handler=None)
    assert "I can't help with that offline" in str(agent("Write me a sonnet about the sea"))


# --- (c) recipes and books ----------------------------------------------------------------------


def test_recipe_arguments() -> None:
    agent, calls = make_agent(library_tools)
    text = str(agent("find me a vegetarian pasta recipe, italian, under 30 minutes"))
    name, args = calls[0]
    assert name == "find_recipes"
    assert args["cuisine"] == "italian"
    assert args["max_minutes"] == 30
    assert "pasta" in args["ingredients"] and "vegetarian" in args["ingredients"]
    assert "[r-17] Pasta primavera" in text


def test_book_search_by_author_and_genre_from_description() -> None:
    agent, calls = make_agent(library_tools)
    text = str(agent("any fantasy books by Terry Pratchett?"))
    assert calls == [
        ("search_books", {"title": None, "author": "Terry Pratchett", "genre": "fantasy"})
    ]
    assert "[9780062225740] Guards! Guards!" in text


def test_schema_pattern_identifies_the_argument() -> None:
    schema = {
        "type": "object",
        "properties": {"order_ref": {"type": "string", "pattern": "^ORD-[0-9]{6}$"}},
        "required": ["order_ref"],
    }

    @tool(inputSchema={"json": schema})
    def track_order(order_ref: str) -> dict[str, Any]:
        """Track a shipment."""
        return {"order_ref": order_ref, "status": "shipped"}

    @tool
    def list_faqs(topic: str) -> list[dict[str, Any]]:
        """List frequently asked questions on a topic.

        Args:
            topic: Topic keywords.
        """
        return []

    agent = Agent(model=OfflineModel(), tools=[list_faqs, track_order], callback_handler=None)
    text = str(agent("where is my parcel ord-004211?"))
    assert tool_uses(agent)[0]["input"] == {"order_ref": "ORD-004211"}
    assert "[ORD-004211]" in text and "status: shipped" in text


# --- greetings, introductions, memory -----------------------------------------------------------


def test_introduction_is_reflected_back() -> None:
    agent, calls = make_agent(event_tools)
    text = str(
        agent(
            "Hi, I'm Alice, a software engineer at TechCorp. I'm interested in AI and security, "
            "and I prefer hands-on sessions."
        )
    )
    assert calls == []
    assert text.startswith("Nice to meet you, Alice!")
    assert "You work as a software engineer at TechCorp" in text
    assert "you're interested in AI and security" in text
    assert "you prefer hands-on sessions" in text


def test_introduction_with_a_question_takes_the_tool_path() -> None:
    agent, calls = make_agent(event_tools)
    text = str(agent("Hello, my name is Bob. I'm into serverless. What should I attend on Monday?"))
    assert calls[0][0] == "search_sessions"
    assert calls[0][1]["day"] == "Monday"
    assert calls[0][1]["query"] == "serverless"
    assert text.startswith("Nice to meet you, Bob!")
    assert "[SVS201]" in text


def test_known_user_is_greeted_again() -> None:
    agent, _ = make_agent(event_tools, memory_prompt())
    assert str(agent("hi")).startswith("Nice to meet you again, Alice!")


def test_memory_questions_are_answered_from_context() -> None:
    agent, calls = make_agent(event_tools, memory_prompt())
    text = str(agent("What did we talk about last time?"))
    assert "(2026-12-07) user introduced themselves as Alice" in text
    assert "s1" not in text  # no raw session ids
    assert str(agent("what's my name?")).startswith("Yes — you're Alice.")
    about = str(agent("What do you know about me?"))
    assert "works as a software engineer at TechCorp" in about
    assert calls == []


def test_memory_question_without_memory_says_so() -> None:
    agent, calls = make_agent(event_tools)
    assert str(agent("Do you remember what we discussed?")).strip() == (
        "I have no record of earlier conversations with you."
    )
    assert calls == []


def test_small_talk() -> None:
    agent, calls = make_agent(event_tools)
    assert str(agent("thanks!")).startswith("You're welcome!")
    assert calls == []


def test_actions_are_not_sent_to_the_search_fallback() -> None:
    agent, calls = make_agent(event_tools)
    text = str(agent("Please book me a taxi to the venue"))
    assert calls == []
    assert text.startswith("I can't help with that offline.")
    assert "I can search the conference catalog" in text
    assert "search_sessions" not in text


def test_retrieval_style_results_are_flattened_and_honest() -> None:
    @tool
    def retrieve(query: str, number_of_results: int = 5) -> dict[str, Any]:
        """Retrieve passages from the event knowledge base.

        Args:
            query: Natural-language question.
            number_of_results: How many passages to return.
        """
        return {
            "retrievalResults": [
                {
                    "content": {"text": "Guardrails for generative AI, hands-on. " * 10},
                    "location": {"type": "CUSTOM"},
                    "metadata": {
                        "code": "AIM301",
                        "title": "Securing generative AI",
                        "day": "Tuesday",
                    },
                    "score": 0.8,
                }
            ]
        }

    agent = Agent(model=OfflineModel(), tools=[retrieve], callback_handler=None)
    text = str(agent("What are the best 2 talks about guardrails?"))
    assert 'Here is the one result I found for "guardrails":' in text
    assert "retrieve" not in text and "number_of_results" not in text
    assert "1. [AIM301] Securing generative AI (day: Tuesday)" in text
    assert 'Why: mentions "guardrails".' in text
    assert "CUSTOM" not in text and "0.8" not in text
    unrelated = str(agent("what's the wifi password?"))
    assert 'None of these mention "wifi" and "password" directly' in unrelated


# --- failures -----------------------------------------------------------------------------------


def test_failing_tool_is_reported_and_agent_stays_usable() -> None:
    attempts: list[str] = []

    @tool
    def search_flights(query: str) -> list[dict[str, Any]]:
        """Search flights.

        Args:
            query: Free-text search query.
        """
        attempts.append(query)
        if len(attempts) == 1:
            raise RuntimeError("flight database is unreachable")
        return [{"id": "LH123", "title": "Frankfurt to Lisbon", "departs": "08:10"}]

    agent = Agent(model=OfflineModel(), tools=[search_flights], callback_handler=None)
    failed = str(agent("find flights to Lisbon"))
    assert failed.startswith("Sorry, I couldn't get that done:")
    assert "search_flights" not in failed and "RuntimeError" not in failed
    assert "flight database is unreachable" in failed
    assert "try again" in failed
    retried = str(agent("find flights to Lisbon"))
    assert "[LH123] Frankfurt to Lisbon" in retried
    ids = [use["toolUseId"] for use in tool_uses(agent)]
    assert ids == ["offline-1", "offline-2"]


def test_plain_text_tool_result_is_summarised() -> None:
    @tool
    def lookup_faq(query: str) -> str:
        """Look up the FAQ.

        Args:
            query: Free-text search query.
        """
        return "Registration opens at 8am.\nBadges are at the north entrance.\n\n"

    agent = Agent(model=OfflineModel(), tools=[lookup_faq], callback_handler=None)
    text = str(agent("when does registration open?")).strip()
    # Sentences the tool wrote are said as they are, without an "I found" preamble.
    assert text == "Registration opens at 8am.\nBadges are at the north entrance."


def test_plain_text_lines_that_are_not_sentences_get_a_preamble() -> None:
    @tool
    def lookup_rooms(query: str) -> str:
        """Look up rooms.

        Args:
            query: Free-text search query.
        """
        return "Room A - 200 seats\nRoom B - 80 seats"

    agent = Agent(model=OfflineModel(), tools=[lookup_rooms], callback_handler=None)
    text = str(agent("find rooms for a workshop")).strip()
    assert text == "Here is what I found:\nRoom A - 200 seats\nRoom B - 80 seats"


# --- streaming, metadata, determinism -----------------------------------------------------------


def test_stream_async_yields_several_text_deltas() -> None:
    agent, _ = make_agent(event_tools, memory_prompt())

    async def run() -> tuple[list[str], str]:
        deltas: list[str] = []
        final = ""
        async for event in agent.stream_async("Which sessions should I attend?"):
            if "data" in event:
                deltas.append(event["data"])
            if "result" in event:
                final = str(event["result"])
        return deltas, final

    deltas, final = asyncio.run(run())
    assert len(deltas) > 5
    assert "".join(deltas).strip() == final.strip()


def test_raw_event_sequence_for_text_and_tool_calls() -> None:
    model = OfflineModel()
    spec = event_tools([])[0].tool_spec
    events = collect(
        model,
        [{"role": "user", "content": [{"text": "find sessions about edge computing"}]}],
        tool_specs=[spec],
    )
    assert [next(iter(e)) for e in events] == [
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    assert events[0]["messageStart"] == {"role": "assistant"}
    assert events[1]["contentBlockStart"]["start"]["toolUse"] == {
        "name": "search_sessions",
        "toolUseId": "offline-1",
    }
    assert json.loads(events[2]["contentBlockDelta"]["delta"]["toolUse"]["input"]) == {
        "query": "edge computing"
    }
    assert events[4]["messageStop"] == {"stopReason": "tool_use"}
    metadata = events[5]["metadata"]
    assert metadata["offline"] is True
    assert metadata["usage"]["inputTokens"] == 5
    assert metadata["usage"]["totalTokens"] == 5 + metadata["usage"]["outputTokens"]
    assert metadata["metrics"]["latencyMs"] >= 0

    text_events = collect(model, [{"role": "user", "content": [{"text": "hello"}]}])
    kinds = [next(iter(e)) for e in text_events]
    assert kinds[:2] == ["messageStart", "contentBlockStart"]
    assert kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert kinds.count("contentBlockDelta") > 1
    assert text_events[-2]["messageStop"] == {"stopReason": "end_turn"}


def test_same_input_gives_same_output() -> None:
    transcripts = []
    for _ in range(2):
        agent, calls = make_agent(event_tools, memory_prompt())
        replies = [
            str(agent(q))
            for q in ("hi", "Which sessions should I attend?", "Tell me about SEC402", "bye")
        ]
        transcripts.append((replies, calls, tool_uses(agent)))
    assert transcripts[0] == transcripts[1]


def test_config_marks_the_model_offline() -> None:
    model = OfflineModel()
    assert model.get_config() == {
        "model_id": "podium-offline",
        "max_results_in_answer": 5,
        "offline": True,
    }
    model.update_config(max_results_in_answer=2, offline=False)
    assert model.get_config()["max_results_in_answer"] == 2
    assert model.get_config()["offline"] is True
    with pytest.raises(InvalidInput):
        model.update_config(max_results_in_answer=0)


# --- structured output --------------------------------------------------------------------------


class _Defaults(BaseModel):
    note: str = "n/a"
    count: int = 0


class _Person(BaseModel):
    name: str
    age: int


def test_structured_output_from_defaults_or_a_clear_error() -> None:
    model = OfflineModel()

    async def run(output_model: type[BaseModel]) -> Any:
        events = [e async for e in model.structured_output(output_model, [])]
        return events[-1]["output"]

    assert asyncio.run(run(_Defaults)) == _Defaults()
    with pytest.raises(ModelError, match=r"needs a real LLM.*name, age"):
        asyncio.run(run(_Person))


def test_agent_structured_output_needs_a_real_llm() -> None:
    agent = Agent(model=OfflineModel(), callback_handler=None)
    assert agent("summarise", structured_output_model=_Defaults).structured_output == _Defaults()
    with pytest.raises(EventLoopException) as raised:
        agent("Alice is 30", structured_output_model=_Person)
    assert isinstance(raised.value.__cause__, ModelError)
    assert "needs a real LLM" in str(raised.value)


# --- memory context format ----------------------------------------------------------------------


def test_render_and_parse_memory_context() -> None:
    rendered = render_memory_context(
        ["preference: likes workshops", "fact: name is\nAlice </user_profile> <x>"],
        ["- session s1: talked about AI", "user: hi", "assistant: hello"],
    )
    assert rendered.startswith(f"<{PROFILE_TAG}>\n- preference: likes workshops\n")
    assert rendered.count(f"</{PROFILE_TAG}>") == 1
    assert f"<{HISTORY_TAG}>\n- session s1: talked about AI\nuser: hi\n" in rendered
    context = parse_memory_context("prefix\n" + rendered + "\nsuffix")
    assert [(i.kind, i.text) for i in context.profile] == [
        ("preference", "likes workshops"),
        ("fact", "name is Alice <x>"),
    ]
    assert [i.text for i in context.history] == ["session s1: talked about AI"]
    assert context.transcript == [("user", "hi"), ("assistant", "hello")]
    assert render_memory_context([], []) == ""


# --- property: whatever the text, the stream is well formed and arguments fit the schema -------

_VOCAB = [
    "find", "show", "sessions", "security", "workshops", "Monday", "top", "3", "400-level",
    "AIM301", "hi", "I'm", "Alice", "what", "did", "we", "talk", "about", "?", "serverless",
    "chalk", "talks", "level", "please", "book", "remember", "the", "of", "in", "Paris",
]  # fmt: skip


def _fits(arguments: dict[str, Any], schema: dict[str, Any]) -> bool:
    props, required = schema["properties"], schema.get("required", [])
    if not set(required) <= set(arguments) or not set(arguments) <= set(props):
        return False
    for key, value in arguments.items():
        prop = props[key]
        if "enum" in prop and value not in prop["enum"]:
            return False
        if prop.get("type") == "integer" and not isinstance(value, int):
            return False
        if prop.get("type") == "string" and not (isinstance(value, str) and value):
            return False
    return True


@settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(st.lists(st.sampled_from(_VOCAB), max_size=8).map(" ".join), st.text(max_size=60)))
def test_any_text_gives_a_well_formed_stream(text: str) -> None:
    specs = [t.tool_spec for t in event_tools([])]
    events = collect(
        OfflineModel(), [{"role": "user", "content": [{"text": text}]}], tool_specs=specs
    )
    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart" and kinds[-2:] == ["messageStop", "metadata"]
    start = events[1]["contentBlockStart"]["start"]
    if "toolUse" in start:
        assert events[-2]["messageStop"]["stopReason"] == "tool_use"
        spec = next(s for s in specs if s["name"] == start["toolUse"]["name"])
        arguments = json.loads(events[2]["contentBlockDelta"]["delta"]["toolUse"]["input"])
        assert _fits(arguments, spec["inputSchema"]["json"])
    else:
        assert events[-2]["messageStop"]["stopReason"] == "end_turn"
        text_out = "".join(
            e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e
        )
        assert text_out.strip()
