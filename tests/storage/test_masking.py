import logging

import pytest

from kefu.storage import masking
from kefu.storage.masking import PhoneMaskingFilter, install_log_masking, mask_phone, mask_phones_in


@pytest.mark.parametrize("phone", ["13800000001", "138 0000 0001", "138-0000-0001", "+86 13800000001",
                                   "+8613800000001", "0086-138-0000-0001"])
def test_a_mobile_number_keeps_its_first_three_and_last_four_digits(phone):
    assert mask_phone(phone) == "138****0001"


@pytest.mark.parametrize("number, masked", [("0571-88886666", "****6666"), ("12345678901", "****8901"),
                                             ("", ""), (None, "")])
def test_any_other_number_keeps_only_its_last_four_digits(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize("text, masked", [
    ("王五 13700001111", "王五 137****1111"),
    ("电话13800000001。", "电话138****0001。"),
    ("call 138 0000 0001 or 139-1234-5678", "call 138****0001 or 139****5678"),
    ("+86 13800000001", "+86 138****0001"),
    ("0086-138-0000-0001", "0086-138****0001"),
])
def test_mobile_numbers_in_free_text_are_masked(text, masked):
    assert mask_phones_in(text) == masked


@pytest.mark.parametrize("text", [
    "订单 2024111100002",          # 13 digits: an order number, not a phone
    "12800000001",                # 12x is no mobile prefix
    "1380000000",                 # ten digits
    "时间戳 1700000000123",
    "138****0001",                # already masked: masking twice changes nothing
])
def test_text_without_a_mobile_number_is_left_alone(text):
    assert mask_phones_in(text) == text


def record(msg, *args):
    return logging.LogRecord("kefu.test", logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_masks_the_message_and_every_kind_of_argument():
    entry = record("shopper %s sent %r with %s", "13800000001", {"phone": "13900000002"}, 42)
    assert PhoneMaskingFilter().filter(entry) is True
    assert entry.getMessage() == "shopper 138****0001 sent {'phone': '139****0002'} with 42"


def test_the_filter_leaves_records_without_phones_untouched():
    entry = record("order %s", "2024111100002")
    PhoneMaskingFilter().filter(entry)
    assert (entry.msg, entry.args) == ("order %s", ("2024111100002",))


@pytest.fixture
def restored_record_factory(monkeypatch):
    original = logging.getLogRecordFactory()
    monkeypatch.setattr(masking, "_installed_factory", None)
    yield
    logging.setLogRecordFactory(original)
    for handler in masking._existing_handlers():  # other tests may look for phones in their logs
        handler.removeFilter(masking._FILTER)


def test_installed_masking_reaches_every_logger_and_handler(restored_record_factory, caplog):
    install_log_masking()
    install_log_masking()  # twice: still one mask, no error
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.core.processor").info("tracker of %s: %s", "shopper", {"text": "我是13800000001"})
        # A logger created after the install is masked too (the record factory, not a per-logger filter).
        logging.getLogger(f"kefu.late.{id(caplog)}").warning("phone 139-0000-0002")
    assert [r.getMessage() for r in caplog.records] == [
        "tracker of shopper: {'text': '我是138****0001'}",
        "phone 139****0002",
    ]


def test_the_filter_masks_fields_passed_with_extra():
    entry = record("")
    entry.request = "GET /webhooks/rest/messages?sender=13800000001"
    PhoneMaskingFilter().filter(entry)
    assert entry.request == "GET /webhooks/rest/messages?sender=138****0001"


def test_installed_masking_covers_extra_fields_on_the_handlers_already_there(restored_record_factory):
    written = []
    handler = logging.Handler()
    handler.emit = lambda entry: written.append(entry.request)
    access = logging.getLogger("sanic.access.kefu-test")
    access.addHandler(handler)
    access.propagate = False
    try:
        install_log_masking()
        access.warning("", extra={"request": "GET /conversations/13800000001/tracker"})
    finally:
        access.removeHandler(handler)
    assert written == ["GET /conversations/138****0001/tracker"]
