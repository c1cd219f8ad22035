"""WeChat's callback bodies: XML (Official Accounts, WeCom, Mini Programs set to XML), read without ever
expanding an entity (a body with a DOCTYPE or an entity declaration is refused), or JSON (Mini Programs
set to JSON), with the same field names; anything longer than a WeChat callback can be is refused."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import Dict
from xml.sax.saxutils import escape

from kefu.channels.wechat.crypto import CallbackRefused

# A WeChat callback (a text of at most 2048 bytes, encrypted and base64'd, in XML) is far below this.
MAX_CALLBACK_BYTES = 64 * 1024


def parse_xml(body: bytes | str) -> Dict[str, str]:
    """The flat fields of a WeChat XML message (``<xml><ToUserName>…</ToUserName>…</xml>``)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not raw or len(raw) > MAX_CALLBACK_BYTES:
        raise CallbackRefused("empty or oversized body")
    lowered = raw.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise CallbackRefused("DOCTYPE or entity in the body")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise CallbackRefused("body is not XML") from error
    return {child.tag: (child.text or "").strip() for child in root}


def parse_body(body: bytes | str) -> Dict[str, str]:
    """The flat fields of a callback in XML or in JSON (a body starting with ``{``)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if raw.lstrip()[:1] != b"{":
        return parse_xml(raw)
    if len(raw) > MAX_CALLBACK_BYTES:
        raise CallbackRefused("oversized body")
    try:
        fields = json.loads(raw)
    except ValueError as error:
        raise CallbackRefused("body is not JSON") from error
    if not isinstance(fields, dict):
        raise CallbackRefused("body is not a JSON object")
    return {str(name): str(value).strip() for name, value in fields.items() if not isinstance(value, (dict, list))}


def to_xml(fields: Dict[str, str]) -> str:
    """Fields as WeChat's XML (CDATA-free: every value escaped)."""
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in fields.items())
    return f"<xml>{inner}</xml>"
