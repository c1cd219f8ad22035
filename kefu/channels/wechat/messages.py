"""WeChat's XML callback bodies, read without ever expanding an entity: a body with a DOCTYPE or an
entity declaration is refused, and so is anything longer than a WeChat callback can be."""

from __future__ import annotations

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


def to_xml(fields: Dict[str, str]) -> str:
    """Fields as WeChat's XML (CDATA-free: every value escaped)."""
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>" for name, value in fields.items())
    return f"<xml>{inner}</xml>"
