"""Frozen dataclasses to JSON and back, unchanged: what a bulletin's snapshot is stored as.

Decimal is written as its exact string (never a float) and dates in ISO form; reading back
follows the dataclasses' type hints, so `decode(kind, encode(value)) == value`.
"""

import dataclasses
import datetime
import types
import typing
from decimal import Decimal


def encode(value):
    """`value` as JSON can hold it: dataclasses as objects, Decimal as its exact string, dates in ISO."""
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    return value


def decode(kind, data):
    """`data` read back as `kind`, a type hint: a dataclass, list[...], dict[str, ...], X | None,
    Decimal, date or a JSON scalar. Fields missing from `data` take their defaults."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return decode(inner, data)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [decode(item, value) for value in data]
    if origin is dict:
        _, item = typing.get_args(kind)
        return {key: decode(item, value) for key, value in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind) if f.name in data})
    if kind is Decimal:
        return Decimal(data)
    if kind is datetime.date:
        return datetime.date.fromisoformat(data)
    return data

