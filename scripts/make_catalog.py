"""Generate the sample session catalog for Podium's reference event assistant.

ALL DATA PRODUCED HERE IS SYNTHETIC. "Podium Cloud & AI Summit 2026" is a fictional
conference; every speaker, company, venue, customer story and number is invented, and any
resemblance to real people or organisations is coincidental. Open-source technologies
(Kubernetes, Kafka, Iceberg, OpenTelemetry, PostgreSQL...) are named only as generic topics.

The generator is deterministic: a single ``random.Random(seed)`` drives every choice, so the
same seed always yields byte-identical JSON Lines. Abstracts are composed from per-track,
per-subtopic sentence pools (problems, approaches, deep dives, customer stories, hands-on
notes, takeaways) in varied orders, so that retrieval over the catalog is not trivial.

Usage::

    python scripts/make_catalog.py [--seed 2026] [--out data/catalog/sessions.jsonl] [--count 600]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

CONFERENCE_NAME = "Podium Cloud & AI Summit 2026"
FIRST_DAY = date(2026, 12, 7)  # a Monday
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
DEFAULT_SEED = 2026
DEFAULT_COUNT = 600
# Relative to the repository root, so the script behaves the same from any directory.
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "catalog" / "sessions.jsonl"

TYPES = (
    "keynote",
    "breakout",
    "workshop",
    "chalk talk",
    "builders' session",
    "code talk",
    "lightning talk",
)
DURATION_MIN = {
    "keynote": 90,
    "breakout": 60,
    "workshop": 120,
    "chalk talk": 60,
    "builders' session": 60,
    "code talk": 60,
    "lightning talk": 20,
}
LEVELS = (100, 200, 300, 400)
MIN_WORDS, MAX_WORDS = 80, 200
# No two abstracts may share more than MAX_SHARED_SENTENCES of their sentences; the
# generator retries for at most TARGET_SHARED_SENTENCES first.
TARGET_SHARED_SENTENCES = 0.4
MAX_SHARED_SENTENCES = 0.5
DAY_START_MIN = 8 * 60
DAY_END_MIN = 18 * 60 + 30


# --------------------------------------------------------------------------------------------
# Content model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Subtopic:
    """One focus area inside a track, with its own vocabulary and sentences."""

    name: str
    build: str
    titles: tuple[str, ...]
    techs: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    deep: str
    industries: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Track:
    """A conference track: one of the 15 topics, with a code prefix and its subtopics."""

    name: str
    prefix: str
    weight: int
    audiences: tuple[str, ...]
    metrics: tuple[str, ...]
    roles: tuple[str, ...]
    bridges: tuple[str, ...]
    subtopics: tuple[Subtopic, ...]


def _sub(
    name: str,
    build: str,
    titles: Sequence[str],
    techs: Sequence[str],
    tags: Sequence[str],
    related: Sequence[str],
    problems: Sequence[str],
    details: Sequence[str],
    deep: str,
    industries: Sequence[str] = (),
) -> Subtopic:
    return Subtopic(
        name=name,
        build=build,
        titles=tuple(titles),
        techs=tuple(techs),
        tags=tuple(tags),
        related=tuple(related),
        problems=tuple(problems),
        details=tuple(details),
        deep=deep,
        industries=tuple(industries),
    )


GEN_AI = Track(
    name="generative AI",
    prefix="AIM",
    weight=62,
    audiences=(
        "application developers building their first assistant",
        "ML engineers moving LLM prototypes into production",
        "product managers deciding where generative AI actually pays off",
    ),
    metrics=(
        "cost per conversation",
        "time to first token",
        "hallucination rate",
        "escalations to human agents",
    ),
    roles=("Generative AI Specialist", "Applied Scientist", "Machine Learning Engineer"),
    bridges=(
        "We also show where a language model genuinely helps in this workflow, and where a plain rule is better.",
        "A retrieval-augmented assistant sits on top, answering operators' questions from the same data in plain language.",
        "Embeddings and semantic search make the resulting data discoverable without knowing the exact keywords.",
    ),
    subtopics=(
        _sub(
            "retrieval-augmented generation",
            "a RAG pipeline with hybrid search, reranking and citations over a document set",
            (
                "Production RAG that cites its sources",
                "Chunking, hybrid search and reranking for RAG",
                "Beyond naive RAG",
                "RAG pipelines that survive real documents",
            ),
            (
                "a hybrid BM25 and vector index",
                "a cross-encoder reranker",
                "structure-aware chunking",
                "citation tracking",
                "a vector database",
            ),
            ("rag", "vector-search", "retrieval", "embeddings"),
            ("databases", "storage"),
            (
                "Retrieval-augmented generation demos are easy; production RAG that answers from forty thousand policy documents without inventing clauses is not.",
                "Most RAG failures are retrieval failures in disguise: the right passage never reaches the model, so no amount of prompt tweaking can save the answer.",
            ),
            (
                "We compare fixed-size, recursive and structure-aware chunking on the same corpus and show how chunk size moves recall at ten.",
                "Hybrid retrieval that fuses keyword and dense scores with reciprocal rank fusion recovers exact product codes that embeddings alone tend to miss.",
                "A cross-encoder reranker over the top fifty candidates costs a few milliseconds and noticeably lifts answer faithfulness.",
                "Every answer carries citations back to the source chunk, so reviewers can verify a claim with one click.",
                "Incremental ingestion keyed on content hashes keeps the vector index fresh without re-embedding the whole corpus every night.",
            ),
            "We dig into metadata filtering before versus after the ANN search, HNSW parameters such as ef_search, and how quantized embeddings change recall.",
        ),
        _sub(
            "AI agents and tool use",
            "an agent that triages support tickets by calling typed tools for search, lookup and escalation",
            (
                "Agents that call the right tool",
                "Designing tools for LLM agents",
                "From chatbot to agent",
                "Multi-agent systems without the chaos",
            ),
            (
                "function calling",
                "the Model Context Protocol",
                "an agent loop with planning",
                "typed tool schemas",
                "a supervisor agent",
            ),
            ("agents", "tool-use", "mcp", "orchestration"),
            ("serverless", "security"),
            (
                "An agent that can call twenty tools can also call the wrong one twenty times; loops, runaway token bills and half-finished side effects are the norm without structure around the loop.",
                "Teams are wiring language models to ticketing, billing and deployment systems, and discovering that tool design matters more than prompt design.",
            ),
            (
                "Narrow tool schemas with typed arguments and honest descriptions cut malformed calls more than any system-prompt tweak we tried.",
                "The agent keeps a scratchpad of observations and a hard step budget, and hands off to a human when its confidence drops.",
                "Idempotency keys on every side-effecting tool make retries safe when the model repeats itself.",
                "Tools are exposed through a Model Context Protocol server, so the same integrations serve the IDE assistant and the customer-facing bot.",
                "Short-term session memory and long-term user preferences are stored separately, so the agent remembers a traveller's seat choice without replaying last month's chat.",
            ),
            "We trace a multi-agent run span by span, compare supervisor and swarm topologies, and measure how parallel tool calls change latency and token spend.",
        ),
        _sub(
            "fine-tuning and model customization",
            "a LoRA adapter for a small open-weight model on a support-ticket classification task",
            (
                "When to fine-tune, and when not to",
                "Fine-tuning small models that beat big ones",
                "LoRA adapters in production",
                "Distilling a frontier model into something you can afford",
            ),
            (
                "LoRA adapters",
                "instruction tuning",
                "distillation from a larger teacher model",
                "synthetic training data",
                "open-weight models",
            ),
            ("fine-tuning", "lora", "distillation", "small-models"),
            ("MLOps", "cost"),
            (
                "Prompting a frontier model gets you to a demo, but a seven-billion-parameter model tuned on your own tickets can be cheaper, faster and more consistent.",
                "Fine-tuning is often reached for too early, and sometimes too late; knowing which problem it actually solves saves months.",
            ),
            (
                "We build an instruction dataset from support transcripts, deduplicate it and scrub personal data before a single GPU hour is spent.",
                "LoRA adapters let one base model serve a dozen tenants, each with its own tone and vocabulary, hot-swapped per request.",
                "Distilling a large teacher into a small student kept most of the quality on a narrow extraction task at a fraction of the inference cost.",
                "Synthetic examples generated by a stronger model fill gaps for rare intents, but only after a human spot-checks a sample of them.",
            ),
            "We compare LoRA rank and alpha settings, look at catastrophic forgetting on general benchmarks, and show loss curves from a run that overfit after two epochs.",
        ),
        _sub(
            "guardrails and responsible AI",
            "a guardrail layer that blocks prompt injection and redacts personal data around a chat model",
            (
                "Guardrails that hold up against prompt injection",
                "Responsible AI you can audit",
                "Red-teaming your own assistant",
                "Safety layers for generative AI apps",
            ),
            (
                "input and output classifiers",
                "PII redaction",
                "prompt injection detection",
                "grounding checks",
                "denied-topic policies",
            ),
            ("guardrails", "responsible-ai", "prompt-injection", "safety"),
            ("security",),
            (
                "A single prompt injection hidden in a retrieved web page can turn a helpful assistant into a data exfiltration tool.",
                "Regulators, legal teams and customers now ask the same question: how do you know your assistant will not say something harmful or leak something private?",
            ),
            (
                "Guardrails run as a separate policy layer around the model, screening inputs for injection attempts and outputs for personal data and denied topics.",
                "We red-team an assistant live with indirect injections planted in documents, then close each hole in turn.",
                "Grounding checks compare every generated claim with the retrieved context and block answers that cannot be supported.",
                "Each blocked response is logged with the policy that fired, giving risk teams an audit trail instead of anecdotes.",
            ),
            "We examine why classifier-based defences fail against adaptive attacks, how to layer privilege separation with a dual-model pattern, and what to log for auditors.",
        ),
        _sub(
            "LLM evaluation",
            "an evaluation harness with a golden dataset and an LLM judge wired into CI",
            (
                "Evaluating LLM applications without vibes",
                "LLM-as-a-judge, calibrated",
                "Regression tests for prompts",
                "Measuring what your assistant gets wrong",
            ),
            (
                "LLM-as-a-judge",
                "golden datasets",
                "regression suites for prompts",
                "human review queues",
                "pairwise comparisons",
            ),
            ("evaluation", "llm-as-judge", "testing", "quality"),
            ("MLOps", "DevOps"),
            (
                "Changing one line of a system prompt can silently break a dozen behaviours, and most teams find out from customers.",
                "Vibes are not a metric, yet many generative AI features still ship without a single repeatable evaluation.",
            ),
            (
                "We build a golden dataset of two hundred questions with graded reference answers and run it on every pull request.",
                "An LLM judge scores faithfulness and relevance, and we calibrate it against human ratings to see exactly where it disagrees.",
                "Online evaluation samples live traffic, routes low-scoring conversations to reviewers and feeds corrections back into the test set.",
                "Retrieval is scored separately from generation, so a drop in recall is never mistaken for a model regression.",
            ),
            "We quantify judge bias towards longer answers, show how position swapping reduces it, and compute confidence intervals so a two-point change is not mistaken for progress.",
        ),
        _sub(
            "LLM inference optimization",
            "a model router with prompt caching and streaming in front of two model sizes",
            (
                "Faster, cheaper LLM inference",
                "Model routing and prompt caching",
                "Cutting time to first token",
                "Serving LLMs at scale",
            ),
            (
                "prompt caching",
                "speculative decoding",
                "model routing",
                "batch inference",
                "quantized weights",
            ),
            ("inference", "latency", "model-routing", "caching"),
            ("cost", "containers"),
            (
                "Token bills grow faster than usage when every request goes to the largest model with a ten-thousand-token prompt.",
                "Users abandon chat experiences when time to first token creeps past two seconds.",
            ),
            (
                "A lightweight router sends easy questions to a small model and escalates only the hard ones, cutting spend without hurting satisfaction scores.",
                "Prompt caching of long, stable system prompts and tool definitions removes most of the repeated input cost.",
                "Streaming responses and speculative decoding bring perceived latency down even when total generation time barely changes.",
                "Offline batch inference handles the nightly summarization backlog at roughly half the on-demand price.",
            ),
            "We work through KV-cache memory math, continuous batching on GPU servers, and the throughput-latency curve of quantized versus full-precision weights.",
        ),
    ),
)

SECURITY = Track(
    name="security",
    prefix="SEC",
    weight=50,
    audiences=(
        "security engineers and cloud architects",
        "compliance and risk leads who need evidence, not promises",
        "developers who write their own IAM policies",
    ),
    metrics=(
        "mean time to remediate critical findings",
        "standing admin credentials",
        "audit preparation time",
        "exposed secrets per month",
    ),
    roles=("Security Architect", "Detection Engineer", "Security Engineering Manager"),
    bridges=(
        "Every component runs with least-privilege IAM policies, and data is encrypted in transit and at rest.",
        "We cover the audit trail and access controls that security reviewers will inevitably ask about.",
        "Secrets rotation and key management are designed in from the start rather than bolted on later.",
    ),
    subtopics=(
        _sub(
            "least-privilege access",
            "IAM policies generated from access logs, with permission boundaries for team-owned roles",
            (
                "Least privilege at the scale of thousands of roles",
                "IAM policies that shrink over time",
                "Attribute-based access control in practice",
                "Untangling permissions across 300 accounts",
            ),
            (
                "IAM policies",
                "permission boundaries",
                "attribute-based access control",
                "access analyzers",
                "service control policies",
            ),
            ("iam", "least-privilege", "abac", "identity"),
            ("DevOps",),
            (
                "Wildcard permissions accumulate quietly; two years later nobody knows which of the 3,000 roles can read the customer database.",
                "Least privilege is easy to state and hard to keep when hundreds of teams create new roles every week.",
            ),
            (
                "We generate policies from observed access activity, then tighten them iteratively using unused-permission reports.",
                "Attribute-based access control with resource tags lets one policy cover hundreds of projects instead of one role per team.",
                "Permission boundaries let application teams create their own roles without being able to escalate beyond a guardrail.",
                "Organization-wide service control policies deny whole classes of risky actions, such as disabling audit logging.",
            ),
            "We walk through policy evaluation logic step by step, including explicit denies, session policies and cross-account resource policies, and show how automated reasoning proves a bucket is not public.",
        ),
        _sub(
            "zero trust access",
            "an identity-aware proxy in front of an internal app, with device posture checks",
            (
                "Zero trust without the buzzwords",
                "Retiring the VPN",
                "Identity is the new perimeter",
                "Zero trust for service-to-service traffic",
            ),
            (
                "identity-aware proxies",
                "mutual TLS",
                "device posture checks",
                "short-lived certificates",
                "SPIFFE identities",
            ),
            ("zero-trust", "mtls", "vpn-replacement", "identity"),
            ("networking",),
            (
                "The VPN that once protected everything is now the single door attackers aim for.",
                "Flat internal networks mean a single compromised laptop can reach almost every service in the company.",
            ),
            (
                "Each request is authorized on user identity, device health and context rather than on network location.",
                "Service-to-service traffic uses mutual TLS with certificates that live for hours, not years.",
                "We show a phased rollout that moved two hundred internal apps behind an identity-aware proxy without a big-bang VPN cutover.",
                "Contractors get access to exactly three applications from unmanaged devices, with sessions recorded for compliance.",
            ),
            "We examine certificate rotation at scale, workload identity federation, and how policy decision points stay available when the identity provider itself is degraded.",
        ),
        _sub(
            "threat detection and response",
            "detection rules as code, tested against recorded attack traces, plus an automated containment runbook",
            (
                "Detection engineering as code",
                "Cloud incident response, automated",
                "Hunting threats in a security data lake",
                "From alert fatigue to signal",
            ),
            (
                "a security data lake",
                "detection-as-code",
                "automated runbooks",
                "OCSF-normalized logs",
                "threat intelligence feeds",
            ),
            ("threat-detection", "incident-response", "siem", "soar"),
            ("analytics", "observability"),
            (
                "Alert fatigue is real: a security team of six cannot triage four thousand findings a day.",
                "Attackers move from initial access to data theft in hours, while many investigations still start with a ticket and a spreadsheet.",
            ),
            (
                "Audit trails, DNS queries and endpoint events are normalized to a common schema in a security data lake that answers questions in seconds.",
                "Detections live in version control, are unit-tested against recorded attack traces and deploy through the same pipeline as application code.",
                "Automated runbooks isolate a compromised instance, snapshot its disk and revoke credentials before a human has opened the ticket.",
                "Findings are enriched with asset ownership and business criticality, so the payments database outranks a forgotten test bucket.",
            ),
            "We replay a credential-theft scenario end to end and show the exact queries, the false-positive tuning and each containment step.",
        ),
        _sub(
            "software supply chain security",
            "a build pipeline that emits SBOMs and signed provenance, enforced by an admission policy",
            (
                "Securing the software supply chain",
                "SBOMs you actually use",
                "Signed builds from commit to cluster",
                "Surviving the next dependency zero-day",
            ),
            (
                "SBOMs",
                "artifact signing",
                "provenance attestations",
                "dependency scanning",
                "admission policies",
            ),
            ("supply-chain", "sbom", "signing", "dependencies"),
            ("DevOps", "containers"),
            (
                "A typosquatted package pulled into a build pipeline can ship malware to every customer in a single release.",
                "Most of the code you run was written by someone else, and few teams can say exactly which versions are in production right now.",
            ),
            (
                "Every build produces a software bill of materials and a signed provenance attestation stored next to the artifact.",
                "Admission policies refuse to run container images that are unsigned or were built outside the trusted pipeline.",
                "We triage a critical library vulnerability across four hundred services in an afternoon using nothing but SBOM queries.",
                "A private package proxy pins and caches dependencies, so a deleted upstream package cannot break Friday's release.",
            ),
            "We cover SLSA build levels, keyless signing with short-lived identities, and the places where attestations can still be forged.",
        ),
        _sub(
            "data protection and encryption",
            "envelope encryption with customer-managed keys and a nightly sensitive-data classification scan",
            (
                "Encryption that actually protects data",
                "Key management for the rest of us",
                "Finding sensitive data before auditors do",
                "Tokenization for analytics teams",
            ),
            (
                "envelope encryption",
                "customer-managed keys",
                "tokenization",
                "automated data classification",
                "key rotation",
            ),
            ("encryption", "kms", "data-protection", "privacy"),
            ("storage", "databases"),
            (
                "Encryption at rest is switched on everywhere, yet sensitive data still leaks through logs, exports and test databases.",
                "Data residency rules in three jurisdictions collide with a single global analytics platform.",
            ),
            (
                "Envelope encryption with customer-managed keys gives a clean revocation story: disable the key and the data becomes unreadable.",
                "Automated classification scans buckets and tables nightly and tags columns that hold card numbers or health data.",
                "Tokenization keeps analytics useful while raw identifiers never leave a locked-down vault account.",
                "Log pipelines mask personal data at ingestion, long before anyone can grep for it.",
            ),
            "We discuss key hierarchy design, rotation without re-encrypting petabytes, and the real performance cost of client-side encryption.",
        ),
        _sub(
            "web application and API protection",
            "a layered web application firewall with rate-based rules and bot challenges for a login endpoint",
            (
                "Stopping bots without stopping customers",
                "A WAF rule set that ages well",
                "API security beyond authentication",
                "Credential stuffing, contained",
            ),
            (
                "a web application firewall",
                "bot management",
                "rate-based rules",
                "DDoS protection",
                "API schema validation",
            ),
            ("waf", "ddos", "bots", "api-security"),
            ("networking",),
            (
                "Credential-stuffing bots now look like real browsers, rotating through thousands of residential IP addresses.",
                "A public API without rate limits is an open invitation to scraping and account takeover.",
            ),
            (
                "We layer WAF rules from managed rule groups down to custom rules keyed on TLS fingerprints and login paths.",
                "Rate-based rules and challenge pages slow bots down without adding friction for real shoppers.",
                "Firewall logs stream into analytics, where we uncover a slow scraping campaign that stayed under every threshold.",
                "Schema validation at the edge rejects malformed API requests before they ever reach application code.",
            ),
            "We go deep into rule evaluation order, false-positive tuning in count mode, and protecting GraphQL endpoints from query-depth attacks.",
        ),
    ),
)

SERVERLESS = Track(
    name="serverless",
    prefix="SVS",
    weight=40,
    audiences=(
        "backend developers tired of patching servers",
        "architects designing event-driven systems",
        "teams replacing cron jobs and idle virtual machines",
    ),
    metrics=(
        "p99 latency",
        "idle infrastructure cost",
        "deployment lead time",
        "lines of glue code",
    ),
    roles=("Serverless Specialist", "Senior Developer Advocate", "Backend Engineer"),
    bridges=(
        "Glue logic runs in Lambda-style functions, so there are no idle servers to pay for or patch.",
        "Event-driven triggers replace the polling jobs and cron schedules that used to hold this together.",
    ),
    subtopics=(
        _sub(
            "event-driven architecture",
            "an order workflow on an event bus with versioned schemas, dead-letter queues and idempotent consumers",
            (
                "Event-driven architecture that stays loosely coupled",
                "Events, commands and the contracts between them",
                "Designing with an event bus",
                "Idempotency and other event-driven essentials",
            ),
            (
                "an event bus",
                "message queues",
                "pub/sub topics",
                "a schema registry",
                "the outbox pattern",
            ),
            ("event-driven", "queues", "pub-sub", "decoupling"),
            ("databases",),
            (
                "Synchronous call chains across twelve microservices turn one slow dependency into a site-wide outage.",
                "Event-driven systems promise loose coupling and then deliver a tangle of undocumented events nobody dares to change.",
            ),
            (
                "A schema registry with versioned event contracts lets producers evolve without breaking consumers.",
                "We separate commands from events and show why OrderPlaced belongs on a bus while ChargeCard belongs on a queue.",
                "Dead-letter queues, redrive policies and idempotent consumers turn at-least-once delivery into correct outcomes.",
                "Event catalogs generated from the registry tell a new team which events exist and who consumes them.",
            ),
            "We analyze ordering guarantees, the myth of exactly-once delivery, the outbox pattern, and how to replay a day of events without double side effects.",
        ),
        _sub(
            "function performance tuning",
            "a memory and concurrency tuning sweep for a Java and a Python function",
            (
                "Cold starts, demystified",
                "Tuning functions for speed and cost",
                "Fast functions in Java and Python",
                "Performance engineering for FaaS",
            ),
            (
                "Lambda-style functions",
                "provisioned concurrency",
                "ARM-based runtimes",
                "snapshot-based startup",
                "connection pooling proxies",
            ),
            ("functions", "cold-starts", "performance", "faas"),
            ("cost",),
            (
                "Cold starts get blamed for every slow request, yet they are often not the real bottleneck.",
                "A function left on the default memory setting can be both slower and more expensive than one with four times the memory.",
            ),
            (
                "We profile a Java and a Python function, tune memory against duration, and find the cost sweet spot with a power-tuning sweep.",
                "Initialization code moves out of the handler, SDK clients are reused, and connection pools are sized for a concurrency of one.",
                "Snapshot-based startup cut a Java function's cold start from several seconds to a few hundred milliseconds.",
                "A database proxy absorbs connection storms when thousands of function instances scale out at once.",
            ),
            "We dissect the execution environment lifecycle, how the init phase is billed, and how concurrency scaling limits interact with downstream databases.",
        ),
        _sub(
            "workflow orchestration",
            "a state machine for an insurance claim with a saga, retries and a human approval step",
            (
                "Orchestrating long-running workflows",
                "Sagas without the headache",
                "State machines for business processes",
                "Durable execution explained",
            ),
            (
                "state machines",
                "the saga pattern",
                "human approval steps",
                "durable execution",
                "distributed map states",
            ),
            ("workflows", "orchestration", "sagas", "state-machines"),
            ("industry",),
            (
                "Long-running business processes hidden inside chains of functions are impossible to debug once step four fails at 2 a.m.",
                "Retries, timeouts and compensation logic end up copy-pasted into every service.",
            ),
            (
                "A visual state machine coordinates an insurance claim across fraud checks, document extraction and a human approval step that may wait for days.",
                "We implement a saga with compensating actions, so a failed payment releases the hotel reservation and the inventory hold.",
                "Durable execution lets ordinary code sleep for a week and resume exactly where it stopped.",
                "Per-step retry policies with exponential backoff and jitter replace hand-rolled loops in every service.",
            ),
            "We compare standard and express workflow semantics, payload size limits, and the cost model of a million state transitions per day.",
        ),
        _sub(
            "serverless APIs",
            "a REST and GraphQL API with gateway-level validation, authorization and throttling",
            (
                "Serverless APIs without the glue code",
                "GraphQL on serverless",
                "API gateways done right",
                "Versioning public APIs safely",
            ),
            (
                "API gateways",
                "GraphQL resolvers",
                "request validation",
                "usage plans",
                "JWT authorizers",
            ),
            ("api", "graphql", "rest", "api-gateway"),
            ("security",),
            (
                "Every team rebuilds authentication, throttling and request validation for each new API.",
                "Mobile clients over-fetch from REST endpoints and make twelve round trips to render a single screen.",
            ),
            (
                "Validation, authorization and throttling move into the gateway, so function code holds only business logic.",
                "A GraphQL layer with direct resolvers to tables and queues removes an entire tier of glue functions.",
                "Canary stages and response caching let the team ship API changes twice a day without breaking clients.",
                "Usage plans and API keys give each partner its own quota and a dashboard of their consumption.",
            ),
            "We go deep on authorizer caching, payload mapping templates, and how to version a public API without forking the codebase.",
        ),
        _sub(
            "serverless data processing",
            "a fan-out pipeline that processes a million documents from object storage with partial-batch retries",
            (
                "Serverless data pipelines at scale",
                "Fan-out, fan-in",
                "Processing millions of files without servers",
                "Stream processing with functions",
            ),
            (
                "stream processing functions",
                "batch windows",
                "fan-out with map states",
                "object storage triggers",
                "partial batch failure reporting",
            ),
            ("stream-processing", "etl", "batch", "fan-out"),
            ("analytics", "storage"),
            (
                "Nightly batch jobs on a fleet of virtual machines sit idle 22 hours a day and still miss their deadlines.",
                "Processing millions of small files one by one is a reliable recipe for throttling and runaway cost.",
            ),
            (
                "Object storage triggers fan a document pipeline out to thousands of parallel workers and fan the results back in.",
                "Stream batch windows and partial-batch failure reporting keep one poison message from blocking a whole shard.",
                "A distributed map processed eleven million product images in under an hour with no servers to patch.",
                "Checkpointed progress markers let a failed run resume from file 812,000 instead of file one.",
            ),
            "We benchmark batch sizes against per-invocation overhead and show exactly where a container task becomes cheaper than functions.",
        ),
    ),
)

DATABASES = Track(
    name="databases",
    prefix="DAT",
    weight=42,
    audiences=(
        "database administrators",
        "application developers choosing a data store",
        "architects planning for global scale",
    ),
    metrics=("replication lag", "p99 query latency", "database licensing costs", "recovery time"),
    roles=("Database Specialist", "Principal Database Engineer", "Data Architect"),
    bridges=(
        "We discuss the data model and which database engine fits each access pattern.",
        "State lives in a managed database with point-in-time recovery, so a bad deploy is never a data-loss event.",
    ),
    subtopics=(
        _sub(
            "globally distributed databases",
            "a multi-region database setup with a rehearsed regional failover",
            (
                "Global databases, local latency",
                "Active-active without regrets",
                "Distributed SQL in practice",
                "Surviving a region failure with your data intact",
            ),
            (
                "multi-region replication",
                "distributed SQL",
                "read replicas",
                "conflict resolution",
                "consensus-based commits",
            ),
            ("distributed-sql", "multi-region", "replication", "high-availability"),
            ("networking",),
            (
                "Customers on three continents expect single-digit-millisecond reads, but the primary database sits in one region.",
                "Active-active writes across regions sound simple until two users update the same row at the same moment.",
            ),
            (
                "We compare single-writer global databases with multi-writer distributed SQL on latency, consistency and failover behaviour.",
                "Read replicas close to users serve most traffic, while writes forward to the primary with predictable lag.",
                "A rehearsed regional failover took ninety seconds and lost no committed transactions.",
                "Conflict resolution rules are chosen per table, because a shopping cart and a bank ledger deserve different answers.",
            ),
            "We unpack consensus-based commit paths, clock uncertainty, and how isolation levels behave differently from what the documentation implies.",
        ),
        _sub(
            "PostgreSQL performance",
            "a tuned PostgreSQL instance with a connection pooler, partitioning and fixed slow queries",
            (
                "PostgreSQL performance from the query plan up",
                "Scaling PostgreSQL to a million users",
                "Connection storms and how to stop them",
                "Partitioning PostgreSQL the easy way",
            ),
            (
                "PostgreSQL",
                "query plans",
                "connection pooling",
                "partitioned tables",
                "autovacuum tuning",
            ),
            ("postgresql", "performance", "indexing", "query-tuning"),
            ("observability",),
            (
                "The database was fine at ten thousand users; at a million, one missing index and an ORM-generated query brought it to its knees.",
                "Connection storms from autoscaled application servers exhaust PostgreSQL long before the CPU does.",
            ),
            (
                "We read EXPLAIN ANALYZE output together and fix a nested-loop join that scanned forty million rows.",
                "A connection pooler in transaction mode took the database from two thousand connections down to two hundred.",
                "Declarative partitioning by month turned a painful retention job into dropping one partition.",
                "Query statistics views reveal that three statements account for most of the load.",
            ),
            "We look at vacuum and transaction ID wraparound, the planner's statistics, and when a BRIN index beats a B-tree.",
        ),
        _sub(
            "vector search in databases",
            "semantic and hybrid search with pgvector next to the rows it describes",
            (
                "Vector search in the database you already run",
                "pgvector in production",
                "Hybrid search in a single SQL query",
                "Embeddings next to your data",
            ),
            (
                "pgvector",
                "approximate nearest neighbour indexes",
                "HNSW graphs",
                "embedding columns",
                "full-text ranking",
            ),
            ("vector-search", "pgvector", "embeddings", "hnsw"),
            ("generative AI",),
            (
                "Teams add a separate vector database for RAG and then struggle to keep embeddings in sync with the source rows.",
                "Semantic search is a feature, not a product, and most applications already run a database that can do it.",
            ),
            (
                "Embeddings live in the same table as the rows they describe, so deletes and permission filters apply to vectors automatically.",
                "We build an HNSW index and compare recall and latency against an exact scan on two million rows.",
                "Hybrid queries combine full-text ranking with vector distance in a single SQL statement.",
                "Re-embedding after a model upgrade runs as a background backfill with two index versions side by side.",
            ),
            "We explore index build memory, filtered-search pitfalls where recall collapses, and scalar quantization that halves storage.",
        ),
        _sub(
            "NoSQL data modeling",
            "a single-table key-value design for an e-commerce order system",
            (
                "NoSQL data modeling by access pattern",
                "Single-table design, explained",
                "Avoiding hot partitions",
                "Evolving a NoSQL schema after launch",
            ),
            (
                "key-value tables",
                "single-table design",
                "sparse secondary indexes",
                "document databases",
                "write sharding",
            ),
            ("nosql", "data-modeling", "key-value", "document-db"),
            ("serverless",),
            (
                "Teams that model a key-value store like a relational database pay for it in scans, hot partitions and surprise bills.",
                "Access patterns change after launch, and the schema you chose on day one starts fighting back.",
            ),
            (
                "We start from access patterns rather than entities and design partition and sort keys to serve each with a single query.",
                "Sparse secondary indexes serve a pending-orders view without scanning the entire table.",
                "A hot partition caused by a celebrity product launch is fixed with write sharding.",
                "Time-to-live attributes expire session data automatically instead of through a nightly cleanup job.",
            ),
            "We cover adaptive capacity internals, transaction conflict rates, and how to evolve a single-table design with an online backfill.",
        ),
        _sub(
            "database modernization",
            "a schema conversion and change-data-capture sync from a commercial engine to PostgreSQL",
            (
                "Leaving commercial databases behind",
                "Converting stored procedures at scale",
                "Database modernization without downtime",
                "From licences to open source engines",
            ),
            (
                "schema conversion",
                "change data capture",
                "open-source engines",
                "managed database services",
                "dual-running reports",
            ),
            ("modernization", "cdc", "oracle-to-postgres", "managed-databases"),
            ("migration",),
            (
                "Commercial database licences renew every year, and every year the bill is larger.",
                "Stored procedures written two decades ago hold business logic that nobody fully understands any more.",
            ),
            (
                "Schema conversion tooling handles most objects automatically, so we focus on the remaining packages, triggers and proprietary functions.",
                "Change data capture keeps the new database in sync for weeks, so cutover becomes little more than a connection-string switch.",
                "One retailer converted 1,400 stored procedures and validated the results with dual-running reports.",
                "Generative AI drafts conversions of the strangest procedures, which engineers then review line by line.",
            ),
            "We examine differences in transaction semantics, sequence handling and collation that break applications after a heterogeneous migration.",
        ),
        _sub(
            "caching and in-memory data",
            "a cache-aside layer with request coalescing and a sorted-set leaderboard",
            (
                "Caching patterns that do not bite back",
                "In-memory data beyond caching",
                "Real-time leaderboards and rate limiters",
                "Preventing the cache stampede",
            ),
            (
                "in-memory caches",
                "Redis-compatible clusters",
                "write-through caching",
                "session stores",
                "sorted sets",
            ),
            ("caching", "redis", "in-memory", "latency"),
            ("cost",),
            (
                "A cache stampede after a deploy can take down the very database the cache was meant to protect.",
                "Leaderboards, rate limiters and session stores need microsecond latency that disk-based databases cannot give.",
            ),
            (
                "We compare cache-aside, write-through and refresh-ahead patterns with their consistency trade-offs.",
                "Request coalescing and jittered TTLs stop thousands of clients from refilling the same key at once.",
                "Sorted sets power a real-time leaderboard for a game with two million concurrent players.",
                "A token-bucket rate limiter in the cache protects a fragile partner API from bursts.",
            ),
            "We look at cluster resharding, eviction-policy behaviour under memory pressure, and the durability options of in-memory stores.",
        ),
    ),
)

ANALYTICS = Track(
    name="analytics",
    prefix="ANT",
    weight=42,
    audiences=(
        "data engineers",
        "analytics engineers and BI developers",
        "data platform owners",
    ),
    metrics=(
        "query costs",
        "data latency",
        "dashboard load time",
        "time to onboard a new data source",
    ),
    roles=("Analytics Specialist", "Staff Data Engineer", "Head of Data Platform"),
    bridges=(
        "Results land in the lakehouse, where analysts query them with plain SQL.",
        "Dashboards show the business impact, not only the technical metrics.",
        "Everything is queryable from the data warehouse within minutes of happening.",
    ),
    subtopics=(
        _sub(
            "lakehouse architecture",
            "Apache Iceberg tables in object storage, queried by two engines through one catalog",
            (
                "Building a lakehouse on Apache Iceberg",
                "Open table formats in production",
                "One copy of data, many engines",
                "Lakehouse maintenance nobody tells you about",
            ),
            (
                "Apache Iceberg tables",
                "a shared data catalog",
                "time travel queries",
                "schema evolution",
                "compaction jobs",
            ),
            ("iceberg", "lakehouse", "data-lake", "open-table-formats"),
            ("storage",),
            (
                "Data lakes full of Parquet files turn into swamps when nobody can update a row or trust a schema.",
                "Warehouse and lake copies of the same data drift apart and double the storage bill.",
            ),
            (
                "Iceberg tables bring ACID transactions, hidden partitioning and time travel to files in object storage.",
                "SQL, Spark and streaming engines read and write the same tables through a single catalog.",
                "Compaction and snapshot expiry jobs keep query planning fast as tables grow to billions of rows.",
                "Row-level deletes make right-to-be-forgotten requests a query instead of a rewrite of the lake.",
            ),
            "We dissect manifest files, merge-on-read versus copy-on-write deletes, and partition evolution without rewriting data.",
        ),
        _sub(
            "streaming analytics",
            "a Kafka and Flink pipeline computing windowed aggregates from change-data-capture events",
            (
                "Real-time analytics with Kafka and Flink",
                "Streaming data that the business trusts",
                "Sizing Kafka for a million events per second",
                "From batch to streaming",
            ),
            (
                "Kafka",
                "Apache Flink",
                "change data capture streams",
                "windowed aggregations",
                "a streaming SQL engine",
            ),
            ("kafka", "streaming", "flink", "real-time"),
            ("databases",),
            (
                "Yesterday's dashboard is useless when fraud, stockouts and outages unfold in minutes.",
                "Teams run Kafka clusters for years without knowing how many partitions they really need.",
            ),
            (
                "Change data capture streams database updates into Kafka topics that feed both a search index and the lakehouse.",
                "Flink jobs compute sliding-window aggregates and join clickstreams with inventory in real time.",
                "We size partitions, retention and consumer groups for a topic ingesting a million events per second.",
                "Streaming SQL lets analysts define real-time metrics without writing Java.",
            ),
            "We explore watermarks and late data, exactly-once sinks with two-phase commit, and state backend tuning for large joins.",
        ),
        _sub(
            "data governance",
            "data contracts with CI checks and column-level access policies on shared tables",
            (
                "Data governance that does not slow teams down",
                "Data contracts in practice",
                "Lineage you can trust",
                "Data mesh, with someone owning quality",
            ),
            (
                "fine-grained access controls",
                "column-level lineage",
                "data contracts",
                "a business glossary",
                "tag-based access policies",
            ),
            ("governance", "lineage", "data-contracts", "data-mesh"),
            ("security",),
            (
                "When the revenue dashboard disagrees with finance, nobody can trace which pipeline changed the number.",
                "Data mesh gives domains ownership of their data but can leave nobody owning its quality.",
            ),
            (
                "Data contracts define schema, freshness and quality expectations that producers test in CI.",
                "Column-level lineage shows every dashboard affected before anyone renames a column.",
                "Row- and column-level permissions let analysts query shared tables without seeing personal data.",
                "A business glossary links metric definitions to the tables and owners behind them.",
            ),
            "We go deep into tag-based access policies across accounts, and how lineage is captured from SQL parsing versus runtime events.",
        ),
        _sub(
            "business intelligence and semantic layers",
            "a semantic layer with governed metrics, dbt models and an embedded dashboard",
            (
                "One definition of revenue",
                "Semantic layers for BI and AI",
                "Dashboards people actually open",
                "Natural-language questions over governed metrics",
            ),
            (
                "semantic layers",
                "embedded dashboards",
                "natural-language querying",
                "dbt models",
                "aggregate tables",
            ),
            ("bi", "dashboards", "semantic-layer", "dbt"),
            ("generative AI",),
            (
                "Three teams compute active customers three different ways, and every executive meeting starts with a debate about the numbers.",
                "Dashboards that take forty seconds to load simply do not get used.",
            ),
            (
                "A semantic layer defines metrics once and serves them to dashboards, notebooks and a natural-language query assistant.",
                "dbt models with tests and documentation turn ad hoc SQL into a reviewed codebase.",
                "Embedded dashboards give each customer a tenant-scoped view inside the product.",
                "Questions in plain English are translated into governed metric queries rather than free-form SQL.",
            ),
            "We compare aggregate tables, materialized views and result caching for sub-second dashboards over ten billion rows.",
        ),
        _sub(
            "data warehouse performance",
            "workload management queues and zero-ETL replication into a columnar warehouse",
            (
                "Data warehouse tuning that sticks",
                "Zero-ETL in practice",
                "Month-end without the queue",
                "Columnar warehouse internals",
            ),
            (
                "columnar warehouses",
                "distribution keys",
                "workload management",
                "zero-ETL integrations",
                "materialized views",
            ),
            ("data-warehouse", "sql", "performance", "zero-etl"),
            ("databases",),
            (
                "Month-end reporting queues behind ad hoc data science queries, and finance waits for hours.",
                "ETL pipelines that copy operational data into the warehouse break every time someone adds a column.",
            ),
            (
                "Workload management separates dashboards, ETL and exploration into queues with their own concurrency.",
                "Sort and distribution keys chosen from query history cut scan volume by an order of magnitude.",
                "Zero-ETL integrations replicate operational tables into the warehouse within seconds, with no pipeline to maintain.",
                "Concurrency scaling absorbs the Monday-morning dashboard rush without a permanently larger cluster.",
            ),
            "We read query plans for data redistribution steps and show how materialized-view auto-refresh interacts with concurrency scaling.",
        ),
    ),
)

CONTAINERS = Track(
    name="containers",
    prefix="CNT",
    weight=42,
    audiences=(
        "platform engineers",
        "developers deploying to Kubernetes",
        "SREs who run clusters for other teams",
    ),
    metrics=(
        "idle node capacity",
        "cluster upgrade time",
        "pod startup time",
        "tickets to the platform team",
    ),
    roles=("Containers Specialist", "Staff Platform Engineer", "Kubernetes Engineer"),
    bridges=(
        "Workloads run on Kubernetes and are deployed through the same GitOps pipeline as everything else.",
        "Each component is packaged as a container image, so every environment runs identical bits.",
    ),
    subtopics=(
        _sub(
            "Kubernetes platform engineering",
            "a golden-path service template deployed to a cluster with Argo CD",
            (
                "Kubernetes as a paved road",
                "GitOps for hundreds of clusters",
                "Cluster add-ons as a product",
                "Multi-tenant Kubernetes done carefully",
            ),
            (
                "Kubernetes",
                "GitOps with Argo CD",
                "cluster add-ons",
                "admission webhooks",
                "hierarchical namespaces",
            ),
            ("kubernetes", "platform-engineering", "gitops", "multi-tenancy"),
            ("DevOps",),
            (
                "Handing every team a raw Kubernetes cluster produced forty slightly different clusters and no paved road.",
                "Developers want to ship code, not learn fifteen custom resource definitions.",
            ),
            (
                "A golden-path template creates a service, its pipeline, dashboards and namespace from a single form.",
                "GitOps with Argo CD reconciles hundreds of clusters from one repository and flags drift within minutes.",
                "Cluster add-ons are versioned as a bundle and upgraded together in waves, starting with internal tools.",
                "Namespace quotas and limit ranges keep one noisy tenant from starving the rest of the cluster.",
            ),
            "We discuss multi-tenancy boundaries, hierarchical namespaces and admission webhooks that enforce platform policy without blocking releases.",
        ),
        _sub(
            "autoscaling and scheduling",
            "just-in-time node provisioning with spot capacity and queue-based pod autoscaling",
            (
                "Autoscaling Kubernetes without waste",
                "Spot capacity for real workloads",
                "Bin packing, consolidation and disruption budgets",
                "Scaling on the metric that matters",
            ),
            (
                "just-in-time node provisioning",
                "horizontal pod autoscaling",
                "spot capacity",
                "bin packing",
                "event-driven autoscaling",
            ),
            ("autoscaling", "spot", "scheduling", "kubernetes"),
            ("cost",),
            (
                "Clusters sized for peak traffic sit at 25 percent utilization for most of the day.",
                "Pods wait minutes for nodes during a traffic spike because the autoscaler understands only a handful of instance types.",
            ),
            (
                "Just-in-time node provisioning picks from dozens of instance types and consolidates underused nodes automatically.",
                "Spot capacity with interruption handling runs stateless workloads at a fraction of the on-demand price.",
                "Autoscaling on queue depth rather than CPU keeps workers in step with actual demand.",
                "Overprovisioning with low-priority placeholder pods hides node start-up time from latency-sensitive services.",
            ),
            "We examine scheduler scoring, topology spread constraints, and disruption budgets during node consolidation.",
        ),
        _sub(
            "container security",
            "pod security admission, default-deny network policies and an eBPF runtime sensor on a test cluster",
            (
                "Hardening Kubernetes workloads",
                "Runtime security with eBPF",
                "Container security from build to runtime",
                "Network policies that actually isolate",
            ),
            (
                "image scanning",
                "runtime security with eBPF",
                "pod security standards",
                "network policies",
                "read-only root file systems",
            ),
            ("container-security", "ebpf", "runtime-security", "policies"),
            ("security",),
            (
                "A container running as root with a mounted host path is one exploit away from owning the node.",
                "Scanning images at build time finds vulnerabilities; it does not tell you what is actually running in production.",
            ),
            (
                "eBPF-based runtime sensors flag a shell spawned inside a web container within seconds.",
                "Pod security standards and admission policies block privileged pods before they are ever scheduled.",
                "Default-deny network policies limit lateral movement between namespaces.",
                "Distroless base images shrink the attack surface and the weekly vulnerability report at the same time.",
            ),
            "We trace kernel events with eBPF to show how sensors observe process execution and file access with low overhead.",
        ),
        _sub(
            "service mesh",
            "mTLS, retries and a canary traffic shift through a service mesh",
            (
                "Do you need a service mesh?",
                "Sidecar-less service mesh",
                "Traffic shifting and canaries with a mesh",
                "Service mesh in production",
            ),
            (
                "a service mesh",
                "sidecar-less data planes",
                "traffic shifting",
                "mutual TLS between pods",
                "layer-7 policies",
            ),
            ("service-mesh", "istio", "traffic-management", "mtls"),
            ("networking",),
            (
                "Retries, timeouts and encryption implemented in five languages behave in five different ways.",
                "Sidecars doubled the memory footprint of a cluster running three thousand pods.",
            ),
            (
                "The mesh handles mutual TLS, retries and traffic shifting, so application code does not have to.",
                "A canary release moves one percent of traffic to the new version and rolls back when error rates rise.",
                "Sidecar-less data planes cut per-pod overhead while keeping layer-7 policy where it is needed.",
                "Mesh telemetry gives every service golden signals without a single line of instrumentation.",
            ),
            "We compare sidecar and ambient data planes on latency, memory and upgrade blast radius, with real benchmark numbers.",
        ),
        _sub(
            "containers for AI workloads",
            "a GPU node pool with time-slicing and a model-serving deployment",
            (
                "Running AI workloads on Kubernetes",
                "Keeping GPUs busy",
                "Model serving on containers",
                "Batch training jobs with gang scheduling",
            ),
            (
                "GPU node pools",
                "model-serving containers",
                "gang-scheduled job queues",
                "GPU time-slicing",
                "lazy-loading image formats",
            ),
            ("gpu", "kubernetes", "model-serving", "ai-infrastructure"),
            ("MLOps", "generative AI"),
            (
                "GPUs are the most expensive resource in the cluster and the easiest to leave idle.",
                "Training jobs and inference services end up fighting over the same accelerators.",
            ),
            (
                "GPU time-slicing and multi-instance partitions let several small inference services share one accelerator.",
                "A batch queue with gang scheduling starts distributed training only when every worker can run.",
                "Model weights are pre-pulled with lazy-loading image formats, cutting pod start time from minutes to seconds.",
                "Priority classes let inference preempt experiments during business hours and give the GPUs back at night.",
            ),
            "We look at topology-aware scheduling for multi-GPU jobs, collective-communication network requirements, and node health checks for accelerators.",
        ),
    ),
)

NETWORKING = Track(
    name="networking",
    prefix="NET",
    weight=36,
    audiences=(
        "network engineers",
        "cloud architects",
        "teams connecting on-premises data centers to the cloud",
    ),
    metrics=(
        "cross-region latency",
        "data transfer costs",
        "time to provision connectivity",
        "packet loss",
    ),
    roles=("Networking Specialist", "Principal Network Engineer", "Cloud Network Architect"),
    bridges=(
        "Network design, including private endpoints, DNS and segmentation, gets its own section.",
        "We show how traffic flows between accounts and regions, and what each hop costs.",
    ),
    subtopics=(
        _sub(
            "multi-account network architecture",
            "a hub-and-spoke network with a transit gateway, centralized egress and automatic IP allocation",
            (
                "Network architecture for hundreds of accounts",
                "Hub-and-spoke done right",
                "IP address management at scale",
                "Segmenting networks by environment",
            ),
            (
                "transit gateways",
                "hub-and-spoke VPC designs",
                "IP address management",
                "shared VPCs",
                "centralized egress",
            ),
            ("vpc", "transit-gateway", "ipam", "network-architecture"),
            ("security",),
            (
                "Two hundred VPCs peered by hand produce overlapping CIDR ranges and a routing table nobody can read.",
                "Every new account needs connectivity, DNS and inspection, and the network team has become a ticket queue.",
            ),
            (
                "A hub-and-spoke design with a transit gateway centralizes egress and inspection while keeping spokes isolated.",
                "IP address management allocates non-overlapping ranges automatically whenever a new account is vended.",
                "Route tables segment production, development and shared services, so a test VPC cannot reach payments.",
                "Centralized egress through inspection firewalls replaced forty separate NAT setups.",
            ),
            "We analyze routing domains, appliance mode for stateful inspection, and the throughput limits of each attachment type.",
        ),
        _sub(
            "hybrid connectivity",
            "redundant site-to-site connectivity with BGP failover between a simulated data center and the cloud",
            (
                "Hybrid connectivity that survives a circuit cut",
                "BGP for cloud engineers",
                "Connecting branches with SD-WAN",
                "Resilient links to the data center",
            ),
            ("dedicated interconnects", "site-to-site VPNs", "BGP routing", "SD-WAN", "BFD timers"),
            ("hybrid", "bgp", "vpn", "interconnect"),
            ("migration",),
            (
                "A single VPN tunnel carried production traffic for three years, right up until the day it did not.",
                "Data center exits stall when on-premises systems and cloud workloads cannot talk to each other reliably.",
            ),
            (
                "Redundant dedicated connections in two locations, with BGP failover, provide a tested path when one circuit fails.",
                "We use BGP communities and local preference to steer traffic deterministically.",
                "SD-WAN appliances bring two hundred branch offices onto the cloud backbone.",
                "Failover is tested monthly by shutting a link down on purpose during business hours.",
            ),
            "We troubleshoot asymmetric routing, MTU mismatches and BFD timers using packet captures from a real outage.",
        ),
        _sub(
            "DNS and global traffic management",
            "hybrid DNS resolution plus latency-based routing with health checks across two regions",
            (
                "It is always DNS",
                "Global traffic management",
                "Hybrid DNS without surprises",
                "Routing users to the nearest healthy region",
            ),
            (
                "private DNS zones",
                "latency-based routing",
                "health checks",
                "global load balancing",
                "anycast accelerators",
            ),
            ("dns", "load-balancing", "traffic-management", "resilience"),
            ("observability",),
            (
                "It is always DNS, especially when on-premises resolvers and cloud private zones disagree.",
                "Global users all land in a single region because routing policies were never set up.",
            ),
            (
                "Conditional forwarding rules resolve on-premises and cloud names from anywhere in the hybrid network.",
                "Latency-based routing with health checks sends users to the nearest healthy region.",
                "Anycast global accelerators shave tens of milliseconds off connection setup for mobile users.",
                "Resolver query logs expose a misconfigured service hammering a deprecated hostname.",
            ),
            "We dig into TTL trade-offs during failover, resolver query logging and split-horizon DNS designs.",
        ),
        _sub(
            "private service connectivity",
            "services shared privately across accounts through a service network with auth policies",
            (
                "Private connectivity for microservices",
                "Sharing services across accounts privately",
                "Private endpoints explained",
                "Service networks without peering",
            ),
            (
                "private endpoints",
                "service networks",
                "endpoint policies",
                "cross-account service sharing",
                "IAM auth policies",
            ),
            ("private-endpoints", "service-networking", "microservices", "privatelink"),
            ("security",),
            (
                "Exposing internal APIs over the public internet just to connect two accounts is a risk auditors will find.",
                "Microservices spread across VPCs and accounts need discovery, authentication and routing without a mesh of peering connections.",
            ),
            (
                "Private endpoints keep traffic to managed services off the internet and allow endpoint policies.",
                "A service network connects services across accounts with IAM-based auth policies and no overlapping-IP headaches.",
                "We expose a SaaS API privately to customers without either side changing its IP plan.",
                "Endpoint policies restrict a storage endpoint to the organization's own buckets, closing an exfiltration path.",
            ),
            "We compare endpoint-based and service-network designs on cost per gigabyte, latency and operational overhead.",
        ),
        _sub(
            "network performance and troubleshooting",
            "a troubleshooting toolkit of enriched flow logs and reachability analysis",
            (
                "The network is slow: a troubleshooting guide",
                "Flow logs you can actually read",
                "Low-latency networking in the cloud",
                "Finding the hidden data transfer bill",
            ),
            (
                "flow logs",
                "network path analysis",
                "enhanced networking",
                "placement groups",
                "traffic mirroring",
            ),
            ("flow-logs", "performance", "troubleshooting", "latency"),
            ("observability", "cost"),
            (
                "'The network is slow' is the most common and least useful ticket an infrastructure team receives.",
                "Distributed training and trading systems are sensitive to microseconds of jitter.",
            ),
            (
                "Flow logs enriched with service metadata show which applications drive cross-zone data transfer.",
                "Reachability analysis proves whether a path exists before anyone opens a firewall ticket.",
                "Cluster placement and enhanced networking cut tail latency for a low-latency trading gateway.",
                "Traffic mirroring feeds a packet analyzer without touching production hosts.",
            ),
            "We look at packet-per-second limits, TCP tuning on high-bandwidth links and how to read retransmission metrics.",
        ),
    ),
)

OBSERVABILITY = Track(
    name="observability",
    prefix="OBS",
    weight=38,
    audiences=(
        "SREs",
        "developers who are on call for their own services",
        "engineering managers defining reliability goals",
    ),
    metrics=(
        "mean time to detect",
        "mean time to resolve",
        "pages per on-call shift",
        "telemetry spend",
    ),
    roles=("Observability Specialist", "Site Reliability Engineer", "Staff SRE"),
    bridges=(
        "Each step emits OpenTelemetry traces, so failures are visible end to end.",
        "We show the dashboards and alarms that tell you the system is healthy before customers do.",
    ),
    subtopics=(
        _sub(
            "OpenTelemetry instrumentation",
            "a microservice app instrumented with OpenTelemetry and a Collector pipeline",
            (
                "OpenTelemetry from zero to production",
                "Tracing across queues and async jobs",
                "One Collector, many backends",
                "Sampling traces without losing the interesting ones",
            ),
            (
                "OpenTelemetry",
                "distributed tracing",
                "auto-instrumentation agents",
                "the OpenTelemetry Collector",
                "tail-based sampling",
            ),
            ("opentelemetry", "tracing", "instrumentation", "otel"),
            ("serverless",),
            (
                "Three vendors' agents run on every host, and there is still no trace that crosses the boundary between services.",
                "Teams instrument code in inconsistent ways, so traces stop at the first queue.",
            ),
            (
                "Auto-instrumentation captures HTTP, database and messaging spans with no code changes.",
                "Context propagation through queues and async jobs stitches producer and consumer into one trace.",
                "The Collector processes, samples and routes telemetry to multiple backends from one pipeline.",
                "Semantic conventions make a span from the Go service look like a span from the Python one.",
            ),
            "We compare head and tail sampling, semantic conventions and the memory cost of high-cardinality span attributes.",
        ),
        _sub(
            "SLOs and alerting",
            "SLOs with multi-window burn-rate alerts for a checkout journey",
            (
                "SLOs that change how you work",
                "Burn-rate alerts explained",
                "Fewer pages, better sleep",
                "Error budgets that product managers respect",
            ),
            (
                "service level objectives",
                "error budgets",
                "burn-rate alerts",
                "on-call runbooks",
                "user-journey SLIs",
            ),
            ("slo", "alerting", "sre", "on-call"),
            ("DevOps",),
            (
                "Two hundred alerts fire every night and the on-call engineer has learned to ignore them.",
                "Reliability debates get emotional when nobody has agreed what reliable enough means.",
            ),
            (
                "We define SLIs from user journeys, such as checkout succeeding or search returning within 300 ms, rather than from CPU.",
                "Multi-window burn-rate alerts page only when the error budget is truly at risk.",
                "Error-budget policies give product and engineering a shared rule for when to slow down feature work.",
                "Every alert links to a runbook, and alerts without one are deleted after a month.",
            ),
            "We work through the math of burn rates, alert windows and precision, and how to set SLOs for low-traffic services.",
        ),
        _sub(
            "logs and metrics at scale",
            "a telemetry pipeline with structured logs, cardinality budgets and tiered retention",
            (
                "Taming the telemetry bill",
                "High-cardinality metrics without the outage",
                "Structured logging done right",
                "Tiered retention for logs",
            ),
            (
                "structured logging",
                "metric cardinality budgets",
                "log analytics",
                "Prometheus-compatible metrics",
                "recording rules",
            ),
            ("logging", "metrics", "prometheus", "cardinality"),
            ("cost",),
            (
                "Telemetry bills now rival compute bills, and half the logs are debug lines nobody reads.",
                "One label holding user IDs can turn a metrics backend into a very expensive outage.",
            ),
            (
                "Structured JSON logs with consistent fields make queries fast and dashboards reusable.",
                "Cardinality budgets per team, enforced in the pipeline, stop runaway label explosions.",
                "Tiered storage keeps seven days hot and a year in cheap object storage for audits.",
                "Log-derived metrics replace full-text searches for the questions teams ask every day.",
            ),
            "We look at how time-series databases index series, how recording rules help, and the real cost of high-resolution metrics.",
        ),
        _sub(
            "AIOps and incident response",
            "an incident workflow with anomaly detection and an assistant that drafts the timeline",
            (
                "AI for incident response",
                "Incidents, correlated",
                "Postmortems that lead somewhere",
                "Anomaly detection that on-call trusts",
            ),
            (
                "anomaly detection",
                "incident timelines",
                "AI-assisted root cause analysis",
                "blameless postmortems",
                "change correlation",
            ),
            ("aiops", "incident-response", "anomaly-detection", "postmortems"),
            ("generative AI",),
            (
                "During an incident, engineers spend the first twenty minutes just finding the right dashboard.",
                "The same incident recurs every quarter because postmortem action items never get done.",
            ),
            (
                "Anomaly detection on key metrics opens an incident with correlated deployments and config changes attached.",
                "An assistant summarizes the incident channel, builds a timeline and drafts the postmortem for humans to edit.",
                "We measure time to mitigate before and after introducing structured incident roles.",
                "Postmortem action items are tracked like features, with owners and due dates reviewed weekly.",
            ),
            "We evaluate how correlation engines rank root-cause candidates and where they mislead responders.",
        ),
        _sub(
            "continuous profiling and real user monitoring",
            "always-on eBPF profiling and real user monitoring linked to backend traces",
            (
                "Continuous profiling with eBPF",
                "Flame graphs for everyone",
                "What your users actually experience",
                "Finding the function that burns the CPU",
            ),
            (
                "continuous profiling",
                "eBPF probes",
                "flame graphs",
                "real user monitoring",
                "Core Web Vitals",
            ),
            ("ebpf", "profiling", "performance", "rum"),
            ("containers",),
            (
                "CPU sits at 80 percent and nobody can say which function is burning it.",
                "Backend traces look healthy while real users wait eight seconds for the page to become interactive.",
            ),
            (
                "Always-on profiling with eBPF collects stack samples from every process at around one percent overhead.",
                "Flame graphs compared before and after a release pinpoint a regular expression that doubled CPU use.",
                "Real user monitoring ties Core Web Vitals to the backend traces behind each page load.",
                "Profiles linked to trace spans answer why one request was slow, not just that it was.",
            ),
            "We look inside eBPF programs, symbolization for JIT-compiled languages and how profiles are linked to trace spans.",
        ),
    ),
)

COST = Track(
    name="cost",
    prefix="COP",
    weight=32,
    audiences=(
        "FinOps practitioners",
        "engineering leaders who own a cloud budget",
        "finance partners working with cloud teams",
    ),
    metrics=(
        "monthly cloud spend",
        "cost per transaction",
        "unallocated spend",
        "idle resource spend",
    ),
    roles=("FinOps Lead", "Cloud Economist", "Optimization Specialist"),
    bridges=(
        "We keep an eye on the bill throughout and show the cost per request of each option.",
        "Cost allocation tags and budgets are built in from day one, not retrofitted.",
    ),
    subtopics=(
        _sub(
            "FinOps practice",
            "a cost allocation model with enforced tags, showback reports and anomaly alerts",
            (
                "FinOps that engineers buy into",
                "From one bill to unit economics",
                "Showback, chargeback and the politics in between",
                "Cost anomaly detection",
            ),
            (
                "cost allocation tags",
                "showback and chargeback",
                "unit economics",
                "budgets and anomaly alerts",
                "cost and usage reports",
            ),
            ("finops", "cost-allocation", "showback", "unit-economics"),
            ("analytics",),
            (
                "The cloud bill arrives as one number, and nobody can say which product caused last month's 30 percent jump.",
                "Finance wants forecasts, engineering wants freedom, and FinOps is where the two negotiate.",
            ),
            (
                "Cost allocation tags enforced at account creation brought unallocated spend from 40 percent to under 5.",
                "Unit economics, such as cost per order, per tenant or per inference, turn cost into a product metric.",
                "Anomaly alerts reach the owning team within hours instead of at month end.",
                "A monthly cost review with each product team takes thirty minutes and replaces a flood of emails.",
            ),
            "We show how to amortize commitments and shared platform costs fairly across teams, and how to handle untaggable resources.",
        ),
        _sub(
            "compute rightsizing and commitments",
            "a rightsizing and commitment plan built from utilization data",
            (
                "Rightsizing without the risk",
                "Commitments: how much is enough?",
                "ARM instances for the rest of us",
                "Spot, savings plans and on-demand in one strategy",
            ),
            (
                "rightsizing recommendations",
                "savings plans",
                "ARM-based instances",
                "spot instances",
                "reserved capacity",
            ),
            ("rightsizing", "savings-plans", "spot", "arm"),
            ("containers",),
            (
                "Instances chosen during a launch crunch three years ago still run at 8 percent CPU.",
                "Commitment purchases are a one-way door, and buying too much hurts as much as buying too little.",
            ),
            (
                "We rank rightsizing opportunities by savings and risk, and automate the safe ones.",
                "Moving to ARM-based instances cut compute cost by about a fifth after a two-sprint porting effort.",
                "A layered commitment strategy covers the steady baseline and leaves spikes to on-demand and spot.",
                "Scheduled scaling turns off development fleets on nights and weekends.",
            ),
            "We model commitment coverage against utilization and find the break-even points for one- and three-year terms.",
        ),
        _sub(
            "cost-aware architecture",
            "a cost model for a three-tier application, with data transfer and storage tiering optimizations",
            (
                "Architecting for cost",
                "The hidden cost of data transfer",
                "Cost as a non-functional requirement",
                "What will this design cost at ten times the traffic?",
            ),
            (
                "data transfer optimization",
                "storage lifecycle policies",
                "serverless pricing models",
                "caching layers",
                "cost fitness functions",
            ),
            ("architecture", "data-transfer", "cost-optimization", "well-architected"),
            ("storage", "networking"),
            (
                "Cross-zone data transfer quietly became the third-largest line item on the bill.",
                "Architecture reviews check security and reliability but rarely ask what a design will cost at ten times the traffic.",
            ),
            (
                "We trace data transfer charges back to chatty services and co-locate them.",
                "Lifecycle policies move logs to archive tiers after thirty days and delete them after a year.",
                "Cost becomes a fitness function in design reviews, estimated per request before launch.",
                "A cache in front of an expensive API paid for itself in the first week.",
            ),
            "We build a cost model for a multi-region architecture and show which design choices dominate it.",
        ),
        _sub(
            "AI cost management",
            "per-feature token budgets and a cost dashboard for a generative AI application",
            (
                "Controlling generative AI costs",
                "GPU utilization is a FinOps problem",
                "Tokens are the new compute",
                "The true cost of self-hosting models",
            ),
            (
                "token budgets",
                "GPU utilization tracking",
                "price-performance model selection",
                "inference caching",
                "batch inference",
            ),
            ("ai-costs", "tokens", "gpu", "finops"),
            ("generative AI",),
            (
                "A generative AI pilot that cost a few hundred dollars a month became a six-figure line item at launch.",
                "GPU clusters reserved for training sit idle between experiments.",
            ),
            (
                "Per-feature token budgets and dashboards show cost per conversation next to satisfaction scores.",
                "Routing simple requests to smaller models and caching frequent answers cut inference spend by more than half.",
                "Shared GPU scheduling across teams raised utilization from 30 to 70 percent.",
                "Trimming retrieved context to what the answer needs cut input tokens per request by a third.",
            ),
            "We calculate the total cost of ownership of self-hosted versus API-based models, including engineering time.",
        ),
        _sub(
            "sustainability and carbon efficiency",
            "a carbon and cost dashboard with automated idle-resource cleanup",
            (
                "Cloud sustainability in practice",
                "Carbon and cost, optimized together",
                "Zombie resources and how to kill them",
                "Greener batch workloads",
            ),
            (
                "carbon footprint reporting",
                "efficient instance families",
                "region selection",
                "idle resource cleanup",
                "scheduled shutdowns",
            ),
            ("sustainability", "carbon", "efficiency", "green-ops"),
            ("industry",),
            (
                "Sustainability reports now need cloud emissions data, and most teams have never looked at it.",
                "Zombie resources waste money and energy long after the project that created them has ended.",
            ),
            (
                "Carbon footprint data is combined with cost data to rank optimizations by both.",
                "Scheduled shutdown of development environments outside working hours saved energy and money.",
                "Running flexible batch jobs in regions with a cleaner grid reduced reported emissions.",
                "A weekly sweep tags, warns and then deletes unattached volumes and forgotten snapshots.",
            ),
            "We discuss the limits of location-based versus market-based emissions accounting for cloud workloads.",
        ),
    ),
)

MLOPS = Track(
    name="MLOps",
    prefix="MLO",
    weight=40,
    audiences=(
        "ML engineers",
        "data scientists moving models to production",
        "platform teams supporting machine learning",
    ),
    metrics=("time to deploy a model", "training cost", "feature staleness", "drift incidents"),
    roles=("MLOps Engineer", "Machine Learning Platform Lead", "ML Specialist Architect"),
    bridges=(
        "Models are versioned, evaluated and promoted through a repeatable pipeline.",
        "Once models are in production, drift monitoring tells the team when to retrain.",
    ),
    subtopics=(
        _sub(
            "ML pipelines and CI/CD for models",
            "an ML pipeline with experiment tracking, a model registry and approval-gated deployment",
            (
                "CI/CD for machine learning",
                "Reproducible ML pipelines",
                "From notebook to production",
                "Model registries and approval workflows",
            ),
            (
                "ML pipelines",
                "model registries",
                "experiment tracking",
                "data versioning",
                "pipeline caching",
            ),
            ("ml-pipelines", "model-registry", "ci-cd", "reproducibility"),
            ("DevOps",),
            (
                "A model that lives in a notebook on one data scientist's laptop is a liability, not an asset.",
                "Nobody can reproduce last spring's model because the training data snapshot was overwritten.",
            ),
            (
                "Pipelines version data, code and hyperparameters together, so any model in the registry can be rebuilt.",
                "A model registry with approval stages gates promotion from staging to production.",
                "Experiment tracking compares hundreds of runs and links the winner to its exact dataset.",
                "Pipeline step caching skips unchanged preprocessing and cuts iteration time in half.",
            ),
            "We discuss data versioning strategies, pipeline caching semantics and deterministic training on GPUs.",
        ),
        _sub(
            "feature stores",
            "a feature store with point-in-time training sets and online lookups for a fraud model",
            (
                "Feature stores explained",
                "Ending training-serving skew",
                "Real-time features for fraud detection",
                "Point-in-time correctness",
            ),
            (
                "feature stores",
                "online and offline features",
                "point-in-time joins",
                "streaming features",
                "feature pipelines",
            ),
            ("feature-store", "features", "training-serving-skew", "real-time"),
            ("databases", "analytics"),
            (
                "The feature computed for training differs subtly from the one computed at serving time, and accuracy drops in production.",
                "Every team re-implements the same customer features in slightly different ways.",
            ),
            (
                "A feature store serves the same definitions offline for training and online with single-digit-millisecond lookups.",
                "Point-in-time correct joins prevent label leakage when building training sets.",
                "Streaming features update a fraud model's view of a card within seconds of each transaction.",
                "A shared feature catalog lets one team reuse another's customer-lifetime-value feature instead of rebuilding it.",
            ),
            "We explore time-travel queries for training sets and consistency guarantees between the online and offline stores.",
        ),
        _sub(
            "model monitoring and drift",
            "drift monitors, a shadow deployment and explainability reports for a credit model",
            (
                "Catching model drift early",
                "Shadow deployments for ML",
                "Explainable models for regulated decisions",
                "Monitoring models, not just servers",
            ),
            (
                "data drift detection",
                "model quality monitoring",
                "shadow deployments",
                "explainability reports",
                "champion-challenger tests",
            ),
            ("monitoring", "drift", "explainability", "model-quality"),
            ("observability",),
            (
                "Models degrade silently when the world changes, and accuracy dashboards update weeks after the labels arrive.",
                "Regulators ask why a model declined a loan, and the team has no good answer.",
            ),
            (
                "Drift monitors compare live feature distributions against the training baseline and alert on meaningful shifts.",
                "Shadow deployments run a challenger model on live traffic without affecting any decisions.",
                "Explainability reports attribute each prediction to its most influential features for auditors.",
                "Delayed labels are joined back to predictions automatically, so quality metrics stay honest.",
            ),
            "We compare drift statistics, including the population stability index, KL divergence and classifier-based tests, and their false-alarm rates.",
        ),
        _sub(
            "distributed training",
            "a multi-node training job with checkpointing and mixed precision",
            (
                "Distributed training without surprises",
                "Checkpointing strategies for long runs",
                "Scaling training from one GPU to sixty-four",
                "Finding the training bottleneck",
            ),
            (
                "distributed data-parallel training",
                "checkpointing",
                "mixed precision",
                "managed training clusters",
                "sharded optimizers",
            ),
            ("distributed-training", "gpu", "checkpointing", "large-models"),
            ("containers", "storage"),
            (
                "A two-week training run that fails on day nine without a checkpoint is a very expensive lesson.",
                "Scaling from one GPU to sixty-four rarely gives sixty-four times the throughput.",
            ),
            (
                "Frequent asynchronous checkpoints to fast storage let jobs resume within minutes after a node failure.",
                "Mixed precision and gradient accumulation fit larger effective batches into the same memory.",
                "We profile a training job and discover it was waiting on data loading, not on compute.",
                "Automatic node health checks evict a flaky accelerator before it corrupts a run.",
            ),
            "We compare data, tensor and pipeline parallelism, sharded optimizers, and communication overhead on different interconnects.",
        ),
        _sub(
            "LLMOps",
            "a versioned prompt, an evaluation gate and an LLM gateway with quotas and fallback",
            (
                "LLMOps: prompts are code",
                "An LLM gateway for the whole company",
                "Governing foundation model usage",
                "Rolling out prompt changes safely",
            ),
            (
                "prompt versioning",
                "LLM gateways",
                "evaluation pipelines",
                "model catalogs",
                "usage quotas",
            ),
            ("llmops", "prompts", "gateways", "governance"),
            ("generative AI",),
            (
                "Prompts are code, but most teams still edit them in production through a web console.",
                "Dozens of teams call foundation models directly with their own keys and no central view of usage.",
            ),
            (
                "Prompts are versioned, reviewed and deployed like any other artifact, with an evaluation run as the gate.",
                "An LLM gateway centralizes credentials, quotas, logging and fallback between providers.",
                "A model catalog documents the approved models, their licences and intended uses.",
                "Every request is tagged by team and feature, turning a single invoice into actionable reports.",
            ),
            "We discuss gateway caching semantics, per-tenant rate limiting and how to roll back a prompt safely while traffic is flowing.",
        ),
    ),
)

IOT = Track(
    name="IoT",
    prefix="IOT",
    weight=30,
    audiences=(
        "embedded and firmware engineers",
        "industrial automation teams",
        "architects designing connected products",
    ),
    metrics=(
        "unplanned downtime",
        "device onboarding time",
        "messaging costs",
        "failed firmware updates",
    ),
    roles=("IoT Specialist", "Embedded Systems Lead", "Industrial IoT Architect"),
    bridges=(
        "Telemetry from connected devices and sensors feeds the pipeline over MQTT.",
        "Edge gateways keep things running at remote sites with intermittent connectivity.",
    ),
    subtopics=(
        _sub(
            "device fleet management",
            "an MQTT device fleet with shadows and a staged over-the-air update",
            (
                "Managing a million devices",
                "Over-the-air updates without bricking the fleet",
                "Device shadows and offline-first apps",
                "Provisioning devices at the factory",
            ),
            (
                "over-the-air updates",
                "device shadows",
                "fleet provisioning",
                "MQTT",
                "jobs with rollout thresholds",
            ),
            ("mqtt", "ota", "device-management", "fleet"),
            ("DevOps",),
            (
                "A bad firmware update bricked twelve thousand smart thermostats in one afternoon.",
                "Provisioning devices on the factory line with unique credentials is harder than it looks.",
            ),
            (
                "Over-the-air updates roll out in waves and halt automatically when failure rates rise.",
                "Device shadows store desired and reported state, so apps keep working while devices are offline.",
                "Fleet provisioning by claim certificates lets devices register securely on first boot.",
                "Fleet indexing answers questions like which devices still run firmware 2.3 in a second.",
            ),
            "We discuss MQTT session persistence, QoS levels, and A/B partition schemes for safe firmware rollback.",
        ),
        _sub(
            "industrial IoT and predictive maintenance",
            "an OPC UA edge gateway feeding an asset model and a predictive maintenance model",
            (
                "Industrial IoT from the plant floor up",
                "Predictive maintenance that pays for itself",
                "OPC UA to the cloud",
                "Comparing production lines across plants",
            ),
            (
                "OPC UA",
                "edge gateways",
                "asset models",
                "predictive maintenance",
                "vibration sensors",
            ),
            ("industrial-iot", "opc-ua", "predictive-maintenance", "manufacturing"),
            ("industry", "MLOps"),
            (
                "Factories generate terabytes of sensor data that never leave the plant floor.",
                "An hour of unplanned downtime on a packaging line costs more than the whole analytics budget.",
            ),
            (
                "Edge gateways collect OPC UA data from PLCs and publish it to a cloud asset model.",
                "Vibration and temperature data train a model that predicts bearing failures days in advance.",
                "An asset hierarchy lets engineers compare overall equipment effectiveness across lines and plants.",
                "Maintenance work orders are created automatically when the failure probability crosses a threshold.",
            ),
            "We look at store-and-forward buffering during connectivity loss and time synchronization across sensors.",
            industries=("manufacturing", "energy", "utilities", "mining"),
        ),
        _sub(
            "edge computing",
            "containerized edge components that run inference offline and sync when connected",
            (
                "Edge computing for disconnected sites",
                "Machine learning on the device",
                "Deploying to ten thousand gateways",
                "Offline-first industrial apps",
            ),
            (
                "edge runtimes",
                "on-device inference",
                "local message brokers",
                "intermittent connectivity",
                "quantized vision models",
            ),
            ("edge", "on-device-ml", "offline", "gateways"),
            ("MLOps",),
            (
                "Sending every video frame to the cloud is too slow and too expensive for quality inspection.",
                "Remote sites lose connectivity for hours and still need to keep working.",
            ),
            (
                "Containerized components deploy to edge gateways from the cloud and keep running offline.",
                "A compact vision model running on the camera flags defects in 30 milliseconds.",
                "Local brokers buffer messages and sync them when the link comes back.",
                "Deployments to edge gateways are staged by site, with automatic rollback on failed health checks.",
            ),
            "We compare model quantization, hardware accelerators and update strategies for thousands of edge nodes.",
        ),
        _sub(
            "IoT security",
            "per-device X.509 certificates, least-privilege MQTT policies and a fleet audit",
            (
                "Securing connected devices",
                "Certificates for a million devices",
                "IoT security from silicon to cloud",
                "When a device goes rogue",
            ),
            (
                "X.509 device certificates",
                "secure elements",
                "fleet security audits",
                "certificate rotation",
                "secure boot",
            ),
            ("iot-security", "certificates", "secure-boot", "device-identity"),
            ("security",),
            (
                "Default passwords and shared credentials still ship on connected devices.",
                "A compromised device can become a foothold into the corporate network.",
            ),
            (
                "Each device gets a unique X.509 certificate, with the private key generated inside a secure element.",
                "Audits flag devices with overly permissive policies or certificates about to expire.",
                "Anomaly detection spots a device that suddenly publishes to unexpected topics.",
                "Topic-level policies ensure a thermostat can publish its own telemetry and nothing else.",
            ),
            "We cover secure boot chains, certificate rotation for long-lived devices and revocation at fleet scale.",
        ),
        _sub(
            "IoT data and digital twins",
            "a telemetry pipeline into time-series storage and a digital twin dashboard",
            (
                "Digital twins that operators use",
                "Time-series data at IoT scale",
                "From telemetry to insight",
                "Building a digital twin of a warehouse",
            ),
            (
                "time-series databases",
                "digital twins",
                "3D scene visualization",
                "telemetry pipelines",
                "downsampling",
            ),
            ("digital-twin", "time-series", "telemetry", "visualization"),
            ("analytics",),
            (
                "Sensor data is stored, but operators still walk the floor with clipboards to understand what is happening.",
                "Time-series data from a million devices overwhelms a general-purpose database.",
            ),
            (
                "A digital twin combines live telemetry with 3D models, so operators see alarms in context.",
                "Time-series storage with downsampling keeps raw data for days and rollups for years.",
                "A telemetry pipeline routes messages by topic to storage, alerting and analytics.",
                "Simulations run against the twin to test a layout change before anyone moves a conveyor.",
            ),
            "We discuss data modeling for twins, time-series query patterns and synchronizing simulated and physical state.",
        ),
    ),
)

DEVOPS = Track(
    name="DevOps",
    prefix="DOP",
    weight=40,
    audiences=(
        "DevOps engineers",
        "developers who own their deployments",
        "engineering leaders measuring software delivery",
    ),
    metrics=("change failure rate", "lead time for changes", "build times", "failed deployments"),
    roles=("DevOps Specialist", "Principal Engineer", "Developer Advocate"),
    bridges=(
        "Everything is defined as code and shipped through CI/CD with automated tests.",
        "Rollouts are progressive, with automatic rollback when alarms fire.",
    ),
    subtopics=(
        _sub(
            "CI/CD and progressive delivery",
            "a pipeline with test sharding, feature flags and alarm-based automatic rollback",
            (
                "Deploying on a Friday afternoon, safely",
                "Progressive delivery with feature flags",
                "Faster pipelines",
                "Automated rollbacks that work",
            ),
            (
                "CI/CD pipelines",
                "progressive delivery",
                "feature flags",
                "automated rollbacks",
                "ephemeral build runners",
            ),
            ("ci-cd", "deployments", "feature-flags", "progressive-delivery"),
            ("observability",),
            (
                "Releases happen once a month because every deployment is a weekend event.",
                "Pipelines grew to ninety minutes, and developers stopped running the full suite.",
            ),
            (
                "Progressive delivery with feature flags decouples deploying code from releasing it.",
                "Automated rollbacks on alarm breaches make a failed deploy a non-event.",
                "Build caching and test sharding cut pipeline time from ninety minutes to twelve.",
                "Deployments pause for a bake period in one zone before continuing to the rest.",
            ),
            "We discuss pipeline security, ephemeral runners and deployment safety with bake times and one-box stages.",
        ),
        _sub(
            "infrastructure as code",
            "reusable infrastructure modules with policy-as-code checks and drift detection",
            (
                "Infrastructure as code at scale",
                "Policy as code before apply",
                "Terraform state without tears",
                "Testing infrastructure code",
            ),
            (
                "Terraform",
                "CDK-style constructs",
                "policy as code",
                "drift detection",
                "ephemeral test environments",
            ),
            ("infrastructure-as-code", "terraform", "policy-as-code", "automation"),
            ("security",),
            (
                "Click-ops created production environments that nobody can recreate.",
                "Terraform state files became a shared bottleneck and a frequent source of outages.",
            ),
            (
                "Reusable modules encode organizational standards, so new services start compliant.",
                "Policy as code checks plans before apply, rejecting public buckets and untagged resources.",
                "Drift detection reports manual changes within the hour.",
                "State is split per service and environment, so one failed apply cannot block the whole company.",
            ),
            "We cover state management strategies, module versioning and testing infrastructure code with ephemeral environments.",
        ),
        _sub(
            "developer productivity and AI assistants",
            "an AI-assisted code review and test-generation workflow for a sample service",
            (
                "Measuring developer productivity honestly",
                "AI coding assistants in the real world",
                "Code review at the speed of AI",
                "Developer experience as a metric",
            ),
            (
                "AI coding assistants",
                "automated code review",
                "developer portals",
                "DORA metrics",
                "AI test generation",
            ),
            ("developer-productivity", "ai-assistants", "dora", "code-review"),
            ("generative AI",),
            (
                "Developers spend less than half their week writing code; the rest goes to waiting, searching and context switching.",
                "AI coding assistants are everywhere, but few teams measure whether they actually help.",
            ),
            (
                "We measure the impact of an AI assistant with DORA metrics and developer surveys rather than lines of code.",
                "Automated review catches common bugs and security issues before a human reviewer looks.",
                "A developer portal makes ownership, docs and runbooks findable in one place.",
                "AI-generated tests are accepted only when they fail against a deliberately broken build.",
            ),
            "We discuss how to evaluate AI-generated code, the quality of generated tests, and guardrails for autonomous pull requests.",
        ),
        _sub(
            "chaos engineering and resilience",
            "a fault injection experiment with stop conditions against a sample microservice",
            (
                "Chaos engineering for the cautious",
                "Game days that teach something",
                "Testing resilience in production",
                "Proving you survive a zone failure",
            ),
            (
                "fault injection experiments",
                "game days",
                "resilience testing",
                "steady-state hypotheses",
                "stop conditions",
            ),
            ("chaos-engineering", "resilience", "game-days", "reliability"),
            ("observability",),
            (
                "Disaster recovery plans that have never been tested tend to fail in the first hour.",
                "Microservice architectures fail in ways no design review predicted.",
            ),
            (
                "Fault injection experiments in production, with guardrails, confirm that losing a zone is absorbed.",
                "Quarterly game days rehearse incidents with real tools and surprise scenarios.",
                "Steady-state hypotheses turn vague resilience goals into testable claims.",
                "Every experiment has automatic stop conditions tied to customer-facing alarms.",
            ),
            "We discuss blast radius control, stop conditions and experiments on dependencies you do not own.",
        ),
        _sub(
            "platform engineering",
            "a self-service environment per pull request, with production-readiness scorecards",
            (
                "Platform engineering as a product",
                "Golden paths developers choose",
                "Self-service environments",
                "Production readiness scorecards",
            ),
            (
                "internal developer platforms",
                "golden paths",
                "self-service environments",
                "service scorecards",
                "software templates",
            ),
            ("platform-engineering", "golden-paths", "self-service", "developer-experience"),
            ("containers",),
            (
                "Ticket-driven infrastructure requests take two weeks, and developers route around the platform team.",
                "Every team maintains its own pipeline templates, and none of them are up to date.",
            ),
            (
                "Self-service environments spin up a full stack for each pull request and tear it down on merge.",
                "Scorecards show which services meet production-readiness standards.",
                "Treating the platform as a product, with user research and a roadmap, raised adoption.",
                "Software templates ship security and observability defaults that teams would otherwise forget.",
            ),
            "We discuss platform APIs, abstraction levels and how to avoid building a worse cloud on top of the cloud.",
        ),
    ),
)

STORAGE = Track(
    name="storage",
    prefix="STG",
    weight=32,
    audiences=(
        "storage administrators",
        "data engineers",
        "architects responsible for backup and recovery",
    ),
    metrics=(
        "storage cost per terabyte",
        "recovery time",
        "failed restores",
        "throughput bottlenecks",
    ),
    roles=("Storage Specialist", "Principal Storage Engineer", "Backup and Recovery Architect"),
    bridges=(
        "Object storage with lifecycle policies keeps the data affordable as it grows.",
        "Backups are immutable and restore-tested on a schedule.",
    ),
    subtopics=(
        _sub(
            "object storage at scale",
            "lifecycle rules, access-based tiering and event notifications on an object storage bucket",
            (
                "Object storage at petabyte scale",
                "Storage tiering on autopilot",
                "Designing object key layouts for throughput",
                "Event-driven object storage",
            ),
            (
                "object storage",
                "lifecycle policies",
                "access-based tiering",
                "event notifications",
                "storage inventory reports",
            ),
            ("object-storage", "lifecycle", "tiering", "data-lakes"),
            ("analytics",),
            (
                "Petabytes of objects nobody has read in two years still sit in the most expensive tier.",
                "Millions of small objects under sequential key prefixes run into request-rate throttling.",
            ),
            (
                "Lifecycle policies and access-based tiering move cold data automatically.",
                "Inventory reports and storage analytics show which prefixes grow and who reads them.",
                "Event notifications trigger processing as soon as an object lands.",
                "Batch operations re-tag and copy a billion objects without a custom script.",
            ),
            "We look at request-rate scaling per prefix, multipart upload tuning, and strong read-after-write consistency.",
        ),
        _sub(
            "backup and disaster recovery",
            "immutable backup vaults with cross-region copies and an automated restore test",
            (
                "Backups ransomware cannot touch",
                "Disaster recovery you have actually tested",
                "Restore testing on autopilot",
                "Recovery objectives in practice",
            ),
            (
                "immutable backups",
                "cross-region replication",
                "point-in-time recovery",
                "recovery drills",
                "logically air-gapped vaults",
            ),
            ("backup", "disaster-recovery", "ransomware", "resilience"),
            ("security",),
            (
                "Ransomware crews now go after the backups first.",
                "Recovery objectives written in a policy document have never been tested against a real restore.",
            ),
            (
                "Immutable, logically air-gapped backup vaults survive even a compromised administrator account.",
                "Cross-region replication and automated restore testing verify recovery time every week.",
                "Centralized backup policies apply to databases, volumes and file systems by tag.",
                "Restore tests boot the application and run smoke tests, not just check that files exist.",
            ),
            "We discuss crash-consistent versus application-consistent snapshots and recovery-time math for large data sets.",
        ),
        _sub(
            "high-performance file storage",
            "a parallel file system linked to object storage feeding a training job",
            (
                "File storage for GPU clusters",
                "Parallel file systems in the cloud",
                "Shared file storage for lift-and-shift apps",
                "Small files, big problems",
            ),
            (
                "parallel file systems",
                "shared NFS storage",
                "Lustre",
                "elastic throughput",
                "metadata caching",
            ),
            ("file-storage", "hpc", "lustre", "nfs"),
            ("MLOps",),
            (
                "GPU clusters starve while waiting for training data from a file system built for home directories.",
                "Lift-and-shift applications still expect a shared POSIX file system.",
            ),
            (
                "A parallel file system linked to object storage feeds training jobs at hundreds of gigabytes per second.",
                "Managed NFS with elastic throughput replaces an ageing on-premises filer.",
                "We benchmark the small-file metadata operations that dominate genomics workloads.",
                "Data repositories hydrate the file system lazily from object storage on first read.",
            ),
            "We look at striping, metadata server scaling and client-side caching for read-heavy ML workloads.",
        ),
        _sub(
            "block storage performance",
            "right-sized block volumes with snapshot-based test clones",
            (
                "Block storage performance tuning",
                "IOPS, throughput and latency explained",
                "Fast clones for test data",
                "Storage for transactional databases",
            ),
            (
                "block volumes",
                "incremental snapshots",
                "provisioned IOPS",
                "volume modifications",
                "fast snapshot restore",
            ),
            ("block-storage", "iops", "snapshots", "performance"),
            ("databases",),
            (
                "Database latency spikes were traced back to burst credits running out on a storage volume.",
                "Over-provisioned IOPS cost more than the database instance itself.",
            ),
            (
                "We right-size volume types and IOPS from observed metrics rather than guesses.",
                "Incremental snapshots enable fast clones of production data for testing.",
                "Volume modifications change performance without downtime.",
                "Fast snapshot restore removes the first-read penalty when a clone starts serving traffic.",
            ),
            "We discuss queue depth, I/O size and latency percentiles for transactional workloads.",
        ),
        _sub(
            "data transfer and hybrid storage",
            "an online transfer task with verification and a file gateway cache",
            (
                "Moving petabytes to the cloud",
                "Hybrid storage with file gateways",
                "Online versus offline data transfer",
                "Keeping on-premises and cloud storage in sync",
            ),
            (
                "online data transfer agents",
                "storage gateways",
                "offline transfer devices",
                "data synchronization",
                "bandwidth throttling",
            ),
            ("data-transfer", "hybrid-storage", "migration", "sync"),
            ("migration",),
            (
                "Moving two petabytes over a shared internet link would take longer than the data center lease has left.",
                "On-premises applications need cloud storage without anyone rewriting file paths.",
            ),
            (
                "Online transfer agents copy data with verification and bandwidth throttling.",
                "Storage gateways present cloud storage as local file shares with a local cache.",
                "Offline transfer devices move hundreds of terabytes when the network cannot.",
                "Incremental syncs in the final week shrink the cutover window to minutes.",
            ),
            "We compare transfer methods by throughput, cost and validation, and show how to cut over without data loss.",
        ),
    ),
)

MIGRATION = Track(
    name="migration",
    prefix="MIG",
    weight=36,
    audiences=(
        "IT leaders planning a data center exit",
        "architects leading migration waves",
        "teams modernizing legacy applications",
    ),
    metrics=(
        "data center costs",
        "application downtime during cutover",
        "time per migration wave",
        "legacy licence spend",
    ),
    roles=("Migration Specialist", "Modernization Architect", "Migration Program Lead"),
    bridges=(
        "We also cover how to move existing workloads across without a big-bang cutover.",
        "A phased plan keeps the legacy system running until the new one has proven itself.",
    ),
    subtopics=(
        _sub(
            "large-scale migration programs",
            "a migration wave plan from discovery data, with a landing zone ready for it",
            (
                "Planning a data center exit",
                "Migration waves that keep moving",
                "Landing zones before lift-and-shift",
                "The migration factory",
            ),
            (
                "portfolio discovery",
                "migration waves",
                "landing zones",
                "the seven Rs",
                "dependency mapping",
            ),
            ("migration", "data-center-exit", "landing-zone", "planning"),
            ("networking",),
            (
                "A data center lease ends in eighteen months and two thousand servers need a new home.",
                "Migration programs stall after the easy first wave.",
            ),
            (
                "Discovery tools map dependencies, so each wave moves application groups that talk to each other.",
                "A migration factory with repeatable runbooks moves fifty servers a week.",
                "A well-designed landing zone sets up accounts, networking and guardrails before the first wave.",
                "Each application gets one of the seven Rs, and the decision is revisited after discovery data arrives.",
            ),
            "We discuss wave planning, cutover rehearsal and rollback plans for tightly coupled systems.",
        ),
        _sub(
            "mainframe modernization",
            "a COBOL batch job refactored to Java and validated side by side with the original",
            (
                "Mainframe modernization without the big bang",
                "COBOL to Java, validated",
                "Moving mainframe batch first",
                "Generative AI for legacy code",
            ),
            (
                "COBOL refactoring",
                "mainframe replatforming",
                "batch modernization",
                "automated code conversion",
                "EBCDIC data conversion",
            ),
            ("mainframe", "cobol", "modernization", "legacy"),
            ("generative AI",),
            (
                "The COBOL experts who wrote the core banking system are retiring.",
                "Mainframe MIPS costs rise every year while the business asks for faster change.",
            ),
            (
                "Automated refactoring converts COBOL to Java while keeping behaviour identical.",
                "Batch jobs move first, running side by side with the mainframe for validation.",
                "Generative AI explains legacy programs and documents the business rules buried in them.",
                "Copybooks become schemas, and VSAM files become relational tables.",
            ),
            "We cover EBCDIC data conversion, CICS transaction mapping and equivalence testing across platforms.",
        ),
        _sub(
            "application modernization",
            "a strangler-fig routing layer that carves one capability out of a monolith",
            (
                "Strangling the monolith",
                "Modernizing without a rewrite",
                "Domain-driven design for legacy systems",
                "Containerize first, decompose later",
            ),
            (
                "the strangler fig pattern",
                "microservices decomposition",
                "containerized monoliths",
                "domain-driven design",
                "anti-corruption layers",
            ),
            ("modernization", "microservices", "strangler-fig", "monolith"),
            ("containers",),
            (
                "A fifteen-year-old monolith blocks every release behind a two-week regression cycle.",
                "Rewriting from scratch has already failed twice.",
            ),
            (
                "The strangler fig pattern routes one capability at a time to new services.",
                "Domain-driven design workshops identify bounded contexts before any code is touched.",
                "Containerizing the monolith first gives quick wins while decomposition continues.",
                "An anti-corruption layer keeps the legacy data model from leaking into new services.",
            ),
            "We discuss data ownership during decomposition, dual writes and anti-corruption layers.",
        ),
        _sub(
            "VMware and Windows workload migration",
            "VM replication to the cloud and a .NET Framework app ported to a Linux container",
            (
                "Leaving the hypervisor behind",
                "Windows workloads in the cloud",
                ".NET modernization paths",
                "Licence optimization during migration",
            ),
            (
                "VM replication",
                "Windows workloads",
                ".NET modernization",
                "licence optimization",
                "SQL Server high availability",
            ),
            ("vmware", "windows", "dotnet", "licensing"),
            ("cost",),
            (
                "Virtualization licence changes forced a decision: renew at triple the price or move.",
                "Hundreds of Windows servers run .NET Framework apps that nobody wants to touch.",
            ),
            (
                "Block-level replication moves virtual machines with minutes of downtime.",
                "Licence optimization with bring-your-own and included licences avoids paying twice.",
                "Porting .NET Framework code to modern .NET opens the door to Linux containers.",
                "Active Directory placement is decided early, because everything else depends on it.",
            ),
            "We cover driver changes, domain controller placement and SQL Server high-availability options after migration.",
        ),
        _sub(
            "data migration",
            "a full load plus change-data-capture migration with automated validation",
            (
                "Data migration you can prove",
                "Cutover in twenty minutes",
                "Validating every row",
                "Migrating a 40-terabyte database",
            ),
            (
                "database migration services",
                "bulk data loads",
                "validation frameworks",
                "cutover runbooks",
                "change data capture",
            ),
            ("data-migration", "cdc", "validation", "cutover"),
            ("databases", "storage"),
            (
                "Data migrations rarely fail at copying bytes; they fail at proving the copy is correct.",
                "A 40-terabyte database cannot be offline for more than an hour.",
            ),
            (
                "A full load plus change data capture keeps the target in sync until cutover.",
                "Row counts, checksums and sampled comparisons validate every table automatically.",
                "A rehearsed cutover runbook shrinks the downtime window to twenty minutes.",
                "Reverse replication after cutover keeps a way back open for the first week.",
            ),
            "We discuss LOB handling, parallel load tuning and how to resume after a failed CDC task.",
        ),
    ),
)

INDUSTRY = Track(
    name="industry",
    prefix="IND",
    weight=36,
    audiences=(
        "technology leaders in regulated industries",
        "line-of-business leaders",
        "architects in healthcare, finance, retail and manufacturing",
    ),
    metrics=(
        "time to market",
        "customer churn",
        "regulatory audit findings",
        "manual processing time",
    ),
    roles=("Industry Specialist", "Industry Technologist", "Solutions Architect, Industries"),
    bridges=(
        "Examples come from regulated industries, including healthcare and financial services.",
        "Customer examples span retail, manufacturing and the public sector.",
    ),
    subtopics=(
        _sub(
            "cloud and AI in financial services",
            "a real-time payment fraud scoring service with an explainable model",
            (
                "Real-time payments, real-time fraud",
                "Cloud resilience for banks",
                "Open banking APIs",
                "Regulatory reporting from a governed data lake",
            ),
            (
                "real-time payments",
                "fraud detection models",
                "regulatory reporting",
                "core banking APIs",
                "strong customer authentication",
            ),
            ("financial-services", "fraud", "payments", "compliance"),
            ("security", "analytics"),
            (
                "Instant payments leave seconds, not hours, to decide whether a transfer is fraud.",
                "Regulators expect resilience plans that prove critical services survive a region outage.",
            ),
            (
                "A streaming fraud model scores each payment in under fifty milliseconds.",
                "Regulatory reports are generated from a governed data lake instead of spreadsheets.",
                "Open banking APIs expose accounts to partners with strong customer authentication.",
                "Mule-account detection links transactions into graphs that a single-payment model cannot see.",
            ),
            "We discuss model risk management, explainability requirements and resilience testing under financial regulation.",
            industries=("banking", "fintech", "insurance"),
        ),
        _sub(
            "cloud and AI in healthcare and life sciences",
            "a FHIR API over patient records and a clinical note summarization prototype",
            (
                "Interoperable healthcare data with FHIR",
                "Generative AI for clinical documentation",
                "Genomics at scale",
                "Accelerating drug discovery with the cloud",
            ),
            (
                "FHIR APIs",
                "genomics pipelines",
                "clinical NLP",
                "HIPAA-eligible services",
                "de-identification",
            ),
            ("healthcare", "fhir", "genomics", "life-sciences"),
            ("generative AI", "analytics"),
            (
                "Clinicians spend two hours on documentation for every hour with patients.",
                "Genomics data doubles every few months, and pipelines built for one lab do not scale.",
            ),
            (
                "FHIR APIs unify patient records from several electronic health record systems.",
                "A clinical documentation assistant drafts visit notes that physicians review and sign.",
                "Genomics pipelines run thousands of samples in parallel on spot capacity.",
                "De-identified data sets let researchers work on real-world evidence without exposing patients.",
            ),
            "We discuss de-identification, consent management and the validation of AI in clinical workflows.",
            industries=("healthcare", "pharmaceutical", "life sciences"),
        ),
        _sub(
            "cloud and AI in retail and consumer goods",
            "a real-time product recommendation service and a shopping assistant over catalog data",
            (
                "Retail personalization in real time",
                "Forecasting demand store by store",
                "Surviving Black Friday",
                "Conversational commerce",
            ),
            (
                "personalization engines",
                "demand forecasting",
                "inventory visibility",
                "conversational commerce",
                "load testing",
            ),
            ("retail", "personalization", "forecasting", "ecommerce"),
            ("analytics", "generative AI"),
            (
                "Black Friday traffic is ten times normal, and every second of latency costs sales.",
                "Stores and online channels disagree about inventory, and customers find out at checkout.",
            ),
            (
                "A personalization engine ranks products using real-time session behaviour.",
                "Demand forecasting at store and SKU level reduced both stockouts and waste.",
                "A shopping assistant answers product questions from catalog data and customer reviews.",
                "A single inventory service reconciles store, warehouse and in-transit stock every few seconds.",
            ),
            "We discuss feature design for recommendations, forecast hierarchy reconciliation and load testing for peak events.",
            industries=(
                "retail",
                "grocery retail",
                "fashion retail",
                "e-commerce",
                "consumer goods",
            ),
        ),
        _sub(
            "cloud and AI in manufacturing and automotive",
            "a computer vision inspection model trained on weld images and deployed to the line",
            (
                "The software-defined vehicle",
                "Computer vision on the production line",
                "Supply chain visibility",
                "Smart factories in practice",
            ),
            (
                "smart factory platforms",
                "computer vision inspection",
                "software-defined vehicles",
                "supply chain visibility",
                "hardware-in-the-loop simulation",
            ),
            ("manufacturing", "automotive", "computer-vision", "supply-chain"),
            ("IoT",),
            (
                "Quality defects found at the end of the line mean scrapping hours of production.",
                "Cars now ship with more code than some operating systems.",
            ),
            (
                "Computer vision inspects welds and paint on every unit, not just a sample.",
                "Vehicle software is built and tested in virtual environments before the hardware exists.",
                "Supply chain visibility connects supplier data to flag shortages weeks earlier.",
                "Telemetry from test fleets flows into a data lake that engineers query the next morning.",
            ),
            "We discuss hardware-in-the-loop simulation at cloud scale and data pipelines for vehicle fleets.",
            industries=("manufacturing", "automotive", "semiconductor"),
        ),
        _sub(
            "cloud and AI in media, games and telecom",
            "a game server fleet that scales with matchmaking demand across regions",
            (
                "Streaming live sport to millions",
                "Game servers close to every player",
                "Cloud-native 5G",
                "Personalized media experiences",
            ),
            (
                "live video streaming",
                "game server fleets",
                "5G network functions",
                "content recommendation",
                "low-latency streaming protocols",
            ),
            ("media", "gaming", "telecom", "streaming"),
            ("networking",),
            (
                "A live sports final can bring twenty million concurrent viewers within a minute.",
                "Multiplayer games need servers within 50 milliseconds of every player.",
            ),
            (
                "Live streaming pipelines transcode and package video across regions with automatic failover.",
                "Game servers scale with matchmaking demand across dozens of locations.",
                "Cloud-native 5G network functions run on Kubernetes at the edge.",
                "Recommendation models refresh hourly from viewing events, so the home screen reflects last night's finale.",
            ),
            "We discuss origin shielding, low-latency streaming protocols and network function placement.",
            industries=("media", "gaming", "telecommunications", "media streaming", "sports media"),
        ),
        _sub(
            "cloud and AI in the public sector and education",
            "an intelligent document processing pipeline for benefit applications",
            (
                "Digital public services",
                "Sovereignty by design",
                "Document processing for government",
                "Cloud for universities",
            ),
            (
                "citizen services portals",
                "sovereignty controls",
                "intelligent document processing",
                "accessibility testing",
                "learning platforms",
            ),
            ("public-sector", "sovereignty", "education", "document-processing"),
            ("security",),
            (
                "Citizens expect digital services as good as their banking app, on budgets set years ago.",
                "Data sovereignty rules shape every architecture decision.",
            ),
            (
                "Intelligent document processing handles benefit applications in days instead of weeks.",
                "Sovereignty controls restrict data and operations to national boundaries.",
                "A university moved its learning platform to the cloud and scaled smoothly through exam week.",
                "Accessibility checks run in CI, so every release meets the standard before it ships.",
            ),
            "We discuss procurement-friendly architectures, accreditation and accessibility testing at scale.",
            industries=("public sector", "higher education", "education technology"),
        ),
    ),
)

TRACKS: tuple[Track, ...] = (
    GEN_AI,
    SECURITY,
    SERVERLESS,
    DATABASES,
    ANALYTICS,
    CONTAINERS,
    NETWORKING,
    OBSERVABILITY,
    COST,
    MLOPS,
    IOT,
    DEVOPS,
    STORAGE,
    MIGRATION,
    INDUSTRY,
)
TRACK_BY_NAME = {t.name: t for t in TRACKS}
TOPICS: tuple[str, ...] = tuple(t.name for t in TRACKS)

# Track-wide practices: specific to the track but not to one subtopic, which widens the
# vocabulary that sessions in the same track share without repeating subtopic sentences.
TRACK_DETAILS: dict[str, tuple[str, ...]] = {
    "generative AI": (
        "Prompts, model versions and retrieval settings are recorded with each response, so any answer can be reproduced weeks later.",
        "We treat the model as one component among many, wrapped in ordinary engineering: tests, timeouts, retries and fallbacks.",
        "A feedback button in the interface turns every thumbs-down into a labelled example for the next evaluation run.",
        "Latency budgets are split across retrieval, generation and post-processing, and each stage has its own alarm.",
        "We show the token accounting for a typical conversation, line by line.",
    ),
    "security": (
        "Findings are routed to the owning team with a deadline, instead of landing in a shared security inbox.",
        "Controls are mapped to the compliance frameworks auditors ask about, so evidence collection becomes a query.",
        "Break-glass access is time-boxed, approved in chat and fully logged.",
        "New preventive controls roll out in audit-only mode first, so nothing breaks on day one.",
        "Security tooling is deployed into every account automatically at the moment the account is created.",
    ),
    "serverless": (
        "Each function has a single purpose, its own least-privilege role and a timeout measured in seconds, not minutes.",
        "Local emulation covers the inner loop, but every pull request also deploys a real ephemeral stack.",
        "Configuration lives in a parameter store, so flipping a feature toggle never needs a redeploy.",
        "We reveal the monthly bill for a system serving forty million requests, and it is smaller than you might think.",
        "Structured logs with correlation IDs make it possible to follow one request through a dozen functions.",
    ),
    "databases": (
        "Schema changes roll out with an expand-and-contract pattern, so old and new application versions run side by side.",
        "Connection limits, statement timeouts and slow-query logging are set before launch rather than after the first incident.",
        "Backups are verified by restoring them into a scratch environment every night.",
        "Read-heavy and write-heavy paths are separated early, which keeps later scaling options open.",
        "Benchmarks use production-like data volumes, because ten thousand test rows hide every real problem.",
    ),
    "analytics": (
        "Pipelines publish freshness and row-count metrics, and stale tables are flagged on the dashboards that use them.",
        "Raw, cleaned and curated zones each have clear owners and retention rules.",
        "Expensive queries are tagged by team, and the top ten are reviewed every month.",
        "Analysts get a sandbox with production-shaped data that contains no personal information.",
        "A month of historical data is replayed to prove the new pipeline produces the same numbers as the old one.",
    ),
    "containers": (
        "Every image is built once, scanned, signed and promoted unchanged from staging to production.",
        "Resource requests are set from observed usage rather than guesses, and revisited every quarter.",
        "Cluster upgrades follow a fixed cadence and are rehearsed first on a cluster that runs only internal tools.",
        "Readiness and liveness probes reflect real dependencies, not just an HTTP 200 from a health endpoint.",
        "Graceful shutdown handling means that scaling in never drops a request.",
    ),
    "networking": (
        "All network changes go through code review and are applied by a pipeline, never by hand in a console.",
        "We draw the packet path of a single request from a laptop to the database and back.",
        "Egress is allowlisted by domain, so a compromised workload cannot reach arbitrary hosts.",
        "Connectivity tests run continuously, so a broken route is spotted before users report it.",
        "IPv6 runs alongside IPv4 to get ahead of address exhaustion in the largest VPCs.",
    ),
    "observability": (
        "Dashboards are defined as code and reviewed like any other change.",
        "Every service publishes the same golden signals, so on-call engineers never face an unfamiliar layout at night.",
        "Telemetry carries the deployment version and feature-flag state, tying regressions to a specific change.",
        "Synthetic canaries exercise critical user journeys every minute from several locations.",
        "Exemplars link a latency spike on a metric graph straight to a representative trace.",
    ),
    "cost": (
        "Savings are tracked against a baseline, so wins are not quietly eroded by new growth.",
        "Engineers see the cost of their own services in the same dashboards they use for latency and errors.",
        "Optimization work enters the regular backlog with an estimated monthly saving attached.",
        "Forecasts combine historical trends with planned launches from the product roadmap.",
        "We show the actual cost reports before and after each change, not projections.",
    ),
    "MLOps": (
        "Training and inference environments are built from the same container image to avoid dependency drift.",
        "Every model ships with a model card describing its data, metrics and known limitations.",
        "GPU quotas are assigned per team, with unused capacity lent to others overnight.",
        "Retraining is triggered by data and performance thresholds, not by the calendar.",
        "Data scientists keep working in notebooks while the pipeline turns their code into tested, scheduled jobs.",
    ),
    "IoT": (
        "Firmware and cloud components are versioned together, so compatibility is tested before anything ships.",
        "Message payloads are compact and schema-versioned to keep cellular data costs low.",
        "Devices report battery, signal strength and memory alongside their business telemetry.",
        "A device simulator generates realistic load from a hundred thousand virtual devices before launch.",
        "Field technicians use a mobile app that reads device state directly over a local connection.",
    ),
    "DevOps": (
        "Every change, configuration included, goes through the same reviewed pipeline.",
        "Build artifacts are immutable and traceable to the exact commit and pipeline run that produced them.",
        "Teams own their services end to end, including on-call, with the platform team as an enabler.",
        "Pipelines publish DORA metrics automatically, so improvement conversations start from data.",
        "Flaky tests are quarantined automatically and tracked until someone fixes them.",
    ),
    "storage": (
        "Storage classes are chosen from measured access patterns rather than assumptions about what is hot.",
        "Encryption, versioning and public-access blocks are enforced by policy on every new bucket.",
        "Capacity dashboards project when each system will hit its limits at the current growth rate.",
        "Retention rules come from legal requirements, and deletion is automated once they expire.",
        "Throughput is measured with realistic object sizes and concurrency, not synthetic best cases.",
    ),
    "migration": (
        "Each wave ends with a retrospective, and the runbook is updated before the next wave starts.",
        "Business owners sign off on test results before any production cutover.",
        "Quick wins early in the program fund the harder modernization work later on.",
        "Legacy monitoring is mirrored in the cloud before cutover, so nobody flies blind on day one.",
        "Rollback criteria are agreed in advance, with a named person empowered to call it.",
    ),
    "industry": (
        "Compliance requirements are treated as design inputs from the first workshop, not as a final review.",
        "Domain experts sit with the engineers throughout, so the solution fits how people actually work.",
        "The program started with one high-value use case and expanded only after it showed results.",
        "Data from legacy systems is integrated through APIs rather than nightly file drops.",
        "Success is measured in business outcomes agreed with leadership, not in systems deployed.",
    ),
}

# --------------------------------------------------------------------------------------------
# Shared sentence pools. Placeholders: {sub} {tech} {tech2} {build} {aud} {metric} {company}
# {industry} {a_industry} {pct} {n} {months}. No template starts with a lowercase placeholder,
# so sentences never need re-capitalizing (which would mangle names like "eBPF").
# --------------------------------------------------------------------------------------------

GENERIC_OPENERS = (
    "Everyone wants {sub}; far fewer teams have taken it beyond a pilot.",
    "What does {sub} look like when it has to survive real traffic, real budgets and real auditors?",
    "If adopting {tech} is on your roadmap for next year, this session is meant to save you a few months.",
    "Ask ten architects how to approach {sub} and you will get eleven answers.",
    "Over the past year we reviewed dozens of designs for {sub}, and the same handful of mistakes kept coming up.",
    "There is a wide gap between the quick-start guide for {tech} and what a production rollout really needs.",
    "The hard part of {sub} is rarely the technology; it is ownership, defaults and the edge cases nobody planned for.",
    "Teams adopting {tech} often discover the second-order problems only after launch.",
    "Twelve months ago, {sub} was an experiment for most teams we work with; today it sits on the critical path.",
    "Why do so many initiatives around {sub} stall after a promising proof of concept?",
)
GENERIC_APPROACHES = (
    "We pair {tech} with {tech2} and explain which responsibilities belong to each.",
    "The reference design relies on {tech} for the heavy lifting and on {tech2} where control matters more than convenience.",
    "Expect concrete configuration rather than marketing diagrams: we show the settings we changed and why.",
    "Two designs are compared side by side, one centred on {tech} and one on {tech2}, and scored on cost, latency and operability.",
    "Along the way you will see the failure modes we hit first, and the alarms that now catch them.",
    "We start with a minimal version and introduce {tech2} only when the metrics justify it.",
    "The architecture is presented one decision at a time, each backed by a measurement rather than an opinion.",
    "We are candid about trade-offs, including one place where {tech} turned out to be the wrong choice.",
    "A short section covers day-two operations: upgrades, runbooks and what breaks at three in the morning.",
)
DEMOS = (
    "A live demo shows {tech} coping with a simulated traffic spike.",
    "We demo the full flow end to end, including what happens when one component fails halfway through.",
    "The demo uses a sample {industry} application, so you can map each step onto your own environment.",
    "Expect at least one live demo and a tour of the dashboards an operator would actually watch.",
    "You will see a before-and-after demo with the relevant metrics on screen.",
)
STORY_LEADS = (
    "When {company}, {a_industry} company, saw {metric} climbing quarter after quarter, it rebuilt its approach to {sub} from scratch.",
    "Eighteen months ago, {company} had no coherent strategy for {sub}; today {n} teams share one platform.",
    "At {company}, {a_industry} business, a near-miss incident turned {sub} from a backlog item into a board-level priority.",
)
STORY_BODIES = (
    "{company}, {a_industry} company, shares how it adopted {tech} and how {metric} fell by {pct} percent within {months} months.",
    "Engineers from {company} explain why their first attempt with {tech} failed, and what the second attempt did differently.",
    "You will hear from {company}, which runs {tech} across {n} teams and cut {metric} by {pct} percent.",
    "The customer story comes from {company} in {industry}: a small platform team, an aggressive deadline and {tech} at the centre.",
    "{company} brings its production numbers, including a {pct} percent drop in {metric} and a regression it did not see coming.",
    "For {company}, the turning point was treating {sub} as a product with an owner rather than a side project.",
    "{company}, {a_industry} company, walks through its rollout to {n} teams and the lightweight governance that made it stick.",
    "Co-presenters from {company} show the dashboards they review every week and explain why {metric} is the number they watch.",
)
HANDS_ON: dict[str, tuple[str, ...]] = {
    "workshop": (
        "Bring your laptop: over two hours you will build {build}, step by step, in a sandbox account we provide.",
        "This is a hands-on workshop, so expect to spend most of the time at the keyboard rather than watching slides.",
        "You will work in small groups through four lab modules, each ending in a checkpoint you can verify.",
        "All you need is a laptop with a modern browser; every tool runs in a cloud IDE that is ready when you sit down.",
        "By the end of the lab you will have deployed {build}, tested it and torn it down again.",
        "Instructors circulate during the labs, so bring the questions your own project raises.",
    ),
    "builders' session": (
        "Builders' sessions seat ten people around one expert; bring a laptop and build {build} alongside them.",
        "In this small-group session you will build {build} with guidance from people who run it in production.",
        "Laptops are required: you get a preconfigured environment and leave with a working prototype of your own.",
        "Expect little presenting and a lot of building, with questions welcome at any point.",
    ),
    "code talk": (
        "This code talk is live coding from start to finish, with no slides after the first five minutes.",
        "We write the code live in an editor on screen, explaining every decision as we build {build}.",
        "Watch us refactor a working but naive implementation into a production-ready one, commit by commit.",
        "All the code shown on stage is published afterwards, so you can focus on the reasoning instead of copying.",
    ),
    "chalk talk": (
        "This is an interactive chalk talk: we sketch the architecture on a whiteboard and let your questions steer the discussion.",
        "Come with your own scenario, because the second half is open discussion around the whiteboard.",
        "Expect few slides and many diagrams drawn live, shaped by the questions in the room.",
    ),
    "lightning talk": (
        "In twenty minutes we cover the three changes that made the biggest difference.",
        "A fast-paced lightning talk: one idea, one demo and one slide of links to follow up on.",
        "Short and opinionated, this talk squeezes a year of lessons into twenty minutes.",
    ),
    "breakout": DEMOS,
}
HANDS_ON_COUNT = {
    "workshop": 2,
    "builders' session": 2,
    "code talk": 2,
    "chalk talk": 1,
    "lightning talk": 1,
    "breakout": 1,
}
LEVEL_NOTES: dict[int, tuple[str, ...]] = {
    100: (
        "No prior experience with {tech} is assumed; we start from first principles.",
        "If you are new to {sub}, this is the place to start.",
        "Jargon is kept to a minimum, and terms such as {tech} are explained the first time they appear.",
        "Newcomers to {sub} are very welcome, and no setup is needed to follow along.",
        "This introductory session explains what {tech} is, when it helps and what it costs.",
    ),
    200: (
        "Some familiarity with {tech} helps but is not required.",
        "A basic understanding of cloud fundamentals is enough to follow the discussion of {tech}.",
        "We move from the basics of {sub} to a realistic design within the first fifteen minutes.",
        "A rough idea of where {tech} fits is all you need; we take care of the rest.",
        "Intermediate level: we assume general cloud experience but nothing specific about {tech2}.",
    ),
    300: (
        "We assume you have used {tech} in at least one project.",
        "Attendees should be comfortable with the basics of {sub}; we spend our time on design trade-offs.",
        "This session assumes hands-on experience with {tech} and skips the introductory material.",
        "Advanced level: expect architecture diagrams, real configuration for {tech2} and real numbers.",
        "You will get the most from it if you already run {tech} or {tech2} in production.",
    ),
    400: (
        "This is an expert-level session that assumes working knowledge of {tech} and {tech2}.",
        "Come ready for internals: there is almost no introductory material on {sub}.",
        "Expect benchmarks, edge cases and configuration flags for {tech} rather than overviews.",
        "Expert level: we assume you have lived with {sub} in production for a while.",
        "We skip the fundamentals of {sub} entirely and spend the hour on the failure modes of {tech}.",
    ),
}
TAKEAWAYS = (
    "You will leave with a reference architecture for {sub}, a checklist and sample code you can run.",
    "Takeaways include a concrete first step you can take next week and a maturity model for {sub}.",
    "Walk out with a decision framework for when to use {tech}, and when not to.",
    "You will learn which metrics to track, starting with {metric}.",
    "We close with the five questions to ask before you start a project involving {sub}.",
    "By the end you will be able to estimate the effort, cost and risk of adopting {tech}.",
    "Slides, templates and a runnable sample repository are shared after the session.",
    "You will take home a set of patterns, anti-patterns and the alarms we recommend for {sub}.",
    "Attendees get a one-page runbook covering {tech} and {tech2}.",
    "Leave with a prioritized backlog of improvements to {metric} that you can adapt to your own organization.",
    "The session ends with a short list of open-source tools for {sub} that we trust.",
    "Expect to leave knowing which of your current {tech} settings deserve a second look.",
)
AUDIENCE_NOTES = (
    "This session is for {aud}.",
    "It is aimed at {aud}, though anyone curious about {sub} is welcome.",
    "Best suited to {aud}.",
    "We wrote this one with {aud} in mind.",
)

TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "any": (
        "{stem}",
        "{stem}",
        "{stem} in practice",
        "{stem}: patterns and pitfalls",
        "{stem}: what we learned",
        "{stem}: a field guide",
    ),
    "story": (
        "{stem}: lessons from {company}",
        "How {company} approaches {sub}",
        "{stem} at {company}",
    ),
    "tech": ("{stem} with {tech}",),
    "100": ("{stem}: the essentials", "Getting started: {stem}", "Introduction to {sub}"),
    "400": ("Deep dive: {stem}", "{stem}: under the hood", "{stem}, the hard parts"),
    "workshop": ("Workshop: {stem}", "Hands-on workshop: {stem}", "Hands-on with {sub}"),
    "builders' session": ("Builders' session: {stem}", "Build it yourself: {stem}"),
    "code talk": ("Code talk: {stem}", "{stem}, live-coded", "Live coding: {stem}"),
    "chalk talk": ("Chalk talk: {stem}", "Whiteboarding {sub}", "{stem}: an open discussion"),
    "lightning talk": ("{stem} in 20 minutes", "Lightning: {stem}", "{stem}: three quick wins"),
}

# --------------------------------------------------------------------------------------------
# People, companies and places (all invented)
# --------------------------------------------------------------------------------------------

HOST_COMPANY = "Stratoline Cloud"
FIRST_NAMES = (
    "Aisha",
    "Mateo",
    "Priya",
    "Kenji",
    "Olusegun",
    "Ingrid",
    "Wei",
    "Fatima",
    "Lucas",
    "Ananya",
    "Tomás",
    "Yuki",
    "Chidi",
    "Sofia",
    "Rahul",
    "Leila",
    "Mikhail",
    "Amara",
    "Diego",
    "Hana",
    "Emeka",
    "Freya",
    "Arjun",
    "Noor",
    "Carlos",
    "Mei",
    "Kwame",
    "Elif",
    "Sven",
    "Zanele",
    "Ravi",
    "Camila",
    "Jonas",
    "Aiko",
    "Tariq",
    "Nadia",
    "Pedro",
    "Siobhan",
    "Hyun-woo",
    "Isabela",
    "Omar",
    "Linnea",
    "Kofi",
    "Valentina",
    "Dmitri",
    "Sakura",
    "Adebayo",
    "Chloé",
    "Ibrahim",
    "Marta",
    "Jae-won",
    "Ayelet",
    "Thabo",
    "Rosa",
    "Anders",
    "Lakshmi",
    "Gabriel",
    "Yasmin",
    "Niamh",
    "Bao",
    "Esperanza",
    "Matthias",
    "Keira",
    "Farid",
    "Ngozi",
    "Luca",
    "Anjali",
    "Haruto",
    "Beatriz",
    "Malik",
)
LAST_NAMES = (
    "Okafor",
    "Lindqvist",
    "Nakamura",
    "Fernández",
    "Chatterjee",
    "Kowalski",
    "Mensah",
    "Haddad",
    "Moreau",
    "Tanaka",
    "O'Connell",
    "Adeyemi",
    "Petrov",
    "Castillo",
    "Srinivasan",
    "Nguyen",
    "Müller",
    "Achebe",
    "Rossi",
    "Kim",
    "Dubois",
    "Mwangi",
    "Hansen",
    "Yilmaz",
    "Zhou",
    "Oyelaran",
    "Vasquez",
    "Kapoor",
    "Novak",
    "Bergström",
    "Obi",
    "Takahashi",
    "Delgado",
    "Iyer",
    "Schäfer",
    "Abdi",
    "Costa",
    "Larsen",
    "Park",
    "Rahman",
    "Silva",
    "Horvath",
    "Eze",
    "Ito",
    "Ramírez",
    "Jensen",
    "Banerjee",
    "Ferreira",
    "Mahlangu",
    "Sato",
    "Quintero",
    "Aziz",
    "Lund",
    "Oduya",
    "Lim",
    "Varga",
    "Pillai",
    "Brennan",
    "Cohen",
    "Dlamini",
    "Kaur",
    "Fischer",
    "Osei",
    "Romano",
)
SENIORITY = ("", "Senior ", "Principal ", "Lead ")
RANKED_WORDS = ("Senior", "Principal", "Staff", "Lead", "Head", "Chief", "Manager")
CUSTOMERS: tuple[tuple[str, str], ...] = (
    ("Kestrel Health", "healthcare"),
    ("Brightwater Bank", "banking"),
    ("Lumen & Loom", "retail"),
    ("Halcyon Freight", "logistics"),
    ("Vantage Mutual", "insurance"),
    ("Corvid Games", "gaming"),
    ("Orchard Lane Grocers", "grocery retail"),
    ("Tessellate Robotics", "manufacturing"),
    ("Bluefin Media Group", "media"),
    ("Sierra Grid Energy", "energy"),
    ("Norrland Telecom", "telecommunications"),
    ("Quillmark Pharma", "pharmaceutical"),
    ("Atlas Ridge Airlines", "aviation"),
    ("Cinder & Oak Hotels", "hospitality"),
    ("Pinecrest University", "higher education"),
    ("Civitas Digital Services", "public sector"),
    ("Marlowe Motors", "automotive"),
    ("Greenfurrow Agritech", "agriculture"),
    ("Parallax Payments", "fintech"),
    ("Ember Mutual Insurance", "insurance"),
    ("Foxglove Apparel", "fashion retail"),
    ("Helixbyte Genomics", "life sciences"),
    ("Riverbend Logistics", "logistics"),
    ("Starling Street Streaming", "media streaming"),
    ("Ironvale Steelworks", "manufacturing"),
    ("Waypoint Voyages", "travel"),
    ("Copperline Utilities", "utilities"),
    ("Nimbus Ledger", "fintech"),
    ("Saffron Table Foods", "consumer goods"),
    ("Quarry Point Minerals", "mining"),
    ("Tidewater Shipping", "shipping"),
    ("Beaconfield Health Network", "healthcare"),
    ("Kaleido Learning", "education technology"),
    ("Mosaic Marketplace", "e-commerce"),
    ("Orbelle Satellite Systems", "aerospace"),
    ("Verdant Renewables", "energy"),
    ("Cobalt Valley Credit Union", "banking"),
    ("Arbor Paws Veterinary", "veterinary services"),
    ("Northstar Sports League", "sports media"),
    ("Emberline Semiconductors", "semiconductor"),
)
PARTNERS = (
    "Quorumforge Consulting",
    "Brambleworks Partners",
    "Latchkey Security Labs",
    "Okapi Observability",
    "Tallgrass AI Labs",
    "Parsec Data Co.",
)
CUSTOMER_TITLES = (
    "VP of Engineering",
    "Director of Platform Engineering",
    "Staff Engineer",
    "Head of Data",
    "Chief Technology Officer",
    "Lead Architect",
    "Engineering Manager",
    "Principal Engineer",
    "Head of Cloud Infrastructure",
    "Director of Digital Products",
)
PARTNER_TITLES = ("Principal Consultant", "Founder and CEO", "Field CTO", "Solutions Director")


@dataclass(frozen=True, kw_only=True)
class Room:
    """A bookable room; ``kind`` says which session types it suits."""

    venue: str
    name: str
    kind: str  # keynote | large | medium | small | lab | stage


ROOMS: tuple[Room, ...] = tuple(
    Room(venue=v, name=n, kind=k)
    for v, rooms in (
        (
            "Harborline Convention Center",
            (
                ("Keynote Arena", "keynote"),
                ("Hall A", "large"),
                ("Hall B", "large"),
                ("Room 201", "medium"),
                ("Room 202", "medium"),
                ("Room 203", "medium"),
                ("Room 204", "small"),
                ("Room 205", "small"),
                ("Room 206", "medium"),
                ("Room 207", "medium"),
                ("Room 208", "small"),
                ("Hall C", "large"),
                ("Lightning Theater", "stage"),
            ),
        ),
        (
            "Meridian Grand Hotel",
            (
                ("Grand Ballroom", "large"),
                ("Salon Azure", "medium"),
                ("Salon Coral", "medium"),
                ("Salon Jade", "small"),
                ("Boardroom 3", "small"),
                ("Boardroom 4", "small"),
                ("Salon Indigo", "medium"),
                ("Salon Ochre", "medium"),
            ),
        ),
        (
            "Cobalt Tower Conference Hall",
            (
                ("Auditorium", "large"),
                ("Level 2 Studio", "medium"),
                ("Level 3 Lab A", "lab"),
                ("Level 3 Lab B", "lab"),
                ("Level 4 Whiteboard Room", "small"),
                ("Level 2 Forum", "medium"),
                ("Level 3 Lab C", "lab"),
            ),
        ),
        (
            "Lakeside Expo Pavilion",
            (
                ("Expo Stage", "stage"),
                ("Builders' Lounge", "small"),
                ("Pavilion Room 1", "medium"),
                ("Pavilion Room 2", "medium"),
                ("Workshop Room 5", "lab"),
            ),
        ),
        (
            "Solace Bay Hotel",
            (
                ("Bayview Ballroom", "large"),
                ("Harbor Room", "medium"),
                ("Lighthouse Room", "medium"),
                ("Studio 1", "small"),
                ("Studio 2", "small"),
                ("Workshop Suite", "lab"),
            ),
        ),
    )
    for n, k in rooms
)
ROOM_KINDS_BY_TYPE = {
    "keynote": ("keynote",),
    "breakout": ("large", "medium"),
    "code talk": ("large", "medium"),
    "chalk talk": ("small", "medium"),
    "builders' session": ("small", "lab"),
    "workshop": ("lab", "medium"),
    "lightning talk": ("stage",),
}
# (open, close) minutes per weekday: Friday is a half day.
DAY_WINDOWS = (
    (8 * 60, DAY_END_MIN),
    (8 * 60, DAY_END_MIN),
    (8 * 60, DAY_END_MIN),
    (8 * 60, DAY_END_MIN),
    (8 * 60, 14 * 60 + 30),
)
DAY_WEIGHTS = (16, 23, 23, 23, 15)
HANDS_ON_DAY_WEIGHTS = (30, 18, 18, 18, 16)

TYPE_WEIGHTS = (
    ("breakout", 48),
    ("chalk talk", 14),
    ("workshop", 9),
    ("builders' session", 7),
    ("code talk", 11),
    ("lightning talk", 11),
)
LEVEL_WEIGHTS: dict[str, tuple[tuple[int, int], ...]] = {
    "breakout": ((100, 12), (200, 33), (300, 38), (400, 17)),
    "chalk talk": ((200, 25), (300, 45), (400, 30)),
    "workshop": ((200, 35), (300, 45), (400, 20)),
    "builders' session": ((200, 40), (300, 45), (400, 15)),
    "code talk": ((300, 55), (400, 45)),
    "lightning talk": ((100, 30), (200, 50), (300, 20)),
}
SPEAKER_COUNTS: dict[str, tuple[tuple[int, int], ...]] = {
    "keynote": ((1, 1),),
    "breakout": ((1, 30), (2, 50), (3, 20)),
    "chalk talk": ((1, 55), (2, 45)),
    "workshop": ((2, 60), (3, 40)),
    "builders' session": ((1, 60), (2, 40)),
    "code talk": ((1, 50), (2, 50)),
    "lightning talk": ((1, 1),),
}


@dataclass(frozen=True, kw_only=True)
class Keynote:
    """A hand-written keynote; keynotes are broad, so they do not use the subtopic pools."""

    topics: tuple[str, ...]
    level: int
    day: int
    start: int
    title: str
    speaker_title: str
    sentences: tuple[str, ...]
    tags: tuple[str, ...]


KEYNOTES: tuple[Keynote, ...] = (
    Keynote(
        topics=("networking", "storage", "containers"),
        level=200,
        day=0,
        start=17 * 60,
        title="Infrastructure keynote: the machinery beneath the cloud",
        speaker_title="Senior Vice President, Infrastructure",
        sentences=(
            f"Kick off {CONFERENCE_NAME} with an evening tour of the layers most people never see.",
            "We open the lid on custom silicon, the optical backbone that links regions, and the storage systems that quietly hold exabytes.",
            "You will hear why network design now shapes how large models are trained, and how container platforms schedule work across hundreds of thousands of hosts.",
            "Expect announcements about new instance families, faster cross-region links and cheaper archival storage tiers.",
            "Customers from aerospace and media explain how they use that raw capacity to simulate satellites and stream live events.",
            "No prior knowledge is required, just curiosity about how things work underneath.",
        ),
        tags=("keynote", "infrastructure", "silicon", "networking"),
    ),
    Keynote(
        topics=("generative AI", "industry", "security"),
        level=100,
        day=1,
        start=8 * 60 + 30,
        title="Opening keynote: building what comes next",
        speaker_title="Chief Executive Officer",
        sentences=(
            f"The opening keynote of {CONFERENCE_NAME} looks at how organizations of every size are reinventing their products with cloud and AI.",
            "Our chief executive shares the company's view of where generative AI creates durable value and where the hype is running ahead of reality.",
            "Leaders from healthcare, banking and retail join on stage to describe what changed in their businesses over the past year, including the projects they cancelled.",
            "Security and trust run through every story, from data sovereignty to responsible AI.",
            "Expect major announcements across compute, data and AI, and a look at the roadmap for the year ahead.",
            "Whether you write code or sign budgets, this is the session that frames the rest of the week.",
        ),
        tags=("keynote", "strategy", "announcements", "ai"),
    ),
    Keynote(
        topics=("generative AI", "MLOps"),
        level=200,
        day=2,
        start=8 * 60 + 30,
        title="AI keynote: from assistants to agents",
        speaker_title="Vice President, Artificial Intelligence",
        sentences=(
            "Language models have moved from answering questions to taking actions, and that shift changes how software is designed, tested and governed.",
            "In this keynote we trace the path from simple chat assistants to agents that plan, call tools and remember context across sessions.",
            "We share what our own teams learned running agents in production: where they save hours, where they fail, and how evaluation and guardrails keep them honest.",
            "Customers demonstrate agents that reconcile invoices, triage security alerts and help clinicians draft notes.",
            "New capabilities for model customization, retrieval and agent memory are announced on stage.",
            "Come for the big picture, and leave with a sense of which problems are ready for agents today.",
        ),
        tags=("keynote", "agents", "ai", "announcements"),
    ),
    Keynote(
        topics=("security", "generative AI"),
        level=200,
        day=2,
        start=13 * 60,
        title="Security keynote: trust at machine speed",
        speaker_title="Chief Information Security Officer",
        sentences=(
            "Attackers now automate reconnaissance and phishing with the same AI tools defenders use, and the time between a leaked credential and a breach keeps shrinking.",
            "Our chief information security officer explains how security teams can respond at machine speed without losing human judgement.",
            "Topics include identity as the primary perimeter, automated detection and response, securing AI applications against prompt injection, and preparing for post-quantum cryptography.",
            "A bank and a hospital network describe the incidents that changed their priorities and the controls they invested in afterwards.",
            "There is no deep technical prerequisite; the goal is a clear map of the risks worth your attention next year.",
        ),
        tags=("keynote", "security", "identity", "ai-security"),
    ),
    Keynote(
        topics=("DevOps", "serverless", "containers"),
        level=200,
        day=3,
        start=8 * 60 + 30,
        title="Developer keynote: the paved road",
        speaker_title="Vice President, Developer Experience",
        sentences=(
            "Developers spend too much of their week waiting for builds, hunting for documentation and wiring up infrastructure instead of shipping features.",
            "This keynote is about removing that friction, from AI assistants in the editor to platforms that turn a new service into a single command.",
            "We show a live build of an application that goes from an empty repository to production, with serverless functions, containers and CI/CD, in under thirty minutes.",
            "Platform teams from a games studio and a logistics company share how golden paths raised deployment frequency without adding risk.",
            "Expect new developer tools, open-source releases and plenty of code on screen.",
        ),
        tags=("keynote", "developer-experience", "platform-engineering", "live-demo"),
    ),
    Keynote(
        topics=("analytics", "databases", "generative AI"),
        level=100,
        day=4,
        start=9 * 60,
        title="Closing keynote: the data foundation for AI",
        speaker_title="Vice President, Data and Analytics",
        sentences=(
            "Every AI strategy eventually turns out to be a data strategy.",
            "The closing keynote explores what a modern data foundation looks like: open table formats, governed access, real-time pipelines, and databases that understand vectors as well as rows.",
            "We look at how organizations break down silos between operational databases, the lakehouse and AI applications without copying data everywhere.",
            "An energy company and an online marketplace describe the data investments that made their AI features possible, and the shortcuts they regret.",
            "We wrap up the week with the themes worth taking home and a preview of what is coming next year.",
        ),
        tags=("keynote", "data-strategy", "lakehouse", "governance"),
    ),
)

# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


class _Picker:
    """Chooses items at random, preferring the least-used ones so the catalog's sentences
    spread across the pools instead of repeating the same few."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._uses: dict[str, int] = {}

    def pick(self, items: Sequence[str], k: int = 1, exclude: Sequence[str] = ()) -> list[str]:
        chosen: list[str] = []
        for _ in range(k):
            pool = [i for i in items if i not in chosen and i not in exclude]
            if not pool:
                break
            least = min(self._uses.get(i, 0) for i in pool)
            item = self._rng.choice([i for i in pool if self._uses.get(i, 0) == least])
            self._uses[item] = self._uses.get(item, 0) + 1
            chosen.append(item)
        return chosen

    def one(self, items: Sequence[str]) -> str:
        return self.pick(items)[0]


@dataclass(kw_only=True)
class _Draft:
    """A session while it is being built; becomes a JSON object at the end."""

    track: Track
    kind: str
    level: int
    title: str
    abstract: str
    topics: list[str]
    tags: list[str]
    story_company: str | None = None
    keynote: Keynote | None = None
    day: int = -1
    start: int = -1
    room: Room | None = None
    speakers: list[dict[str, str]] = field(default_factory=list)
    code: str = ""


def _weighted(rng: random.Random, pairs: Sequence[tuple[object, int]]) -> object:
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _word_count(text: str) -> int:
    return len(text.split())


class _Filler:
    """Fills sentence templates for one abstract, rotating through the subtopic's technologies
    so that a single abstract does not keep repeating the same term."""

    def __init__(self, rng: random.Random, ctx: dict[str, str], techs: Sequence[str]) -> None:
        self._ctx = ctx
        self._techs = list(techs)
        rng.shuffle(self._techs)
        self._next = 0

    def _tech(self) -> str:
        tech = self._techs[self._next % len(self._techs)]
        self._next += 1
        return tech

    def __call__(self, template: str) -> str:
        values = dict(self._ctx)
        if "{tech}" in template:
            values["tech"] = self._tech()
        if "{tech2}" in template:
            values["tech2"] = self._tech()
        return template.format(**values)


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _compose_abstract(
    *,
    rng: random.Random,
    picker: _Picker,
    track: Track,
    sub: Subtopic,
    sub2: Subtopic | None,
    kind: str,
    level: int,
    secondary: Sequence[str],
    story: tuple[str, str] | None,
) -> str:
    ctx = {
        "sub": sub.name,
        "build": sub.build,
        "aud": picker.one(track.audiences),
        "metric": rng.choice(track.metrics),
        "company": story[0] if story else "",
        "industry": story[1] if story else rng.choice(CUSTOMERS)[1],
        "a_industry": _article(story[1]) if story else "",
        "pct": str(rng.randrange(18, 73)),
        "n": str(rng.randrange(4, 61)),
        "months": str(rng.randrange(3, 15)),
    }
    fill = _Filler(rng, ctx, sub.techs)

    story_first = story is not None and rng.random() < 0.3
    if story_first:
        opener = fill(picker.one(STORY_LEADS))
    elif rng.random() < 0.72:
        opener = picker.one(sub.problems)
    else:
        opener = fill(picker.one(GENERIC_OPENERS))

    details = picker.pick(sub.details, k=2)
    spare_details = picker.pick(sub.details, k=2, exclude=details)
    if sub2 is not None and kind != "lightning talk" and rng.random() < 0.6:
        details.append(picker.one(sub2.details))
    middle: list[str] = list(details)
    # Dropped last-first when an abstract runs long.
    optional: list[str] = details[1:]
    if rng.random() < 0.6:
        optional.append(picker.one(TRACK_DETAILS[track.name]))
        middle.insert(rng.randrange(len(middle) + 1), optional[-1])
    if rng.random() < 0.4:
        optional.append(fill(picker.one(GENERIC_APPROACHES)))
        middle.insert(rng.randrange(len(middle) + 1), optional[-1])
    if story is not None and not story_first:
        middle.insert(rng.randrange(1, len(middle) + 1), fill(picker.one(STORY_BODIES)))
    bridges = [picker.one(TRACK_BY_NAME[t].bridges) for t in secondary]
    for bridge in bridges:
        middle.insert(rng.randrange(1, len(middle) + 1), bridge)
    optional.extend(bridges[1:])

    practical = [fill(s) for s in picker.pick(HANDS_ON[kind], k=HANDS_ON_COUNT[kind])]
    if kind == "breakout" and rng.random() < 0.5:
        practical = []
    level_notes = [fill(picker.one(LEVEL_NOTES[level]))]
    if level == 400:
        level_notes.insert(0, sub.deep)
    closing = [fill(picker.one(TAKEAWAYS))]
    audience = fill(picker.one(AUDIENCE_NOTES)) if rng.random() < 0.5 else None
    if audience is not None:
        closing.insert(rng.randrange(2), audience)
        optional.append(audience)

    # Hands-on notes lead for some sessions and trail for others, so position is no cue;
    # a breakout's demo line only makes sense once the topic has been introduced.
    if practical and kind != "breakout" and rng.random() < 0.35:
        body = [opener, *practical, *middle, *level_notes, *closing]
    else:
        tail = [*level_notes, *closing]
        rng.shuffle(tail)
        body = [opener, *middle, *practical, *tail]

    optional.extend(practical[1:])
    while _word_count(" ".join(body)) > MAX_WORDS and optional:
        body.remove(optional.pop())
    fillers = [*spare_details, picker.one(TRACK_DETAILS[track.name]), fill(picker.one(DEMOS))]
    while _word_count(" ".join(body)) < MIN_WORDS + 5 and fillers:
        body.insert(len(body) - len(closing), fillers.pop(0))
    text = " ".join(body)
    count = _word_count(text)
    if not MIN_WORDS <= count <= MAX_WORDS:
        raise AssertionError(f"abstract length {count} out of range for {sub.name!r}")
    return text


def _split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


class _OverlapGuard:
    """Tracks which abstracts use which sentences, so a new abstract that repeats too much of
    an earlier one can be recomposed."""

    def __init__(self) -> None:
        self._owners: dict[str, list[int]] = {}
        self._sizes: list[int] = []

    def max_shared(self, text: str) -> float:
        """The largest fraction of sentences ``text`` shares with any earlier abstract."""
        sentences = list(dict.fromkeys(_split_sentences(text)))
        shared: dict[int, int] = {}
        for sentence in sentences:
            for owner in self._owners.get(sentence, ()):
                shared[owner] = shared.get(owner, 0) + 1
        return max(
            (n / min(len(sentences), self._sizes[owner]) for owner, n in shared.items()),
            default=0.0,
        )

    def add(self, text: str) -> None:
        sentences = list(dict.fromkeys(_split_sentences(text)))
        index = len(self._sizes)
        self._sizes.append(len(sentences))
        for sentence in sentences:
            self._owners.setdefault(sentence, []).append(index)


def _shares_word(a: str, b: str) -> bool:
    words = {w for w in re.findall(r"[a-z0-9]+", a.lower()) if len(w) > 2}
    return any(w in words for w in re.findall(r"[a-z0-9]+", b.lower()) if len(w) > 2)


def _compose_title(
    *,
    rng: random.Random,
    sub: Subtopic,
    kind: str,
    level: int,
    story: tuple[str, str] | None,
    taken: dict[str, None],
) -> str:
    groups = ["any", "any", "tech", kind if kind in TITLE_PATTERNS else "any"]
    if story is not None:
        groups += ["story", "story"]
    if level in (100, 400):
        groups.append(str(level))
    stems = list(sub.titles)
    rng.shuffle(stems)
    for _ in range(40):
        group = rng.choice(groups)
        pattern = rng.choice(TITLE_PATTERNS[group])
        stem = rng.choice(stems)
        tech = rng.choice(sub.techs)
        if "{tech}" in pattern and _shares_word(stem, tech):
            continue  # avoids titles like "Reproducible ML pipelines with ML pipelines"
        title = pattern.format(
            stem=stem, sub=sub.name, tech=tech, company=story[0] if story else ""
        )
        if title not in taken:
            return title
    # Every pattern was taken: fall back to combining two stems, which is still readable.
    for first in stems:
        for second in stems:
            title = f"{first}: {second[0].lower()}{second[1:]}"
            if first != second and title not in taken:
                return title
    raise AssertionError(f"could not find a unique title for {sub.name!r}")


def _pick_tags(
    rng: random.Random, sub: Subtopic, kind: str, level: int, has_story: bool
) -> list[str]:
    tags = rng.sample(list(sub.tags), rng.choice((2, 3)))
    extra = {
        "workshop": "hands-on",
        "builders' session": "hands-on",
        "code talk": "live-coding",
        "chalk talk": "interactive",
        "lightning talk": "lightning",
    }.get(kind)
    if extra:
        tags.append(extra)
    if level == 100:
        tags.append("beginner-friendly")
    elif level == 400:
        tags.append("deep-dive")
    if has_story:
        tags.append("customer-story")
    tags = list(dict.fromkeys(tags))[:6]
    for spare in sub.tags:
        if len(tags) >= 3:
            break
        if spare not in tags:
            tags.append(spare)
    return tags


def _pick_customer(rng: random.Random, sub: Subtopic) -> tuple[str, str]:
    """A customer for the session's story; industry subtopics get a customer from that industry."""
    fitting = [c for c in CUSTOMERS if c[1] in sub.industries] if sub.industries else []
    return rng.choice(fitting or list(CUSTOMERS))


def _draft_sessions(rng: random.Random, count: int) -> list[_Draft]:
    picker = _Picker(rng)
    guard = _OverlapGuard()
    taken: dict[str, None] = {}
    drafts: list[_Draft] = []
    for kn in KEYNOTES:
        track = TRACK_BY_NAME[kn.topics[0]]
        drafts.append(
            _Draft(
                track=track,
                kind="keynote",
                level=kn.level,
                title=kn.title,
                abstract=" ".join(kn.sentences),
                topics=list(kn.topics),
                tags=list(kn.tags),
                keynote=kn,
            )
        )
        taken[kn.title] = None

    regular = count - len(KEYNOTES)
    if regular < len(TRACKS):
        raise ValueError(f"--count must be at least {len(KEYNOTES) + len(TRACKS)}")
    per_track = _allocate(regular, [t.weight for t in TRACKS])
    for track, n_sessions in zip(TRACKS, per_track, strict=True):
        subs = list(track.subtopics)
        rng.shuffle(subs)
        for i in range(n_sessions):
            sub = subs[i % len(subs)]
            kind = str(_weighted(rng, TYPE_WEIGHTS))
            level = int(str(_weighted(rng, LEVEL_WEIGHTS[kind])))
            others = [s for s in track.subtopics if s is not sub]
            sub2 = rng.choice(others) if rng.random() < 0.5 else None
            n_secondary = min(
                len(sub.related), int(str(_weighted(rng, ((0, 25), (1, 50), (2, 25)))))
            )
            secondary = rng.sample(list(sub.related), n_secondary)
            story = _pick_customer(rng, sub) if rng.random() < 0.42 else None
            if kind == "lightning talk" and story is not None and rng.random() < 0.5:
                story = None
            best: tuple[float, str] | None = None
            for _attempt in range(60):
                candidate = _compose_abstract(
                    rng=rng,
                    picker=picker,
                    track=track,
                    sub=sub,
                    sub2=sub2,
                    kind=kind,
                    level=level,
                    secondary=secondary,
                    story=story,
                )
                shared = guard.max_shared(candidate)
                if best is None or shared < best[0]:
                    best = (shared, candidate)
                if shared <= TARGET_SHARED_SENTENCES:
                    break
            assert best is not None
            if best[0] > MAX_SHARED_SENTENCES:
                raise AssertionError(f"abstracts for {sub.name!r} keep repeating each other")
            abstract = best[1]
            guard.add(abstract)
            title = _compose_title(
                rng=rng, sub=sub, kind=kind, level=level, story=story, taken=taken
            )
            taken[title] = None
            drafts.append(
                _Draft(
                    track=track,
                    kind=kind,
                    level=level,
                    title=title,
                    abstract=abstract,
                    topics=[track.name, *secondary],
                    tags=_pick_tags(rng, sub, kind, level, story is not None),
                    story_company=story[0] if story else None,
                )
            )
    return drafts


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _schedule(rng: random.Random, drafts: list[_Draft]) -> None:
    """Give each draft a day, start time and room with no double-booked rooms and nothing
    running against a keynote."""
    booked: dict[tuple[int, str, str], list[tuple[int, int]]] = {}
    blocked: dict[int, list[tuple[int, int]]] = {d: [] for d in range(len(DAY_NAMES))}
    arena = next(r for r in ROOMS if r.kind == "keynote")
    for draft in drafts:
        if draft.keynote is None:
            continue
        draft.day, draft.start, draft.room = draft.keynote.day, draft.keynote.start, arena
        end = draft.start + DURATION_MIN["keynote"]
        blocked[draft.day].append((draft.start, end))
        booked.setdefault((draft.day, arena.venue, arena.name), []).append((draft.start, end))

    # Long sessions first, so they still find room before the grid fills up.
    order = sorted(
        (d for d in drafts if d.keynote is None),
        key=lambda d: -DURATION_MIN[d.kind],
    )
    for draft in order:
        duration = DURATION_MIN[draft.kind]
        rooms = [r for r in ROOMS if r.kind in ROOM_KINDS_BY_TYPE[draft.kind]]
        hands_on = draft.kind in ("workshop", "builders' session")
        weights = HANDS_ON_DAY_WEIGHTS if hands_on else DAY_WEIGHTS
        for attempt in range(400):
            if attempt < 200:
                day = rng.choices(range(len(DAY_NAMES)), weights=weights, k=1)[0]
            else:
                day = rng.randrange(len(DAY_NAMES))
            room = rng.choice(rooms)
            open_at, close_at = DAY_WINDOWS[day]
            start = open_at + 30 * rng.randrange((close_at - duration - open_at) // 30 + 1)
            end = start + duration
            key = (day, room.venue, room.name)
            busy = booked.get(key, []) + blocked[day]
            if any(_overlaps(start, end, s, e) for s, e in busy):
                continue
            booked.setdefault(key, []).append((start, end))
            draft.day, draft.start, draft.room = day, start, room
            break
        else:
            raise AssertionError(f"could not schedule {draft.title!r}; increase room capacity")


class _Roster:
    """Invented speakers, reused across sessions (but never twice on one day)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._names: dict[str, None] = {}
        self._people: list[dict[str, str]] = []
        self._home: list[str] = []
        self._days: list[list[int]] = []

    def _new_name(self) -> str:
        for _ in range(1000):
            name = f"{self._rng.choice(FIRST_NAMES)} {self._rng.choice(LAST_NAMES)}"
            if name not in self._names:
                self._names[name] = None
                return name
        raise AssertionError("name pools exhausted")

    def _add(self, title: str, company: str, home: str, day: int) -> dict[str, str]:
        person = {"name": self._new_name(), "title": title, "company": company}
        self._people.append(person)
        self._home.append(home)
        self._days.append([day])
        return person

    def host(self, track: Track, day: int, exclude: list[dict[str, str]]) -> dict[str, str]:
        rng = self._rng
        if rng.random() < 0.3:
            reusable = [
                i
                for i, p in enumerate(self._people)
                if self._home[i] == track.name
                and p["company"] == HOST_COMPANY
                and day not in self._days[i]
                and len(self._days[i]) < 3
                and p not in exclude
            ]
            if reusable:
                i = rng.choice(reusable)
                self._days[i].append(day)
                return self._people[i]
        role = rng.choice(track.roles)
        # Roles that already carry rank ("Staff SRE", "FinOps Lead") take no extra prefix.
        ranked = any(w in role.split() for w in RANKED_WORDS)
        title = role if ranked else f"{rng.choice(SENIORITY)}{role}"
        return self._add(title, HOST_COMPANY, track.name, day)

    def guest(self, track: Track, day: int, company: str | None) -> dict[str, str]:
        rng = self._rng
        if company is None:
            if rng.random() < 0.35:
                return self._add(rng.choice(PARTNER_TITLES), rng.choice(PARTNERS), track.name, day)
            company = rng.choice(CUSTOMERS)[0]
        return self._add(rng.choice(CUSTOMER_TITLES), company, track.name, day)

    def keynote_speaker(self, title: str, day: int) -> dict[str, str]:
        return self._add(title, HOST_COMPANY, "keynote", day)


def _assign_speakers(rng: random.Random, drafts: list[_Draft]) -> None:
    roster = _Roster(rng)
    for draft in sorted(drafts, key=lambda d: (d.day, d.start, d.title)):
        if draft.keynote is not None:
            draft.speakers = [roster.keynote_speaker(draft.keynote.speaker_title, draft.day)]
            continue
        n = int(str(_weighted(rng, SPEAKER_COUNTS[draft.kind])))
        speakers: list[dict[str, str]] = []
        if draft.story_company is not None and n > 1:
            speakers.append(roster.host(draft.track, draft.day, speakers))
            speakers.append(roster.guest(draft.track, draft.day, draft.story_company))
        elif draft.story_company is not None:
            speakers.append(roster.guest(draft.track, draft.day, draft.story_company))
        while len(speakers) < n:
            if speakers and rng.random() < 0.3:
                speakers.append(roster.guest(draft.track, draft.day, None))
            else:
                speakers.append(roster.host(draft.track, draft.day, speakers))
        draft.speakers = [dict(s) for s in speakers]


def _assign_codes(rng: random.Random, drafts: list[_Draft]) -> None:
    groups: dict[tuple[str, int], list[_Draft]] = {}
    for draft in drafts:
        groups.setdefault((draft.track.prefix, draft.level), []).append(draft)
    for (prefix, level), members in groups.items():
        members.sort(key=lambda d: d.title)
        rng.shuffle(members)
        number = 0
        for draft in members:
            number += 1 if rng.random() < 0.75 else 2
            if number > 99:
                raise AssertionError(f"too many sessions for {prefix}{level // 100}xx")
            draft.code = f"{prefix}{level // 100}{number:02d}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _to_record(draft: _Draft) -> dict[str, object]:
    assert draft.room is not None
    return {
        "code": draft.code,
        "title": draft.title,
        "abstract": draft.abstract,
        "type": draft.kind,
        "level": draft.level,
        "topics": draft.topics,
        "day": DAY_NAMES[draft.day],
        "date": (FIRST_DAY + timedelta(days=draft.day)).isoformat(),
        "start": _hhmm(draft.start),
        "end": _hhmm(draft.start + DURATION_MIN[draft.kind]),
        "venue": draft.room.venue,
        "room": draft.room.name,
        "speakers": draft.speakers,
        "tags": draft.tags,
    }


def build_catalog(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> list[dict[str, object]]:
    """Build the synthetic session catalog as a list of JSON-ready dicts, sorted by code."""
    rng = random.Random(seed)
    drafts = _draft_sessions(rng, count)
    _schedule(rng, drafts)
    _assign_speakers(rng, drafts)
    _assign_codes(rng, drafts)
    records = sorted((_to_record(d) for d in drafts), key=lambda r: str(r["code"]))
    titles = [r["title"] for r in records]
    codes = [r["code"] for r in records]
    assert len(set(titles)) == len(titles), "duplicate session titles"
    assert len(set(codes)) == len(codes), "duplicate session codes"
    for record in records:
        words = _word_count(str(record["abstract"]))
        assert MIN_WORDS <= words <= MAX_WORDS, f"{record['code']}: abstract has {words} words"
    return records


def render_catalog(records: Sequence[dict[str, object]]) -> str:
    """Serialize records as JSON Lines (one object per line, trailing newline)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_catalog(out: Path, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> int:
    """Generate the catalog and write it to ``out``; returns the number of sessions."""
    records = build_catalog(seed=seed, count=count)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_catalog(records).encode("utf-8"))
    return len(records)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2026)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSON Lines path")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="number of sessions")
    args = parser.parse_args(argv)
    try:
        n = write_catalog(args.out, seed=args.seed, count=args.count)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {n} sessions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
