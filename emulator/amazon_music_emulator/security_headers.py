"""Security headers for the reference page (/docs, Swagger UI): CSP, X-Frame-Options, X-Content-Type-Options.

The page's one inline script (Swagger UI's start-up call) is allowed by its SHA-256 hash, computed from the page as
served, so the policy holds no 'unsafe-inline' for scripts; Swagger UI sets inline styles, and its CSS embeds data:
images, which the policy allows. Nothing of the page may be framed, and nothing it loads comes from another origin.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DOCS_SECURITY_HEADERS", "SecureDocs", "content_security_policy"]

DOCS_SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: bytes) -> bytes:
    """The policy for one page: its own origin only, and its inline scripts by hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ).encode()


class SecureDocs:
    """Wraps the /docs app: every response gets the security headers; HTML pages their content security policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_secured(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *DOCS_SECURITY_HEADERS]
                message = {**message, "headers": headers}
                if not any(name == b"content-type" and value.startswith(b"text/html") for name, value in headers):
                    await send(message)
                    return
                start = message  # an HTML page: held until its body is known, to hash its inline scripts
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            await send(
                {**start, "headers": [*start["headers"], (b"content-security-policy", content_security_policy(body))]}
            )
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_secured)
