"""One live gateway per module for the AWS-endpoint tests (real boto3 against 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.aws import AwsServer, start_aws_server


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsServer]:
    server = start_aws_server(tmp_path_factory.mktemp("aws-home"))
    yield server
    server.stop()
