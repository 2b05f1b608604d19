"""bedrock-runtime Converse / ConverseStream through real boto3 clients and Strands' BedrockModel.

The model behind the gateway is the configured one: Podium's offline model (no LLM), whose
answers come from its real planning code (tool routing, memory context, tool-result answers).
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from fixtures.aws import REGION, AwsServer
from podium.agents import render_memory_context

CLAUDE = "anthropic.claude-3-5-haiku-20241022-v1:0"
WEATHER_TOOL = {
    "toolSpec": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "inputSchema": {
            "json": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name"}},
                "required": ["city"],
            }
        },
    }
}


@pytest.fixture(scope="module")
def bedrock(aws: AwsServer) -> Any:
    return aws.client("bedrock-runtime")


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"text": text}]}


def _text(response: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in response["output"]["message"]["content"])


def test_converse_answers_and_says_which_model(bedrock: Any) -> None:
    out = bedrock.converse(modelId=CLAUDE, messages=[_user("Hello there!")])
    assert out["output"]["message"]["role"] == "assistant"
    assert _text(out).startswith("Hello")
    assert out["stopReason"] == "end_turn"
    usage = out["usage"]
    assert usage["inputTokens"] > 0 and usage["outputTokens"] > 0
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert out["metrics"]["latencyMs"] >= 0
    podium = out["additionalModelResponseFields"]["podium"]
    assert podium == {
        "requestedModelId": CLAUDE,
        "model": "podium-offline",
        "alias": "anthropic.claude-*",
        "offline": True,
    }
    assert out["trace"]["promptRouter"]["invokedModelId"] == "podium-offline"


@pytest.mark.parametrize(
    ("model_id", "alias"),
    [
        ("us.amazon.nova-lite-v1:0", "amazon.nova-*"),
        ("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-8b-instruct-v1:0", "meta.llama*"),
        ("no-such-model-anywhere", "default"),
        ("podium-offline", "podium-offline"),
    ],
)
def test_model_ids_map_through_the_alias_table(bedrock: Any, model_id: str, alias: str) -> None:
    out = bedrock.converse(modelId=model_id, messages=[_user("Hi!")])
    assert out["additionalModelResponseFields"]["podium"]["alias"] == alias
    assert out["additionalModelResponseFields"]["podium"]["model"] == "podium-offline"


def test_system_prompt_reaches_the_model(bedrock: Any) -> None:
    question = [_user("What do you know about me?")]
    bare = bedrock.converse(modelId=CLAUDE, messages=question)
    assert "don't know anything about you" in _text(bare)
    system = render_memory_context(["preference: prefers vegan food"], [])
    primed = bedrock.converse(modelId=CLAUDE, messages=question, system=[{"text": system}])
    assert "prefers vegan food" in _text(primed)
    assert primed["usage"]["inputTokens"] > bare["usage"]["inputTokens"]


def test_inference_config_limits_the_output(bedrock: Any) -> None:
    messages = [_user("Hello there!")]
    full = _text(bedrock.converse(modelId=CLAUDE, messages=messages))
    assert len(full.split()) > 4
    short = bedrock.converse(
        modelId=CLAUDE, messages=messages, inferenceConfig={"maxTokens": 3, "temperature": 0.2}
    )
    assert short["stopReason"] == "max_tokens"
    assert _text(short).split() == full.split()[:3]
    assert short["usage"]["outputTokens"] == 3
    stop_word = full.split()[2]
    cut = bedrock.converse(
        modelId=CLAUDE,
        messages=messages,
        inferenceConfig={"stopSequences": [stop_word], "topP": 0.9},
    )
    assert cut["stopReason"] == "stop_sequence"
    assert _text(cut) == full[: full.index(stop_word)]


def test_tool_use_and_tool_result_round_trip(bedrock: Any) -> None:
    messages = [_user("What is the weather in Paris?")]
    tools = {"tools": [WEATHER_TOOL]}
    first = bedrock.converse(modelId=CLAUDE, messages=messages, toolConfig=tools)
    assert first["stopReason"] == "tool_use"
    (block,) = first["output"]["message"]["content"]
    use = block["toolUse"]
    assert use["name"] == "get_weather" and use["input"] == {"city": "Paris"}
    messages.append(first["output"]["message"])
    result = {"toolUseId": use["toolUseId"], "content": [{"json": {"sky": "sunny", "temp": 24}}]}
    messages.append({"role": "user", "content": [{"toolResult": result}]})
    second = bedrock.converse(modelId=CLAUDE, messages=messages, toolConfig=tools)
    assert second["stopReason"] == "end_turn"
    answer = _text(second)
    assert "sunny" in answer and "24" in answer and "Paris" in answer


def _events(bedrock: Any, **kwargs: Any) -> list[tuple[str, dict[str, Any]]]:
    out = bedrock.converse_stream(modelId=CLAUDE, **kwargs)
    return [(name, body) for event in out["stream"] for name, body in event.items()]


def test_converse_stream_framing(bedrock: Any) -> None:
    events = _events(bedrock, messages=[_user("Hello there!")])
    names = [n for n, _ in events]
    assert names[0] == "messageStart" and events[0][1] == {"role": "assistant"}
    assert names[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert set(names[1:-3]) == {"contentBlockDelta"} and len(names) > 5  # streamed in parts
    assert "contentBlockStart" not in names  # Bedrock starts text blocks with their first delta
    assert {b["contentBlockIndex"] for n, b in events if n.startswith("contentBlock")} == {0}
    stop, meta = events[-2][1], events[-1][1]
    assert stop["stopReason"] == "end_turn"
    assert stop["additionalModelResponseFields"]["podium"]["model"] == "podium-offline"
    assert meta["usage"]["totalTokens"] > 0 and meta["metrics"]["latencyMs"] >= 0
    text = "".join(b["delta"]["text"] for n, b in events if n == "contentBlockDelta")
    assert text == _text(bedrock.converse(modelId=CLAUDE, messages=[_user("Hello there!")]))


def test_converse_stream_tool_use(bedrock: Any) -> None:
    events = _events(
        bedrock,
        messages=[_user("What is the weather in Lisbon?")],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"auto": {}}},
    )
    names = [n for n, _ in events]
    assert names == [
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    ]
    start = events[1][1]["start"]["toolUse"]
    assert start["name"] == "get_weather" and start["toolUseId"]
    assert events[2][1]["delta"]["toolUse"]["input"] == '{"city": "Lisbon"}'
    assert events[4][1]["stopReason"] == "tool_use"


def test_converse_stream_stop_sequence(bedrock: Any) -> None:
    full = _text(bedrock.converse(modelId=CLAUDE, messages=[_user("Hello there!")]))
    stop_word = full.split()[4]
    events = _events(
        bedrock, messages=[_user("Hello there!")], inferenceConfig={"stopSequences": [stop_word]}
    )
    text = "".join(b["delta"]["text"] for n, b in events if n == "contentBlockDelta")
    assert text == full[: full.index(stop_word)]
    assert [n for n, _ in events][-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert events[-2][1]["stopReason"] == "stop_sequence"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"messages": []}, "must start with a user message"),
        ({"messages": [{"role": "assistant", "content": [{"text": "hi"}]}]}, "start with a user"),
        ({"messages": [_user("a"), _user("b")]}, "alternate between user and assistant"),
        ({"messages": [_user("   ")]}, "is blank"),
        (
            {
                "messages": [
                    _user("weather?"),
                    {
                        "role": "assistant",
                        "content": [
                            {"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {}}}
                        ],
                    },
                ]
            },
            "toolConfig field must be defined",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"toolResult": {"toolUseId": "x", "content": [{"text": "1"}]}}],
                    }
                ],
                "toolConfig": {"tools": [WEATHER_TOOL]},
            },
            "answers no toolUse",
        ),
        (
            {
                "messages": [_user("weather?")],
                "toolConfig": {"tools": [WEATHER_TOOL], "toolChoice": {"tool": {"name": "nope"}}},
            },
            "is no tool",
        ),
    ],
)
def test_bad_conversations_are_validation_exceptions(
    bedrock: Any, kwargs: dict[str, Any], message: str
) -> None:
    for call in (bedrock.converse, bedrock.converse_stream):
        with pytest.raises(bedrock.exceptions.ValidationException) as info:
            call(modelId=CLAUDE, **kwargs)
        assert message in info.value.response["Error"]["Message"]


def test_a_forced_tool_the_model_cannot_fill_is_a_model_error(bedrock: Any) -> None:
    forced = {
        "modelId": CLAUDE,
        "messages": [_user("Hello")],
        "toolConfig": {"tools": [WEATHER_TOOL], "toolChoice": {"any": {}}},
    }
    with pytest.raises(bedrock.exceptions.ModelErrorException):
        bedrock.converse(**forced)
    stream = bedrock.converse_stream(**forced)["stream"]
    with pytest.raises(botocore.exceptions.EventStreamError) as info:
        list(stream)
    # Event-stream errors carry the member name, as Bedrock sends them.
    assert info.value.response["Error"]["Code"] == "modelStreamErrorException"


def _bedrock_model(aws: AwsServer, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Any:
    from strands.models import BedrockModel

    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", aws.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", aws.key.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", aws.key.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return BedrockModel(
        model_id=CLAUDE,
        boto_client_config=Config(retries={"max_attempts": 1}, read_timeout=60),
        region_name=REGION,
        **kwargs,
    )


@pytest.mark.parametrize("streaming", [True, False])
def test_a_strands_agent_turn_with_a_tool(
    aws: AwsServer, monkeypatch: pytest.MonkeyPatch, streaming: bool
) -> None:
    from strands import Agent, tool

    calls: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city.

        Args:
            city: City name
        """
        calls.append(city)
        return f"Drizzle and 14 degrees in {city}"

    model = _bedrock_model(aws, monkeypatch, streaming=streaming)
    agent = Agent(
        model=model,
        tools=[get_weather],
        system_prompt="You answer weather questions.",
        callback_handler=None,
    )
    result = agent("What is the weather in Oslo?")
    assert calls == ["Oslo"]
    answer = str(result)
    assert "Drizzle and 14 degrees in Oslo" in answer
    assert result.stop_reason == "end_turn"
    roles = [m["role"] for m in agent.messages]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert "toolUse" in agent.messages[1]["content"][0]
    assert "toolResult" in agent.messages[2]["content"][0]


def test_inference_config_reaches_a_hosted_model_on_a_copy() -> None:
    from strands.models import BedrockModel
    from strands.models.openai import OpenAIModel

    from podium.aws._models_alias import with_inference

    inference = {"maxTokens": 50, "temperature": 0.1, "topP": 0.5, "stopSequences": ["END"]}
    shared = BedrockModel(model_id=CLAUDE, region_name=REGION)
    tuned = with_inference(shared, inference)
    assert tuned.get_config()["max_tokens"] == 50
    assert tuned.get_config()["stop_sequences"] == ["END"]
    assert "max_tokens" not in shared.get_config()  # the shared model is untouched
    openai = OpenAIModel(client_args={"api_key": "k"}, model_id="m", params={"max_tokens": 9})
    assert with_inference(openai, inference).get_config()["params"] == {
        "max_tokens": 50,
        "temperature": 0.1,
        "top_p": 0.5,
        "stop": ["END"],
    }
    assert openai.get_config()["params"] == {"max_tokens": 9}


def test_embedding_model_ids_map_to_the_configured_embedder(aws: AwsServer) -> None:
    from podium.aws._models_alias import resolve_embedding_model

    settings = aws.backend.settings
    titan = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    assert resolve_embedding_model(titan, settings) == settings.embedding_model
    assert resolve_embedding_model("podium/test-hash-64", settings) == "podium/test-hash-64"
