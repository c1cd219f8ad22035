"""Photos a shopper sends through the web chat: what is accepted (JPEG, PNG or WebP, told by their first
bytes, never by the name or the type the browser claims; at most 5 MB; docs/channels/webchat.md: photos).
The links agents open them with are ``kefu.security.photo_links``."""

from __future__ import annotations

from typing import Optional

MAX_PHOTO_BYTES = 5 * 1024 * 1024


def photo_type(data: bytes) -> Optional[str]:
    """The content type of a JPEG, PNG or WebP image by its magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
