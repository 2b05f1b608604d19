"""The dev issuer's login form: plain HTML, labelled fields, keyboard-usable, no scripts."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

__all__ = ["render_error_page", "render_login_page"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;
font-size:1rem;border:1px solid #6b7280;border-radius:.25rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:.25rem;
background:#1d4ed8;color:#fff;cursor:pointer}
input:focus,button:focus{outline:3px solid #f59e0b;outline-offset:2px}
.error{color:#991b1b;background:#fee2e2;padding:.5rem;border-radius:.25rem}
.note{color:#4b5563;font-size:.9rem}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def render_login_page(
    *,
    client_id: str,
    hidden: Mapping[str, str],
    username: str = "",
    error: str | None = None,
) -> str:
    """The sign-in form. ``hidden`` carries the authorization request through the POST."""
    hidden_inputs = "\n".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    error_html = ""
    described_by = ""
    if error:
        error_html = f'<p id="login-error" class="error" role="alert">{escape(error)}</p>\n'
        described_by = ' aria-describedby="login-error" aria-invalid="true"'
    body = (
        "<h1>Sign in to Podium</h1>\n"
        f'<p class="note">Application <strong>{escape(client_id)}</strong> is asking you to sign '
        "in with the Podium development identity provider.</p>\n"
        f"{error_html}"
        '<form method="post" action="authorize">\n'
        f"{hidden_inputs}\n"
        '<label for="username">Username</label>\n'
        f'<input type="text" id="username" name="username" value="{escape(username)}" '
        f'autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus'
        f"{described_by}>\n"
        '<label for="password">Password</label>\n'
        '<input type="password" id="password" name="password" autocomplete="current-password" '
        f"required{described_by}>\n"
        '<button type="submit">Sign in</button>\n'
        "</form>\n"
        '<p class="note">Development only: do not use this identity provider in production.</p>'
    )
    return _page("Sign in - Podium", body)


def render_error_page(message: str) -> str:
    """An error shown instead of redirecting (e.g. unregistered redirect URI)."""
    body = (
        "<h1>Sign-in request rejected</h1>\n"
        f'<p class="error" role="alert">{escape(message)}</p>\n'
        '<p class="note">Check the client id and redirect URI of the application.</p>'
    )
    return _page("Sign-in error - Podium", body)
