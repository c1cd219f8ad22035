"""Phone numbers hidden where they do not belong: ``138****0001`` in what a shopper reads and in every
log line. The full number stays in the database, where the shop and its agents need it to call back.

A mainland mobile number is 11 digits starting 1[3-9]; people also write it as ``+86 138 0000 0001``,
``138-0000-0001`` or ``0086…``, so the pattern allows a country prefix and a blank or dash between the
3-4-4 groups. It must not touch longer digit runs (order numbers such as ``2024111100002`` contain
11-digit substrings), hence the "no digit before, no digit after" guards.
"""

from __future__ import annotations

import logging
import re
from typing import Callable, List, Optional

MASK = "****"

_SEPARATOR = r"[ \t\-]?"
_MOBILE_IN_TEXT = re.compile(
    r"(?<!\d)"
    r"(?P<prefix>(?:\+|00)86" + _SEPARATOR + r")?"
    r"(?P<head>1[3-9]\d)" + _SEPARATOR + r"(?P<middle>\d{4})" + _SEPARATOR + r"(?P<tail>\d{4})"
    r"(?!\d)"
)
_COUNTRY_PREFIXES = ("0086", "86")


def mask_phone(phone: Optional[str]) -> str:
    """``13800000001`` (or ``+86 138-0000-0001``) as ``138****0001``; any other number keeps only its
    last four digits (``****8888``), which is all a shopper needs to recognise it; nothing: ""."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if not digits:
        return ""
    for prefix in _COUNTRY_PREFIXES:
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    return f"{MASK}{digits[-4:]}"


def mask_phones_in(text: str) -> str:
    """``text`` with every mainland mobile number in it masked (a country prefix is kept as written)."""
    if not text:
        return text
    return _MOBILE_IN_TEXT.sub(_masked_match, text)


def _masked_match(match: "re.Match[str]") -> str:
    return f"{match.group('prefix') or ''}{match.group('head')}{MASK}{match.group('tail')}"


# What every LogRecord has; anything else on a record came from extra=….
_STANDARD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class PhoneMaskingFilter(logging.Filter):
    """Masks phone numbers in a record's message and arguments; never drops a record.

    The message is rendered once (``msg % args``) and, only when it held a phone number, replaced by
    its masked text with the arguments cleared: an argument of any type (a dict, a tracker, an
    exception) is covered, not only strings.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        self._mask_extra_fields(record)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report, not ours to hide
            return True
        masked = mask_phones_in(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True

    @staticmethod
    def _mask_extra_fields(record: logging.LogRecord) -> None:
        # Fields passed with extra=…: Sanic's access log puts the request line there, and a sender id
        # (some channels use the phone number) in a URL is a phone number all the same.
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_FIELDS and isinstance(value, str):
                setattr(record, name, mask_phones_in(value))


_FILTER = PhoneMaskingFilter()
_installed_factory: Optional[Callable[..., logging.LogRecord]] = None


def install_log_masking() -> None:
    """Mask phone numbers in every log record of this process from now on (calling it again does nothing).

    Installed in the record factory rather than only on handlers or the root logger: a filter on a
    logger does not see its children's records, and Rasa, Sanic and TensorFlow add handlers of their own
    after start-up; every record, whoever logs it and whichever handler writes it, is made by the
    factory. Records below a logger's level are never made, so quiet debug logging costs nothing.
    The fields of ``extra=…`` are set on a record after the factory made it, so the handlers that exist
    now get the filter as well (Sanic's access log keeps its request line there).
    """
    global _installed_factory
    for handler in _existing_handlers():
        handler.addFilter(_FILTER)  # a no-op when it is there already
    current = logging.getLogRecordFactory()
    if current is _installed_factory:
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(masking_factory)
    _installed_factory = masking_factory


def _existing_handlers() -> List[logging.Handler]:
    loggers = [logging.getLogger()] + [
        logger for logger in list(logging.Logger.manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    return [handler for logger in loggers for handler in logger.handlers]
