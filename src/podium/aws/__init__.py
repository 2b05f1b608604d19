"""AWS-compatible endpoints: boto3, the bedrock-agentcore SDK and Strands' BedrockModel talk to Podium.

One base URL (the gateway's) serves ``bedrock-agent``, ``bedrock-agent-runtime``,
``bedrock-agentcore``, ``bedrock-agentcore-control``, ``bedrock-runtime`` and ``s3vectors`` in
their REST-JSON wire formats, from botocore's own service models, behind SigV4 verified against
Podium's access keys (``podium keys``). ``podium aws-env`` prints the environment that points
the AWS SDKs here. See ``docs/aws-compatibility.md``.
"""

from __future__ import annotations

from . import _converse as _converse
from . import _kb_bases as _kb_bases  # bedrock-agent knowledge bases
from . import _kb_documents as _kb_documents  # bedrock-agent documents
from . import _kb_jobs as _kb_jobs  # bedrock-agent ingestion jobs
from . import _kb_sources as _kb_sources  # bedrock-agent data sources
from . import _memory_control as _memory_control
from . import _memory_events as _memory_events
from . import _memory_records as _memory_records
from . import _retrieve as _retrieve
from . import _retrieve_generate as _retrieve_generate
from . import _s3vectors as _s3vectors
from ._app import AwsEndpoints, aws_error_response
from ._env import aws_env, export_lines
from ._errors import AwsError
from ._invoke import RUNTIME_NAME_PATTERN, check_runtime_name, default_runtime_name
from ._keys import DEV_KEY_FILE, AccessKey, AccessKeys, dev_key
from ._registry import ACCOUNT_ID, DEFAULT_REGION, AwsBackend, Call, EventStream, operation

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "DEV_KEY_FILE",
    "RUNTIME_NAME_PATTERN",
    "AccessKey",
    "AccessKeys",
    "AwsBackend",
    "AwsEndpoints",
    "AwsError",
    "Call",
    "EventStream",
    "aws_env",
    "aws_error_response",
    "check_runtime_name",
    "default_runtime_name",
    "dev_key",
    "export_lines",
    "operation",
]
