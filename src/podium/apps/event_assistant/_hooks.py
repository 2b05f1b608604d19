"""Memory hooks: agent initialised → load the profile; message added → store the message.

Before the profile is read, the actor's open extraction jobs are run or waited for (at most
``extraction_wait_s``): a session started right after an introduction in another session then
already knows what the introduction said, instead of racing the extraction worker.

Where the loaded context goes:

- the actor's preferences and facts, and summaries of their earlier sessions, are appended to the
  **system prompt** as ``<user_profile>`` and ``<conversation_history>`` blocks (the format
  ``podium.agents.render_memory_context`` writes and the offline model reads);
- the last K turns of *this* session are restored as **messages**, so a restarted worker picks
  the conversation up where it was. Only the user's text and the assistant's final text reply
  of each turn come back: tool calls and results are not replayed, so a restored history never
  holds a ``toolUse`` without its ``toolResult`` (an interrupted turn cannot poison the next);
- a compact form of the profile goes to ``agent.state["profile"]`` for the tools' boosts.

Each new message is written to short-term memory with exactly one ``create_event`` call.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, cast

from podium.agents import render_memory_context
from podium.errors import InvalidInput

from ._profile import load_profile, with_turn

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from strands.hooks import AgentInitializedEvent, HookRegistry, MessageAddedEvent
    from strands.types.content import Messages

    from podium.memory import MemoryStrategy

    from ._services import MemoryCalls

__all__ = ["EXTRACTION_WAIT_S", "MemoryHookProvider", "message_to_payload"]

logger = logging.getLogger(__name__)

#: How long a new session waits for the actor's pending extraction before reading the profile.
EXTRACTION_WAIT_S = 5.0


def _block_text(block: dict[str, Any]) -> tuple[str, str] | None:
    """(role, text) for one content block, or None for blocks with nothing to store."""
    if "text" in block:
        return "", str(block["text"])
    if "toolUse" in block:
        use = block["toolUse"]
        return (
            "ASSISTANT",
            f"[tool call] {use.get('name')}({json.dumps(use.get('input', {}), sort_keys=True)})",
        )
    if "toolResult" in block:
        result = block["toolResult"]
        parts = []
        for item in result.get("content", []):
            if "text" in item:
                parts.append(str(item["text"]))
            elif "json" in item:
                parts.append(json.dumps(item["json"], sort_keys=True))
        return "TOOL", f"[tool result {result.get('status', 'success')}] " + "\n".join(parts)
    return None


def message_to_payload(message: dict[str, Any]) -> list[dict[str, Any]]:
    """One conversational payload item for a Strands message (role from its content)."""
    base_role = "USER" if message.get("role") == "user" else "ASSISTANT"
    role = base_role
    texts: list[str] = []
    for block in message.get("content", []):
        found = _block_text(block)
        if found is None:
            continue
        block_role, text = found
        if block_role == "TOOL":
            role = "TOOL"
        texts.append(text)
    text = "\n".join(t for t in texts if t).strip()
    if not text:
        return []
    return [{"conversational": {"role": role, "content": {"text": text[:100_000]}}}]


class MemoryHookProvider:
    """Loads the actor's memory when the agent starts and records every message it adds."""

    def __init__(
        self,
        memory: MemoryCalls,
        memory_id: str,
        *,
        base_prompt: str,
        last_k_turns: int = 5,
        strategies: Callable[[], Sequence[MemoryStrategy]] | None = None,
        extraction_wait_s: float = EXTRACTION_WAIT_S,
    ) -> None:
        self.memory = memory
        self.memory_id = memory_id
        self.base_prompt = base_prompt
        self.last_k_turns = last_k_turns
        # A cached strategy list (AssistantServices.strategies) saves a read per agent start.
        self.strategies = strategies
        self.extraction_wait_s = extraction_wait_s
        self.events_written = 0

    def register_hooks(self, registry: HookRegistry, **_: Any) -> None:
        """Subscribe to the two lifecycle events."""
        from strands.hooks import AgentInitializedEvent, MessageAddedEvent

        registry.add_callback(AgentInitializedEvent, self.on_agent_initialized)
        registry.add_callback(MessageAddedEvent, self.on_message_added)

    @staticmethod
    def _ids(agent: Any) -> tuple[str, str]:
        actor_id = agent.state.get("actor_id")
        session_id = agent.state.get("session_id")
        if not actor_id or not session_id:
            raise InvalidInput("agent.state must hold actor_id and session_id (set by the caller)")
        return str(actor_id), str(session_id)

    def on_agent_initialized(self, event: AgentInitializedEvent) -> None:
        """Load profile and recent turns into the system prompt, messages and state."""
        agent = event.agent
        actor_id, session_id = self._ids(agent)
        if self.extraction_wait_s > 0 and not self.memory.wait_for_actor_extraction(
            self.memory_id, actor_id, timeout=self.extraction_wait_s
        ):
            # Not fatal: the session starts with what is stored; the rest lands later.
            logger.warning(
                "actor_id=<%s> session_id=<%s> | extraction still running; profile may be partial",
                actor_id, session_id,
            )  # fmt: skip
        profile = load_profile(
            self.memory,
            self.memory_id,
            actor_id,
            session_id,
            strategies=self.strategies() if self.strategies else None,
        )
        agent.state.set("profile", profile.as_state())
        context = render_memory_context(profile.lines(), profile.history_lines())
        agent.system_prompt = self.base_prompt + ("\n\n" + context if context else "")
        turns = self.memory.get_last_k_turns(
            self.memory_id, actor_id, session_id, self.last_k_turns
        )
        agent.messages.extend(cast("Messages", _turns_to_messages(turns)))
        logger.debug(
            "actor_id=<%s> session_id=<%s> | loaded %d profile lines and %d turns",
            actor_id, session_id, len(profile.lines()), len(turns),
        )  # fmt: skip

    def on_message_added(self, event: MessageAddedEvent) -> None:
        """Write the new message to short-term memory: one event per message."""
        actor_id, session_id = self._ids(event.agent)
        payload = message_to_payload(dict(event.message))
        if not payload:
            return
        self.memory.create_event(self.memory_id, actor_id, session_id, payload)
        self.events_written += 1
        message = event.message
        if message.get("role") == "user":
            text = " ".join(
                str(block["text"]) for block in message.get("content", []) if "text" in block
            )
            if text.strip():
                # What this turn says applies to this turn's searches already (extraction,
                # which makes it long-term, runs after the turn).
                profile = event.agent.state.get("profile") or {}
                event.agent.state.set("profile", with_turn(profile, text))


def _without_tool_calls(text: str) -> str:
    """An assistant event's text minus its ``[tool call]`` lines (JSON inputs are one line)."""
    return "\n".join(
        line for line in text.split("\n") if not line.startswith("[tool call] ")
    ).strip()


def _turns_to_messages(turns: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Strands messages for stored turns: the user text, then the assistant's text replies."""
    messages: list[dict[str, Any]] = []
    for turn in turns:
        user = [m["content"]["text"] for m in turn if m.get("role") == "USER"]
        replies = [
            reply
            for m in turn
            if m.get("role") == "ASSISTANT" and (reply := _without_tool_calls(m["content"]["text"]))
        ]
        if user and replies:
            messages.append({"role": "user", "content": [{"text": "\n".join(user)}]})
            messages.append({"role": "assistant", "content": [{"text": replies[-1]}]})
    return messages
