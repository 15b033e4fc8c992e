"""JSON request bodies of the API, declared as dataclasses and parsed by one function.

Each body is a frozen dataclass; a field's type says what it accepts (`str`, `int`, `bool`, optionally `| None`
with a default) and `limit(n)` sets a string's maximum length. `parse(Body, data)` checks every declared field
and builds the dataclass, or raises ApiError 400 with the same messages the API has always given
(`\\`name\\` is required.`, `\\`name\\` must be a positive integer.` ...). Unknown keys are ignored, as before.

Dataclasses rather than a schema library: four small bodies do not justify a new dependency, and the messages
(documented, and asserted by tests) stay exactly as they were.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

from advocacy.api.errors import ApiError

MAX_INT = 2**31 - 1
DEFAULT_MAX_LENGTH = 300

T = TypeVar("T")


def limit(max_length: int, default: Any = dataclasses.MISSING) -> Any:
    """A string field of at most `max_length` characters (with `default` when it is optional)."""
    return field(default=default, metadata={"max_length": max_length})


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def _check_str(name: str, value: Any, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length or "\x00" in value:
        raise _bad(f"`{name}` must be a non-empty string of at most {max_length} characters.")
    return value


def _check_int(name: str, value: Any, _max_length: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INT:
        raise _bad(f"`{name}` must be a positive integer.")
    return value


def _check_bool(name: str, value: Any, _max_length: int) -> bool:
    if not isinstance(value, bool):
        raise _bad(f"`{name}` must be true or false.")
    return value


CHECKS = {str: _check_str, int: _check_int, bool: _check_bool}


def _kind(annotation: Any) -> type:
    """`str`, `int` or `bool` out of `X` or `X | None`."""
    if isinstance(annotation, types.UnionType):
        (kind,) = (a for a in typing.get_args(annotation) if a is not type(None))
        return kind
    return annotation


def parse(schema: type[T], data: dict[str, Any]) -> T:
    """Build `schema` (a dataclass) from a decoded JSON object; a missing or null field takes its default."""
    hints = typing.get_type_hints(schema)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(schema):  # type: ignore[arg-type]  # schema is a dataclass type
        value = data.get(spec.name)
        if value is None:
            if spec.default is dataclasses.MISSING:
                raise _bad(f"`{spec.name}` is required.")
            values[spec.name] = spec.default
            continue
        check = CHECKS[_kind(hints[spec.name])]
        values[spec.name] = check(spec.name, value, spec.metadata.get("max_length", DEFAULT_MAX_LENGTH))
    return schema(**values)


@dataclass(frozen=True)
class TrackBill:
    """POST /bills."""

    citation: str = limit(300)
    campaign: str | None = limit(80, None)


@dataclass(frozen=True)
class NewInvitation:
    """POST /campaigns/{slug}/invitations."""

    city_id: int
    email: str = limit(254)
    contact_name: str | None = limit(200, None)


@dataclass(frozen=True)
class NewLetterBatch:
    """POST /letter-batches. `include_samples`: let the demo's sample endorsements into the letters (marked)."""

    campaign: str = limit(80)
    template: str = limit(80)
    selector: str = limit(200)
    joint: bool = False
    include_samples: bool = False
