"""Serves the built PWA (pwa/dist) at `/`, with the SPA fallback to index.html for app routes.

API-like paths never fall back to index.html: a wrong /api/… URL is a 404 problem, not a page.
Hashed assets are cached for a year; everything else is revalidated so updates show at once.
The build writes Brotli and gzip copies next to each text file (pwa/scripts/compress.mjs); a
client that accepts one gets it with Content-Encoding, so a phone on a slow link downloads the
app in a third of the bytes without the server compressing anything per request.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import File

from backend.errors import NotFound

NEVER_HTML = ("api/", "schema", "health", "open311/", "metrics")

_NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>邻里 Linli</title>
<body style="font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>邻里 Linli</h1><p>The API is running. The phone app has not been built on this machine yet:
run <code>make run</code> (it builds <code>pwa/</code> when Node.js is installed).</p>
<p>API schema: <a href="/schema">/schema</a> · health: <a href="/health/ready">/health/ready</a></p>
</body></html>"""


# Best first: (Content-Encoding, suffix of the precompressed copy).
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))


def _weights(header: str) -> dict[str, float]:
    """Each coding the client names (RFC 9110 Accept-Encoding) with its weight; a garbled
    weight counts as 0, a refusal."""
    weights = {}
    for part in header.lower().split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        weight = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            weights[coding] = float(weight)
        except ValueError:
            weights[coding] = 0.0
    return weights


def _encoded(found: Path, accept_encoding: str) -> tuple[Path, str | None, bool]:
    """The file to send, its Content-Encoding, and whether a compressed copy exists at all.
    A coding named with q=0 is refused even when `*` would otherwise accept it."""
    copies = [(c, found.with_name(found.name + s)) for c, s in PRECOMPRESSED]
    copies = [(c, p) for c, p in copies if p.is_file()]
    weights = _weights(accept_encoding)
    for coding, copy in copies:
        if weights.get(coding, weights.get("*", 0.0)) > 0:
            return copy, coding, True
    return found, None, bool(copies)


def _resolve(dist: Path, path: str) -> Path | None:
    candidate = (dist / path).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


@get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False, exclude_from_auth=True)
def pwa(request: Request, path: FromPath[str] = "") -> Response | File:
    path = path.lstrip("/")
    if path.startswith(NEVER_HTML):
        raise NotFound("not_found", "no such resource")
    dist: Path = request.app.state.settings.pwa_dist
    index = dist / "index.html"
    if not index.is_file():
        return Response(_NOT_BUILT, media_type="text/html; charset=utf-8")
    found = _resolve(dist, path) if path else None
    if found is None:
        if "." in path.rsplit("/", 1)[-1]:  # a missing asset, not an app route
            raise NotFound("not_found", "no such file")
        found = index
    immutable = found.parent.name == "assets"
    headers = {"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
    body, coding, varies = _encoded(found, request.headers.get("accept-encoding", ""))
    if varies:
        headers["Vary"] = "Accept-Encoding"
    if coding:
        headers["Content-Encoding"] = coding
    return File(
        body,
        filename=found.name,  # the media type comes from this name, not from the .br/.gz copy
        content_disposition_type="inline",
        headers=headers,
    )
