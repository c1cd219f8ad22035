"""WeChat's callback security, shared by the Official Account and the WeChat Customer Service (WeCom kf)
connectors: the plain-mode signature, the safe-mode ``msg_signature`` and the AES envelope
(docs/channels/wechat.md: security).

* plain signature: SHA1 of the sorted, concatenated ``token``, ``timestamp`` and ``nonce``;
* ``msg_signature``: the same over ``token``, ``timestamp``, ``nonce`` and the ciphertext;
* the envelope: AES-256-CBC keyed with ``base64(EncodingAESKey + "=")`` (43 characters -> 32 bytes),
  IV the key's first 16 bytes, PKCS#7 padding to 32-byte blocks (not AES's 16), over
  ``16 random bytes + message length (4 bytes, big-endian) + message + receive id`` (the AppID of an
  Official Account, the CorpID of a WeCom account).

Every failure is a :class:`CallbackRefused` with a reason for the log; the caller answers 403/400 and
never shows the reason to the sender.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import time
from dataclasses import dataclass
from typing import Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_BYTES = 32  # WeChat pads to 32-byte blocks
# A callback older or newer than this is refused even with a good signature (replays of old captures).
MAX_CLOCK_SKEW_SECONDS = 300


class CallbackRefused(Exception):
    """A callback that is not an intact WeChat message: bad ciphertext, not XML, too large (HTTP 400)."""

    status = 400


class ForgedCallback(CallbackRefused):
    """A callback whose signature does not hold or whose timestamp is stale: not from WeChat (HTTP 403)."""

    status = 403


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: SHA1 of the parts sorted and concatenated, lowercase hex."""
    # SHA1 is WeChat's choice, not ours: the callbacks are signed so and no other hash would match.
    joined = "".join(sorted(str(part) for part in parts)).encode("utf-8")
    return hashlib.sha1(joined).hexdigest()  # nosec B324 - WeChat's protocol (docs/security.md: Bandit)


def signatures_match(expected: str, given: Optional[str]) -> bool:
    return bool(given) and hmac.compare_digest(expected, str(given).strip().lower())


def pkcs7_pad(data: bytes, block: int = BLOCK_BYTES) -> bytes:
    amount = block - len(data) % block
    return data + bytes([amount]) * amount


def pkcs7_unpad(data: bytes, block: int = BLOCK_BYTES) -> bytes:
    if not data or len(data) % 16:
        raise CallbackRefused("ciphertext length is not whole AES blocks")
    amount = data[-1]
    if amount < 1 or amount > block or data[-amount:] != bytes([amount]) * amount:
        raise CallbackRefused("bad padding")
    return data[:-amount]


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key of a 43-character EncodingAESKey."""
    try:
        key = base64.b64decode((encoding_aes_key or "").strip() + "=", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("EncodingAESKey is not 43 characters of base64") from error
    if len(key) != 32:
        raise ValueError("EncodingAESKey must be 43 characters (a 32-byte key)")
    return key


@dataclass(frozen=True)
class WeChatCrypto:
    """The token, key and receive id of one WeChat account; checks and opens its callbacks, seals replies."""

    token: str
    encoding_aes_key: str
    receive_id: str
    max_skew_seconds: float = MAX_CLOCK_SKEW_SECONDS

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("a WeChat callback token is required")
        if self.encoding_aes_key:
            aes_key(self.encoding_aes_key)  # fail at start, not at the first message

    @property
    def safe_mode(self) -> bool:
        return bool(self.encoding_aes_key)

    # --- signatures ---
    def check_plain(self, signature: Optional[str], timestamp: Optional[str], nonce: Optional[str]) -> None:
        """The URL signature of every Official Account callback (and its GET verification)."""
        self._check_time(timestamp)
        if not signatures_match(sha1_signature(self.token, timestamp or "", nonce or ""), signature):
            raise ForgedCallback("signature does not match")

    def check_message(self, msg_signature: Optional[str], timestamp: Optional[str], nonce: Optional[str],
                      encrypted: Optional[str]) -> None:
        """The ``msg_signature`` over the ciphertext (safe mode, WeCom)."""
        self._check_time(timestamp)
        if not encrypted:
            raise CallbackRefused("no ciphertext")
        expected = sha1_signature(self.token, timestamp or "", nonce or "", encrypted)
        if not signatures_match(expected, msg_signature):
            raise ForgedCallback("msg_signature does not match")

    def _check_time(self, timestamp: Optional[str]) -> None:
        if not timestamp or not str(timestamp).isdigit():
            raise ForgedCallback("no timestamp")
        if self.max_skew_seconds > 0 and abs(time.time() - int(timestamp)) > self.max_skew_seconds:
            raise ForgedCallback("timestamp outside the allowed window")

    # --- the envelope ---
    def decrypt(self, encrypted: str) -> str:
        """The message inside ``encrypted``; CallbackRefused for anything that is not our sealed message."""
        try:
            ciphertext = base64.b64decode(encrypted or "", validate=True)
        except (binascii.Error, ValueError) as error:
            raise CallbackRefused("ciphertext is not base64") from error
        if not ciphertext or len(ciphertext) % 16:
            raise CallbackRefused("ciphertext length is not whole AES blocks")
        key = aes_key(self.encoding_aes_key)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = pkcs7_unpad(decryptor.update(ciphertext) + decryptor.finalize())
        if len(plain) < 20:
            raise CallbackRefused("envelope too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20:20 + length], plain[20 + length:]
        if len(message) != length:
            raise CallbackRefused("envelope length does not match")
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise CallbackRefused("envelope is for another account")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CallbackRefused("message is not UTF-8") from error

    def encrypt(self, message: str, nonce: Optional[str] = None, timestamp: Optional[str] = None) -> "Sealed":
        """``message`` sealed the way WeChat seals callbacks (and expects passive replies in safe mode)."""
        key = aes_key(self.encoding_aes_key)
        body = message.encode("utf-8")
        plain = secrets.token_bytes(16) + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8")
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        encrypted = base64.b64encode(encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()).decode("ascii")
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(5)
        return Sealed(encrypted, sha1_signature(self.token, timestamp, nonce, encrypted), timestamp, nonce)


@dataclass(frozen=True)
class Sealed:
    encrypted: str
    msg_signature: str
    timestamp: str
    nonce: str
