"""Recall: turns dated and attributed, neighbours as context, records fused, feedback widening.

The conversations are written here (no benchmark text).
"""

from __future__ import annotations

import numpy as np
import pytest

from podium.errors import InvalidInput
from podium.memory import Memory, MemoryService
from podium.memory.events._context import Turn, TurnIndex, date_label, terms
from podium.memory.records import NewRecord

# 2024-03-04 and 2024-07-15, noon UTC.
MARCH = 1709553600.0
JULY = 1721044800.0


def _say(
    service: MemoryService,
    memory_id: str,
    session: str,
    when: float,
    lines: list[tuple[str, str]],
    actor: str = "pair",
) -> list[str]:
    ids = []
    for i, (speaker, text) in enumerate(lines):
        event = service.create_event(
            memory_id,
            actor,
            session,
            [{"conversational": {"role": "USER", "content": {"text": text}}}],
            event_timestamp=when + i,
            metadata={"speaker": speaker},
        )
        ids.append(event.event_id)
    return ids


@pytest.fixture
def mem(service: MemoryService) -> Memory:
    return service.create_memory("recall_test")


def test_date_label_names_day_month_year_and_weekday() -> None:
    assert date_label(MARCH) == "4 March 2024 (Monday)"
    assert "march" in terms(date_label(MARCH))


def test_terms_meet_across_word_forms() -> None:
    # A question's word and a turn's word of the same stem match ("activities"/"activity").
    assert terms("activities painted studies") == terms("activity painting study")
    assert terms("the and of") == []


def test_a_temporal_question_matches_the_turn_whose_session_date_fits(
    service: MemoryService, mem: Memory
) -> None:
    march = _say(service, mem.memory_id, "s1", MARCH, [("Iris", "We repainted the kitchen.")])
    july = _say(service, mem.memory_id, "s2", JULY, [("Iris", "We repainted the garage.")])
    hits = service.recall(mem.memory_id, "pair", "what did Iris repaint in July 2024?", top_k=2)
    assert hits[0].event_id == july[0]
    hits = service.recall(mem.memory_id, "pair", "what did Iris repaint in March?", top_k=2)
    assert hits[0].event_id == march[0]


def test_the_named_speaker_is_found_in_the_query() -> None:
    turns = [
        Turn(pk=1, event_id="e1", session_id="s", event_timestamp=MARCH, text="hi", speaker=name)
        for name in ("Tomas Berg", "Wren")
    ]
    index = TurnIndex(turns, np.zeros((2, 4), dtype=np.float32))
    assert index.speaker_named_in("What did wren's sister say?") == "Wren"
    assert index.speaker_named_in("Where does Tomas live?") == "Tomas Berg"
    assert index.speaker_named_in("Did Tomas meet Wren?") is None  # both: no preference
    assert index.speaker_named_in("Who came?") is None


def test_the_named_speaker_is_left_out_of_what_is_ranked() -> None:
    # The speaker rule says whose turns; the name would otherwise match all of them. What is
    # ranked is folded (lower case, no accents), as the index is.
    assert (
        TurnIndex.without_speaker("What sports has Kofi done?", "Kofi") == "what sports has done?"
    )
    assert (
        TurnIndex.without_speaker("Is TOMAS BERG\u2019s van blue?", "Tomas Berg") == "is van blue?"
    )
    assert TurnIndex.without_speaker("Where did Jose go?", "José") == "where did go?"
    # The name as a phrase only: a surname that is also a word stays where it stands alone.
    park = TurnIndex.without_speaker(
        "Did Grace go to the park with Grace Park's dog?", "Grace Park"
    )
    assert park == "did go to the park with dog?"
    # Nothing left to search for: the query stays whole.
    assert TurnIndex.without_speaker("And Kofi?", "Kofi") == "And Kofi?"


def test_names_and_words_in_any_script_are_matched() -> None:
    turns = [
        Turn(pk=i, event_id=f"e{i}", session_id=f"s{i}", event_timestamp=MARCH, text=t, speaker=n)
        for i, (n, t) in enumerate(
            [("José", "Fui a Málaga en tren."), ("Zoë", "Ik ben naar Zürich")]
        )
    ]
    index = TurnIndex(turns, np.zeros((2, 4), dtype=np.float32))
    assert index.speaker_named_in("Where did Jose travel?") == "José"
    assert index.speaker_named_in("what did zoë say") == "Zoë"
    assert index.rankings("malaga", None, 5)[0] == [0]
    assert index.rankings("Zürich", None, 5)[0] == [1]


def test_a_who_question_matches_the_speakers_turns(service: MemoryService, mem: Memory) -> None:
    ids = _say(
        service,
        mem.memory_id,
        "s1",
        MARCH,
        [
            ("Tomas", "I bought a new bicycle last week."),
            ("Wren", "I bought a new bicycle too, a red one."),
        ],
    )
    # The speaker is in metadata only: the index attributes the turn to them.
    hits = service.recall(mem.memory_id, "pair", "what did Wren buy?", top_k=2)
    assert hits[0].event_id == ids[1]
    assert hits[0].speaker == "Wren"


def test_a_neighbour_turn_is_returned_as_context(service: MemoryService, mem: Memory) -> None:
    ids = _say(
        service,
        mem.memory_id,
        "s1",
        MARCH,
        [
            ("Odile", "Good morning!"),
            ("Odile", "Guess what I found at the flea market?"),
            ("Piet", "A brass telescope, I bet!"),
            ("Odile", "Exactly, and it still works."),
            ("Piet", "Bye for now."),
        ],
    )
    _say(service, mem.memory_id, "s2", JULY, [("Odile", "The weather is mild today.")])
    hits = service.recall(mem.memory_id, "pair", "flea market telescope still works", top_k=5)
    (hit,) = [h for h in hits if h.event_id == ids[2]]
    # The context is the turn before and the turn after, whatever the keyword window spans.
    assert [c.event_id for c in hit.context] == [ids[1], ids[3]]
    assert hit.context[0].text.endswith("Guess what I found at the flea market?")
    # Neighbours stop at the session boundary.
    (last,) = service.recall(mem.memory_id, "pair", "mild weather", top_k=1)
    assert last.context == []


def test_a_window_finds_an_answer_that_spans_question_and_reply(
    service: MemoryService, mem: Memory
) -> None:
    ids = _say(
        service,
        mem.memory_id,
        "s1",
        MARCH,
        [
            ("Lena", "Which instrument did you take up in the winter?"),
            ("Marek", "The oboe."),
            ("Lena", "Nice. My cat knocked over a vase."),
            ("Marek", "Oh no."),
        ],
    )
    found = [h.event_id for h in service.recall(mem.memory_id, "pair", "instrument Marek took up")]
    assert ids[1] in found[:3]


def test_a_reply_is_found_through_the_exchange_that_led_to_it(
    service: MemoryService, mem: Memory
) -> None:
    ids = _say(
        service,
        mem.memory_id,
        "s1",
        MARCH,
        [
            ("Odile", "The theater let me go on Friday."),
            ("Piet", "Oh no. How long had you been there?"),
            ("Odile", "Nine and a half years. Sad, a little relieved."),
            ("Piet", "Let's get a coffee soon."),
            ("Odile", "Yes please, any day but Monday."),
        ],
    )
    # The answer names neither the theater nor the job: the turn two back does, so the
    # answer's keyword window holds both words asked.
    index = service.turn_index(mem.memory_id, "pair")
    asked = index.without_speaker("How many years was Odile at the theater?", "Odile")
    keyword = index.rankings(asked, None, 10)[0]
    odile = [index.turns[i].event_id for i in keyword if index.turns[i].speaker == "Odile"]
    assert odile[0] == ids[2]
    assert index.window(2) == (1, 2, 3)  # what a hit shows as its context


def test_records_vote_for_their_source_turns(service: MemoryService, mem: Memory) -> None:
    ids = _say(
        service,
        mem.memory_id,
        "s1",
        MARCH,
        [("Nia", "It's the usual thing on Fridays."), ("Nia", "Anyway, lovely weather.")],
    )
    # Only the record says what the turn meant; its source turn is recalled through it.
    with service.db.begin() as conn:
        service.records.add_record(
            conn,
            NewRecord(
                memory_id=mem.memory_id,
                namespace="/facts/pair",
                content={"text": "Nia swims at the municipal pool."},
                actor_id="pair",
                source_event_ids=[ids[0]],
            ),
        )
    (hit,) = service.recall(mem.memory_id, "pair", "municipal pool", top_k=1)
    assert hit.event_id == ids[0]
    alone = service.recall(mem.memory_id, "pair", "municipal pool", use_records=False)
    assert ids[0] not in [h.event_id for h in alone]


def test_the_index_follows_new_and_deleted_turns(service: MemoryService, mem: Memory) -> None:
    _say(service, mem.memory_id, "s1", MARCH, [("Ada", "I planted tulips.")])
    assert service.recall(mem.memory_id, "pair", "tulips")
    (later,) = _say(service, mem.memory_id, "s2", JULY, [("Ada", "The sunflowers are tall.")])
    assert service.recall(mem.memory_id, "pair", "sunflowers", top_k=1)[0].event_id == later
    service.delete_actor(mem.memory_id, "pair")
    assert service.recall(mem.memory_id, "pair", "sunflowers") == []


def test_other_actors_turns_are_not_recalled(service: MemoryService, mem: Memory) -> None:
    _say(service, mem.memory_id, "s1", MARCH, [("Bo", "My secret recipe uses saffron.")], "bo")
    _say(service, mem.memory_id, "s1", MARCH, [("Cy", "I like plain rice.")], "cy")
    hits = service.recall(mem.memory_id, "cy", "saffron recipe")
    assert all(h.actor_id == "cy" and "saffron" not in h.text for h in hits)


def test_bad_queries_are_refused(service: MemoryService, mem: Memory) -> None:
    with pytest.raises(InvalidInput):
        service.recall(mem.memory_id, "pair", "  ")
    with pytest.raises(InvalidInput):
        service.recall(mem.memory_id, "pair", "x", top_k=0)
    with pytest.raises(InvalidInput, match="longer than"):
        service.recall(mem.memory_id, "pair", "word " * 2001)


def test_relevance_feedback_reaches_a_turn_sharing_no_query_word() -> None:
    # "kayak" is asked; the best windows also say "Lake Orta", which the third session's turn
    # shares without the query word: feedback adds a ranking that finds it.
    lines = [
        ("s1", "We took the kayak out on Lake Orta at dawn."),
        ("s1", "Lake Orta was glassy and the kayak glided."),
        ("s2", "My printer is jammed again."),
        ("s3", "Lake Orta has a tiny island with a monastery."),
        ("s4", "Tax forms are due soon."),
    ]
    turns = [
        Turn(pk=i, event_id=f"e{i}", session_id=s, event_timestamp=MARCH + i, text=text)
        for i, (s, text) in enumerate(lines)
    ]
    index = TurnIndex(turns, np.zeros((len(turns), 4), dtype=np.float32))
    keyword, feedback = index.rankings("kayak", None, pool=10)
    assert 3 not in keyword
    assert 3 in feedback


class _Counting:
    """The bundled model, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        from podium.embeddings import OnnxMiniLMEmbedder

        self.inner = OnnxMiniLMEmbedder()
        self.model_id, self.dimension = self.inner.model_id, self.inner.dimension
        self.texts = 0

    def embed(self, texts: list[str], kind: str = "document") -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts, kind=kind)  # type: ignore[arg-type]


def test_a_question_in_other_words_reaches_the_turn_through_related_words() -> None:
    from podium.memory._related import RelatedWords

    turns = [
        Turn(pk=i, event_id=f"e{i}", session_id=f"s{i}", event_timestamp=MARCH, text=text)
        for i, text in enumerate(["We adopted a dog from the shelter.", "I planted tulips."])
    ]
    # No turn vectors: only the keyword side can find it, and "pet" is in no turn.
    index = TurnIndex(turns, np.zeros((2, 384), dtype=np.float32))
    embedder, words = _Counting(), RelatedWords()
    index.vocabulary_vectors = words.vectors(embedder, index.vocabulary)  # type: ignore[arg-type]
    asked = ["pet"]
    asked_vectors = words.vectors(embedder, asked, keep=False)  # type: ignore[arg-type]
    related = words.related(index, asked, asked_vectors)
    assert "dog" in related["pet"] and "tulip" not in related["pet"]
    assert index.rankings("which pet did they get?", None, 10)[0] == []
    assert index.rankings("which pet did they get?", None, 10, related)[0] == [0]
    # Word vectors are kept: a rebuilt index embeds only words it has not seen. A question's
    # words ("pet") are not kept, so queries cannot crowd out the vocabularies.
    before = embedder.texts
    words.vectors(embedder, [*index.vocabulary, "pet", "garden"])  # type: ignore[arg-type]
    assert embedder.texts == before + 2


def test_a_words_stand_ins_never_outweigh_the_word() -> None:
    turns = [
        Turn(pk=i, event_id=f"e{i}", session_id=f"s{i}", event_timestamp=MARCH, text=text)
        for i, text in enumerate(["I planted tulips.", "The sunflowers are tall."])
    ]
    index = TurnIndex(turns, np.zeros((2, 4), dtype=np.float32))
    # Two stand-ins for "sunflower" match the first turn; it still ranks below the word itself.
    related = {"sunflow": {"plant": 0.9, "tulip": 0.9}}
    assert index.rankings("sunflowers", None, 10, related)[0] == [1, 0]
