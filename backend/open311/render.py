"""GeoReport v2 documents in both formats: element names, nesting, content types, datetimes.

XML is the specification's required format (UTF-8, an XML declaration, `text/xml`); JSON uses
the same names. Lists nest under a container whose children carry the singular name
(`<services><service>`, `<attributes><attribute>`, `<errors><error>`, …).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring
from zoneinfo import ZoneInfo

from litestar import Response

from backend.errors import NotFound

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Litestar appends "; charset=utf-8" to text/* types itself.
_MEDIA_TYPES = {"xml": "text/xml", "json": "application/json; charset=utf-8"}
# container element → the name of each child
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def split_format(leaf: str) -> tuple[str, str]:
    """`services.xml` → ("services", "xml"); an unknown suffix is a 404 like any unknown URL."""
    name, dot, fmt = leaf.rpartition(".")
    if not dot or not name or fmt not in CONTENT_TYPES:
        raise NotFound("open311.not_found", "no such resource: append .xml or .json")
    return name, fmt


def format_of_path(path: str) -> str:
    return "xml" if path.rstrip("/").endswith(".xml") else "json"


def w3c(moment: datetime | None) -> str | None:
    """W3C datetime with the community's offset, e.g. 2026-11-22T09:30:00+08:00."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, tag: str, value: Any) -> None:
    node = SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(node, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(node, ITEM_NAMES[tag], inner)
    else:
        node.text = _text(value)


def to_xml(root: str, document: dict | list) -> bytes:
    tree = Element(root)
    if isinstance(document, list):
        for item in document:
            _fill(tree, ITEM_NAMES[root], item)
    else:
        for key, value in document.items():
            _fill(tree, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(tree, encoding="unicode").encode()


def document(
    root: str, body: dict | list, fmt: str, status: int = 200, headers: dict | None = None
) -> Response[bytes]:
    """The answer in the asked format: `root` names the XML root element."""
    as_json = json.dumps(body, ensure_ascii=False).encode
    content = to_xml(root, body) if fmt == "xml" else as_json()
    return Response(
        content, status_code=status, media_type=_MEDIA_TYPES[fmt], headers=headers or {}
    )


def errors(status: int, description: str, fmt: str, headers: dict | None = None) -> Response:
    """The specification's error document: `[{code, description}]` or `<errors><error>`."""
    return document("errors", [{"code": status, "description": description}], fmt, status, headers)
