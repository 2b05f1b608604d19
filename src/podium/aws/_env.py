"""``podium aws-env``: the environment that points the AWS SDKs at a Podium server."""

from __future__ import annotations

import shlex

from ._keys import AccessKey

__all__ = ["ENDPOINT_VARIABLES", "aws_env", "export_lines"]

#: The per-service endpoint variables botocore reads (``AWS_ENDPOINT_URL_<SERVICE ID>``).
ENDPOINT_VARIABLES = (
    "AWS_ENDPOINT_URL_BEDROCK_AGENT",
    "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME",
    "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE",
    "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_ENDPOINT_URL_S3VECTORS",
)


def aws_env(url: str, key: AccessKey, region: str) -> dict[str, str]:
    """Variable -> value; print them with :func:`export_lines`."""
    env = dict.fromkeys(ENDPOINT_VARIABLES, url.rstrip("/"))
    env.update(
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_ACCESS_KEY_ID=key.access_key_id,
        AWS_SECRET_ACCESS_KEY=key.secret_access_key,
    )
    return env


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=VALUE`` lines, shell-quoted."""
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
