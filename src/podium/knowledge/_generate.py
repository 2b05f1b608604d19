"""retrieve_and_generate: an extractive answer offline, or a Strands model's cited answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from podium.errors import ModelError

from ._models import Citation, GenerationResult, RetrievalResult

if TYPE_CHECKING:
    from podium.embeddings import Embedder

__all__ = ["generate_answer", "split_sentences"]

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_MAX_SENTENCES = 3
_CITE = re.compile(r"\[(\d{1,3})\]")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (simple punctuation rule; good enough for extractive answers)."""
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip().split()) >= 4]


def generate_answer(
    query: str,
    results: list[RetrievalResult],
    *,
    model: Any,
    embedder: Embedder,
    prompt_template: str | None = None,
) -> GenerationResult:
    """Answer from ``results``: extractive without a model, generated with one.

    ``prompt_template`` (model only) is Bedrock's ``textPromptTemplate``: ``$search_results$``
    becomes the numbered sources, ``$query$`` the question, ``$output_format_instructions$``
    the instruction to cite sources as ``[n]``.
    """
    if not results:
        return GenerationResult(
            output="Sorry, I could not find anything relevant to that question.",
            citations=[],
            generator="none",
        )
    if model is None:
        return _extractive(query, results, embedder)
    return _generated(query, results, model, prompt_template)


def _extractive(query: str, results: list[RetrievalResult], embedder: Embedder) -> GenerationResult:
    """Pick the sentences closest to the query, keep retrieval order, cite each one's chunk."""
    candidates: list[tuple[int, str]] = [
        (rank, sentence)
        for rank, result in enumerate(results)
        for sentence in split_sentences(result.text)[:12]
    ]
    if not candidates:
        candidates = [(rank, r.text.strip()[:400]) for rank, r in enumerate(results)]
    vectors = embedder.embed([s for _, s in candidates], "document")
    qvec = embedder.embed([query], "query")[0]
    # A small bonus for better-ranked chunks keeps the answer anchored to the retrieval order.
    scores = vectors @ qvec - 0.02 * np.array([rank for rank, _ in candidates], dtype=np.float32)
    chosen = sorted(np.argsort(-scores)[:_MAX_SENTENCES], key=lambda i: (candidates[i][0], i))
    parts: list[str] = []
    citations: list[Citation] = []
    cursor = 0
    for i in chosen:
        rank, sentence = candidates[int(i)]
        if parts:
            cursor += 1  # the joining space
        parts.append(sentence)
        citations.append(
            Citation(
                text=sentence, start=cursor, end=cursor + len(sentence), references=[results[rank]]
            )
        )
        cursor += len(sentence)
    return GenerationResult(output=" ".join(parts), citations=citations, generator="extractive")


_CITE_INSTRUCTION = (
    "After each sentence, cite the sources it relies on as [n]. If the sources do not answer "
    "it, say so."
)


def _generated(
    query: str, results: list[RetrievalResult], model: Any, template: str | None
) -> GenerationResult:
    """Ask a Strands model to answer with [n] markers, then map markers to citations."""
    from strands import Agent

    sources = "\n\n".join(f"[{i}] {r.text}" for i, r in enumerate(results, start=1))
    if template:
        prompt = (
            template.replace("$search_results$", sources)
            .replace("$output_format_instructions$", _CITE_INSTRUCTION)
            .replace("$query$", query)
        )
        if "$query$" not in template:
            # Bedrock sends the question as the user turn when the template does not place it.
            prompt += f"\n\nQuestion: {query}"
    else:
        prompt = (
            f"Answer the question using only the numbered sources. {_CITE_INSTRUCTION}\n\n"
            f"Sources:\n{sources}\n\nQuestion: {query}"
        )
    try:
        agent = Agent(model=model, callback_handler=None)
        text = str(agent(prompt)).strip()
    except Exception as e:  # providers raise their own error types
        raise ModelError(f"the model failed to generate an answer: {e}") from e
    citations: list[Citation] = []
    start = 0
    for match in re.finditer(r"[^.!?\n]+[.!?]*(?:\s*\[\d{1,3}\])*", text):
        sentence = match.group(0).strip()
        refs = [results[int(n) - 1] for n in _CITE.findall(sentence) if 1 <= int(n) <= len(results)]
        if refs:
            start = text.find(sentence, start)
            citations.append(
                Citation(text=sentence, start=start, end=start + len(sentence), references=refs)
            )
            start += len(sentence)
    return GenerationResult(output=text, citations=citations, generator="model")
