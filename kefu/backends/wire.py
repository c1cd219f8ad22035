"""The JSON form of the backend dataclasses, both ways, following their fields
so that the reference server and the HTTP backends cannot drift apart
(format: docs/backends.md)."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, List, Type, TypeVar, Union

T = TypeVar("T")

_CENT = Decimal("0.01")


class WireFormatError(ValueError):
    """The JSON does not have the shape of the expected dataclass."""


def to_wire(value: Any) -> Any:
    """Plain JSON-ready data for a dataclass (or anything inside one)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value.quantize(_CENT))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_wire(item) for key, item in value.items()}
    return value


def from_wire(kind: Type[T], data: Any, where: str = "$") -> T:
    """``data`` (parsed JSON) as a ``kind``; :class:`WireFormatError` if it does not fit."""
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None  # type: ignore[return-value]
        (inner,) = [option for option in options if option is not type(None)]
        return from_wire(inner, data, where)
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        _expect(isinstance(data, list), where, "a list", data)
        return [from_wire(item_kind, item, f"{where}[{i}]") for i, item in enumerate(data)]  # type: ignore[return-value]
    if origin is tuple:
        # Only Tuple[X, ...]: a tuple travels as a JSON list, like a list.
        args = typing.get_args(kind)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{where}: no wire form for {kind!r}")
        return tuple(from_wire(List[args[0]], data, where))  # type: ignore[return-value, valid-type]
    if origin is dict:
        key_kind, value_kind = typing.get_args(kind)
        _expect(isinstance(data, dict), where, "an object", data)
        return {
            from_wire(key_kind, key, where): from_wire(value_kind, value, f"{where}.{key}")
            for key, value in data.items()
        }  # type: ignore[return-value]
    if dataclasses.is_dataclass(kind):
        return _dataclass_from_wire(kind, data, where)
    return _scalar_from_wire(kind, data, where)


def _dataclass_from_wire(kind, data, where):
    _expect(isinstance(data, dict), where, f"a {kind.__name__} object", data)
    hints = typing.get_type_hints(kind)
    values = {}
    for f in dataclasses.fields(kind):
        if f.name in data:
            values[f.name] = from_wire(hints[f.name], data[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise WireFormatError(f"{where}: missing field {f.name!r}")
    return kind(**values)


def _scalar_from_wire(kind, data, where):
    if kind is Decimal:
        # Strings only: a JSON number may already have lost cents to binary floating point.
        _expect(isinstance(data, str), where, "a decimal string", data)
        try:
            return Decimal(data).quantize(_CENT)
        except InvalidOperation:
            raise WireFormatError(f"{where}: {data!r} is not a decimal") from None
    if kind is datetime:
        _expect(isinstance(data, str), where, "a date-time", data)
        try:
            moment = datetime.fromisoformat(data)
        except ValueError:
            raise WireFormatError(f"{where}: {data!r} is not an ISO date-time") from None
        _expect(moment.tzinfo is not None, where, "a date-time with offset", data)
        return moment
    if kind is date:
        _expect(isinstance(data, str), where, "a date", data)
        try:
            return date.fromisoformat(data)
        except ValueError:
            raise WireFormatError(f"{where}: {data!r} is not an ISO date") from None
    if kind is bool:
        _expect(isinstance(data, bool), where, "true or false", data)
        return data
    if kind is int:
        _expect(isinstance(data, int) and not isinstance(data, bool), where, "an integer", data)
        return data
    if kind is str:
        _expect(isinstance(data, str), where, "a string", data)
        return data
    raise TypeError(f"{where}: no wire form for {kind!r}")


def _expect(condition: bool, where: str, expected: str, data: Any) -> None:
    if not condition:
        shown = repr(data)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise WireFormatError(f"{where}: expected {expected}, got {shown}")
