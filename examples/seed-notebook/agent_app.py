"""The conference assistant of the seed flow: a Strands agent with a KB tool and memory hooks.

Written only against boto3, the bedrock-agentcore SDK and Strands, as it would be for AWS. It
reads its resources from the environment (``KB_ID``, ``MEMORY_ID``, ``MODEL_ID``) and runs as an
AgentCore Runtime app: ``python agent_app.py`` serves it, ``podium serve --agent agent_app.py:app
--name seed_assistant`` serves it under Podium (invocable through ``InvokeAgentRuntime``).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from bedrock_agentcore.memory import MemorySessionManager
from bedrock_agentcore.memory.constants import ConversationalMessage, MessageRole
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent, tool
from strands.hooks import AgentInitializedEvent, HookProvider, HookRegistry, MessageAddedEvent
from strands.models import BedrockModel

REGION = os.environ.get("AWS_REGION", "us-east-1")
MODEL_ID = os.environ.get("MODEL_ID", "us.anthropic.claude-sonnet-4-20250514-v1:0")
SYSTEM_PROMPT = (
    "You are a conference assistant. Recommend sessions from the catalog with the "
    "search_sessions tool, cite their codes, and take the attendee's preferences into account."
)


def preferences_namespace(actor_id: str) -> str:
    """Where the user-preference strategy stores an attendee's preferences."""
    return f"/users/{actor_id}/preferences"


class MemoryHooks(HookProvider):
    """Load the attendee's preferences when the agent starts; store every message as a turn."""

    def __init__(self, manager: MemorySessionManager, actor_id: str, session_id: str) -> None:
        self.manager = manager
        self.actor_id = actor_id
        self.session_id = session_id

    def register_hooks(self, registry: HookRegistry, **_: Any) -> None:
        """Subscribe to the agent's start and to every new message."""
        registry.add_callback(AgentInitializedEvent, self.load_preferences)
        registry.add_callback(MessageAddedEvent, self.store_message)

    def load_preferences(self, event: AgentInitializedEvent) -> None:
        """Put the attendee's long-term preferences into the system prompt."""
        records = self.manager.search_long_term_memories(
            query="which conference sessions does this attendee like",
            namespace=preferences_namespace(self.actor_id),
            top_k=5,
        )
        lines = [f"- {r['content']['text']}" for r in records]
        if lines:
            event.agent.system_prompt = (
                f"{SYSTEM_PROMPT}\n\nWhat you know about this attendee:\n" + "\n".join(lines)
            )

    def store_message(self, event: MessageAddedEvent) -> None:
        """Store the message's text as a turn in short-term memory."""
        message = event.message
        text = "".join(block["text"] for block in message["content"] if "text" in block).strip()
        if not text:
            return
        role = MessageRole.USER if message["role"] == "user" else MessageRole.ASSISTANT
        self.manager.add_turns(self.actor_id, self.session_id, [ConversationalMessage(text, role)])


def make_search_tool(kb_id: str) -> Any:
    """A Strands tool over the knowledge base (Bedrock's Retrieve)."""
    runtime = boto3.client("bedrock-agent-runtime", region_name=REGION)

    @tool
    def search_sessions(query: str, day: str = "") -> str:
        """Search the conference catalog for sessions about ``query`` (optionally on one day).

        Args:
            query: what the attendee is looking for, in plain words.
            day: Monday, Tuesday, Wednesday or Thursday to restrict the search to that day.
        """
        config: dict[str, Any] = {"vectorSearchConfiguration": {"numberOfResults": 5}}
        if day:
            config["vectorSearchConfiguration"]["filter"] = {"equals": {"key": "day", "value": day}}
        out = runtime.retrieve(
            knowledgeBaseId=kb_id,
            retrievalQuery={"text": query},
            retrievalConfiguration=config,
        )
        return "\n\n".join(r["content"]["text"] for r in out["retrievalResults"])

    return search_sessions


def create_agent(actor_id: str, session_id: str) -> Agent:
    """A Strands agent for one attendee in one session."""
    manager = MemorySessionManager(memory_id=os.environ["MEMORY_ID"], region_name=REGION)
    return Agent(
        model=BedrockModel(model_id=MODEL_ID, region_name=REGION),
        system_prompt=SYSTEM_PROMPT,
        tools=[make_search_tool(os.environ["KB_ID"])],
        hooks=[MemoryHooks(manager, actor_id, session_id)],
        callback_handler=None,
    )


app = BedrockAgentCoreApp()


@app.entrypoint
def invoke(payload: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one prompt: ``{"prompt": ..., "actor_id": ...}``; the runtime session is the session."""
    agent = create_agent(str(payload.get("actor_id", "attendee")), str(context.session_id))
    result = agent(str(payload["prompt"]))
    return {"answer": str(result)}


if __name__ == "__main__":
    app.run()
