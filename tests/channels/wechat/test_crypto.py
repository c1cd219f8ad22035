"""WeChat's callback security against WeCom's published sample and against tampering."""

import base64
import time

import pytest

from kefu.channels.wechat.crypto import (
    CallbackRefused, ForgedCallback, WeChatCrypto, pkcs7_pad, pkcs7_unpad, sha1_signature,
)

# The URL-verification example of WeCom's callback documentation (WXBizMsgCrypt).
SAMPLE = dict(token="QDG6eK", key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corp_id="wx5823bf96d3bd56c7",
              msg_signature="5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", timestamp="1409659589", nonce="263014780",
              echostr="P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
              plain="1616140317555161061")


def sample_crypto(**options) -> WeChatCrypto:
    return WeChatCrypto(SAMPLE["token"], SAMPLE["key"], SAMPLE["corp_id"], **options)


def test_wecoms_published_sample_verifies_and_decrypts():
    crypto = sample_crypto(max_skew_seconds=0)  # the sample is from 2014
    crypto.check_message(SAMPLE["msg_signature"], SAMPLE["timestamp"], SAMPLE["nonce"], SAMPLE["echostr"])
    assert crypto.decrypt(SAMPLE["echostr"]) == SAMPLE["plain"]


def test_a_stale_timestamp_is_refused_even_with_a_good_signature():
    with pytest.raises(ForgedCallback):
        sample_crypto().check_message(SAMPLE["msg_signature"], SAMPLE["timestamp"], SAMPLE["nonce"], SAMPLE["echostr"])


def test_sealed_messages_open_again_and_are_signed_over_the_ciphertext():
    crypto = sample_crypto()
    sealed = crypto.encrypt("<xml><Content>你好 😊</Content></xml>")
    crypto.check_message(sealed.msg_signature, sealed.timestamp, sealed.nonce, sealed.encrypted)
    assert crypto.decrypt(sealed.encrypted) == "<xml><Content>你好 😊</Content></xml>"
    assert sealed.msg_signature == sha1_signature(SAMPLE["token"], sealed.timestamp, sealed.nonce, sealed.encrypted)


@pytest.mark.parametrize("signature", ["", "0" * 40, sha1_signature("other-token", "1", "2")])
def test_forged_signatures_are_refused(signature):
    crypto = sample_crypto()
    now = str(int(time.time()))
    with pytest.raises(ForgedCallback):
        crypto.check_plain(signature, now, "nonce")
    with pytest.raises(ForgedCallback):
        crypto.check_message(signature, now, "nonce", crypto.encrypt("x").encrypted)


def test_a_message_sealed_for_another_account_is_refused():
    other = WeChatCrypto(SAMPLE["token"], SAMPLE["key"], "wxsomeoneelse")
    with pytest.raises(CallbackRefused, match="another account"):
        sample_crypto().decrypt(other.encrypt("hello").encrypted)


@pytest.mark.parametrize("ciphertext", [
    "not base64 at all!!",
    base64.b64encode(b"short").decode(),
    base64.b64encode(b"\x00" * 32).decode(),  # whole blocks, but garbage: padding fails
    "",
])
def test_bad_ciphertext_is_refused_not_crashed_on(ciphertext):
    with pytest.raises(CallbackRefused):
        sample_crypto().decrypt(ciphertext)


def test_padding_is_to_32_byte_blocks():
    assert len(pkcs7_pad(b"x" * 31)) == 32
    assert pkcs7_pad(b"x" * 32)[-1] == 32  # a whole block of padding after a full block
    assert pkcs7_unpad(pkcs7_pad("亲".encode())) == "亲".encode()


def test_a_key_that_is_not_43_base64_characters_fails_at_start():
    with pytest.raises(ValueError):
        WeChatCrypto("token", "tooshort", "wx1")
