"""Small, deterministic vocabularies the offline extractor uses (topics, formats, roles, stopwords)."""

from __future__ import annotations

import re

__all__ = [
    "FORMAT_LEXICON",
    "ROLE_NOUNS",
    "SUMMARY_STOPWORDS",
    "TOPIC_LEXICON",
    "WEAK_PHRASES",
    "categories_of",
    "phrase_pattern",
]

#: Topic category → phrases that signal it (matched on word boundaries, case-insensitive).
TOPIC_LEXICON: dict[str, tuple[str, ...]] = {
    "generative-ai": (
        "ai", "genai", "gen-ai", "generative ai", "gen ai", "llm", "llms", "large language model",
        "large language models", "agents", "agentic", "bedrock", "rag", "prompt engineering",
        "foundation model", "foundation models", "artificial intelligence", "chatbot", "chatbots",
        "copilot", "copilots", "prompting", "prompts", "retrieval-augmented", "retrieval augmented",
        "embeddings", "vector search", "fine-tuning", "fine tuning", "gpt", "claude", "transformers",
        "ai assistants", "ai assistant", "conversational ai",
    ),
    "security": (
        "security", "secure", "securing", "iam", "identity", "encryption", "compliance",
        "zero trust", "zero-trust", "threat", "threats", "vulnerability", "vulnerabilities",
        "devsecops", "ciso", "cisos", "secops", "appsec", "guardduty", "kms", "waf",
        "incident response", "pentest", "pentesting", "penetration testing",
        "access control", "secrets", "ransomware", "cybersecurity", "infosec",
    ),
    "serverless": (
        "serverless", "lambda", "step functions", "eventbridge", "event-driven", "event driven",
        "functions as a service", "faas", "api gateway", "without servers", "sqs", "sns",
    ),
    "databases": (
        "database", "databases", "sql", "nosql", "dynamodb", "aurora", "postgres", "postgresql",
        "rds", "vector database", "vector databases", "dba", "dbas", "mysql", "oracle",
        "redis", "elasticache", "neptune", "documentdb", "mongodb", "schema design",
    ),
    "analytics": (
        "analytics", "data lake", "data lakes", "bi", "etl", "elt", "streaming", "big data",
        "lakehouse", "lakehouses", "data pipelines", "pipelines", "data warehouse",
        "data warehousing", "redshift", "athena", "glue", "kinesis", "kafka", "spark",
        "emr", "data engineering", "data engineer", "data engineers", "quicksight", "iceberg",
        "business intelligence",
    ),
    "containers": (
        "containers", "container", "containerised", "containerized", "kubernetes", "k8s", "eks",
        "ecs", "fargate", "docker", "helm", "pods", "service mesh",
    ),
    "networking": (
        "networking", "network", "networks", "vpc", "vpcs", "cdn", "dns", "load balancing",
        "load balancers", "load balancer", "cloudfront", "route 53", "transit gateway",
        "connectivity", "subnets", "ipv6", "bgp",
    ),
    "observability": (
        "observability", "monitoring", "logging", "logs", "tracing", "telemetry", "metrics",
        "alerting", "alerts", "cloudwatch", "opentelemetry", "sre", "on-call",
    ),
    "cost": (
        "cost", "costs", "finops", "cost optimization", "cost optimisation", "pricing",
        "cloud bill", "billing", "budget", "budgets", "savings", "cheaper", "cloud spend",
        "invoices", "chargeback", "showback", "reserved instances", "savings plans",
    ),
    "mlops": (
        "mlops", "model deployment", "model training", "sagemaker", "machine learning", "ml",
        "ml models", "model monitoring", "feature store", "feature stores", "training pipelines",
        "data science", "data scientist", "data scientists", "inference", "model serving",
    ),
    "iot": (
        "iot", "internet of things", "edge", "devices", "sensors", "sensor", "firmware",
        "embedded", "greengrass", "telematics", "connected devices", "digital twin",
        "digital twins", "industrial iot", "factory floor",
    ),
    "devops": (
        "devops", "ci/cd", "cicd", "ci cd", "infrastructure as code", "iac", "platform engineering",
        "terraform", "cloudformation", "cdk", "deployment pipelines", "release pipelines",
        "continuous delivery", "continuous integration", "gitops", "release engineering",
    ),
    "storage": (
        "storage", "s3", "backup", "backups", "archival", "archiving", "object storage",
        "file storage", "block storage", "efs", "ebs", "glacier", "disaster recovery",
    ),
    "migration": (
        "migration", "migrations", "migrate", "migrating", "modernization", "modernisation",
        "modernize", "modernise", "mainframe", "mainframes", "off-prem", "off prem",
        "legacy", "lift and shift", "rehost", "rehosting", "replatform", "replatforming",
        "refactoring legacy", "data center exit", "data center", "data centre", "data centers",
        "datacenter exit", "on-premises", "on-prem",
    ),
    "industry": (
        "industry", "industries", "customer stories", "customer story", "case study",
        "case studies", "healthcare", "life sciences", "telecom", "automotive",
        "public sector", "media and entertainment", "industry solutions",
    ),
}  # fmt: skip

#: Phrases that name a topic only when nothing more specific is said next to them ("CDK
#: pipelines" is DevOps, "data pipelines" analytics; "edge" is IoT unless a CDN is named).
WEAK_PHRASES = frozenset(
    {"pipelines", "edge", "devices", "network", "metrics", "logs", "agents", "secure", "legacy",
     "streaming", "warehouse", "identity", "prompts", "spend", "budget", "embedded"}
)  # fmt: skip

#: Format category → phrases (hands-on sessions, deep dives, beginner level).
FORMAT_LEXICON: dict[str, tuple[str, ...]] = {
    "hands-on": (
        "hands-on", "hands on", "workshop", "workshops", "builders session", "builders sessions",
        "builders' session", "builders' sessions", "builder session", "code talk", "code talks",
        "chalk talk", "chalk talks", "labs", "lab", "interactive",
    ),
    "deep-dive": (
        "deep dive", "deep dives", "deep-dive", "deep-dives", "advanced", "400-level",
        "400 level", "level 400", "300-level", "expert",
    ),
    "beginner": (
        "beginner", "beginners", "introductory", "intro", "100-level", "200-level", "basics",
        "getting started", "fundamentals",
    ),
}  # fmt: skip

#: Last words of a job title ("senior data *engineer*").
ROLE_NOUNS = frozenset(
    [
        "engineer",
        "developer",
        "architect",
        "manager",
        "scientist",
        "analyst",
        "designer",
        "student",
        "consultant",
        "lead",
        "director",
        "administrator",
        "admin",
        "researcher",
        "cto",
        "ceo",
        "cio",
        "ciso",
        "founder",
        "specialist",
        "sre",
        "programmer",
        "officer",
        "owner",
        "teacher",
        "professor",
        "evangelist",
        "advocate",
        "intern",
        "writer",
        "marketer",
        "product",
        "technologist",
        "executive",
        "head",
        "vp",
        "president",
        "coordinator",
        "tester",
    ]
)

SUMMARY_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "you",
        "your",
        "yours",
        "we",
        "us",
        "our",
        "ours",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "of",
        "on",
        "in",
        "at",
        "to",
        "from",
        "with",
        "by",
        "about",
        "for",
        "as",
        "into",
        "onto",
        "over",
        "under",
        "and",
        "or",
        "but",
        "so",
        "if",
        "then",
        "than",
        "too",
        "very",
        "just",
        "also",
        "really",
        "please",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "there",
        "here",
        "any",
        "some",
        "all",
        "more",
        "most",
        "other",
        "else",
        "such",
        "no",
        "not",
        "only",
        "own",
        "same",
        "few",
        "each",
        "both",
        "im",
        "id",
        "ill",
        "ive",
        "whats",
        "theres",
        "lets",
        "its",
        "thats",
        "dont",
        "doesnt",
        "isnt",
        "arent",
        "cant",
        "wont",
        "tell",
        "give",
        "get",
        "got",
        "go",
        "going",
        "want",
        "wanna",
        "need",
        "like",
        "love",
        "know",
        "help",
        "good",
        "best",
        "great",
        "nice",
        "cool",
        "thanks",
        "thank",
        "yes",
        "yeah",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "sure",
        "well",
        "one",
        "would",
        "could",
        "maybe",
        "something",
        "anything",
        "things",
        "thing",
        "lot",
        "lots",
        "much",
        "many",
        "way",
        "today",
        "tomorrow",
        "day",
        "now",
        "soon",
        "see",
        "look",
        "looking",
        "find",
        "show",
        "recommend",
        "suggest",
        "think",
        "make",
        "sound",
        "sounds",
        "let",
        "interested",
        "into",
        "keen",
        "enjoy",
        "prefer",
    ]
)

_PATTERN_CACHE: dict[str, re.Pattern[str]] = {}


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The compiled, word-bounded, case-insensitive pattern of one lexicon phrase."""
    return _pattern(phrase)


def _pattern(phrase: str) -> re.Pattern[str]:
    found = _PATTERN_CACHE.get(phrase)
    if found is None:
        found = re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", re.IGNORECASE)
        _PATTERN_CACHE[phrase] = found
    return found


def categories_of(text: str) -> list[str]:
    """Topic categories first, then format categories, each once, in lexicon order."""
    out = [
        name
        for lexicon in (TOPIC_LEXICON, FORMAT_LEXICON)
        for name, phrases in lexicon.items()
        if any(_pattern(p).search(text) for p in phrases)
    ]
    return out
