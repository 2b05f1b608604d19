"""The web UI: static HTML/CSS/JS at ``/``, its JSON API at ``/api/...``, and ``podium up``.

* :func:`up` prepares Podium on first run (home, sessions KB, memory, dev users) and serves the
  runtime gateway with the UI and the dev issuer.
* :func:`web_routes` gives the UI and API routes for ``create_gateway_app(extra_routes=...)``.

See ``docs/web-ui.md``.
"""

from __future__ import annotations

from ._api import api_routes
from ._prepare import Prepared, prepare
from ._routes import build_app, web_routes
from ._up import up

__all__ = ["Prepared", "api_routes", "build_app", "prepare", "up", "web_routes"]
