"""What the web chat accepts as a photo (kefu/channels/webchat_photos.py), and the signed links agents open
photos with (kefu/security/photo_links.py)."""

import io

from PIL import Image

from kefu.channels.webchat_photos import photo_type
from kefu.security.photo_links import AGENT_LINK_SECONDS, PhotoLinks


def image_bytes(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buffer, kind)
    return buffer.getvalue()


def test_jpeg_png_and_webp_are_told_by_their_first_bytes():
    assert photo_type(image_bytes("JPEG")) == "image/jpeg"
    assert photo_type(image_bytes("PNG")) == "image/png"
    assert photo_type(image_bytes("WEBP")) == "image/webp"


def test_anything_else_is_not_a_photo_whatever_it_claims():
    assert photo_type(b"") is None
    assert photo_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>") is None
    assert photo_type(b"GIF89a" + b"\x00" * 20) is None
    assert photo_type(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None, "a RIFF that is not WebP"
    assert photo_type("😀😀😀".encode("utf-8")) is None
    assert photo_type(b"x" * 10_000) is None


def test_an_agent_link_opens_its_photo_only_until_it_expires():
    now = [1_000_000.0]
    links = PhotoLinks("secret", clock=lambda: now[0])
    signature = links.sign("photo1")
    assert links.valid("photo1", signature)
    assert not links.valid("photo2", signature), "a link is for one photo"
    assert not PhotoLinks("other secret", clock=lambda: now[0]).valid("photo1", signature), "forged with another key"
    expires, mac = signature.split(".")
    assert not links.valid("photo1", f"{int(expires) + 3600}.{mac}"), "a later expiry breaks the signature"
    for bad in (None, "", "nodot", "abc.def", ".", "😀.😀"):
        assert not links.valid("photo1", bad)
    now[0] += AGENT_LINK_SECONDS + 1
    assert not links.valid("photo1", signature), "expired"


def test_an_agent_link_is_the_photo_route_with_its_signature():
    links = PhotoLinks("secret", clock=lambda: 1_000_000.0)
    link = links.link("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    path, signature = link.split("?sig=")
    assert path == "/webhooks/webchat/photos/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert links.valid("0a1b2c3d4e5f60718293a4b5c6d7e8f9", signature)
