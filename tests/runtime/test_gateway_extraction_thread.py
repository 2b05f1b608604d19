"""PODIUM_EMBEDDED_WORKER=false keeps extraction out of the gateway's AWS endpoints too.

Regression (issue 14): the services behind the gateway's AWS endpoints always started an
extraction thread, so a scaled deployment whose extraction runs in `podium memory worker`
processes still extracted in every gateway.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.config import Settings
from podium.runtime import create_gateway_app


@pytest.mark.parametrize("embedded", [True, False])
def test_the_aws_services_follow_the_embedded_worker_setting(
    tmp_path: Path, embedded: bool
) -> None:
    settings = Settings(home=tmp_path / "home", auth_disabled=True, embedded_worker=embedded)
    app = create_gateway_app(settings)
    services = app.state.aws.services()
    try:
        assert (services.worker is not None) is embedded
    finally:
        app.state.aws.close()
