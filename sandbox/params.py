"""Reading and checking query parameters and JSON bodies the way the Admin API does.

Every refusal is a 400 `invalid_request_error` whose message starts with the parameter's name
(`limit: ...`, `role: ...`, `data_residency.default_inference_geo: ...`), so a client can tell
which input to fix. Array query parameters arrive as repeated `name[]=value` (what the official
SDK sends); the bare `name=value` spelling is accepted too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from starlette.datastructures import QueryParams
from starlette.requests import Request

from . import ids
from .errors import ApiError, invalid_request
from .pagination import Window, decode_page

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 1000
SLUG_MAX: Final = 255
DESCRIPTION_MAX: Final = 1000
_SLUG: Final = re.compile(r"^[a-z0-9-]+$")
MAX_BODY_BYTES: Final = 1_000_000
"""Admin API bodies are a few fields; anything near this size is a client bug (413)."""


def _quoted(options: Collection[str]) -> str:
    return ", ".join(f"'{option}'" for option in options)


def _shown(value: object) -> str:
    """A short, safe rendering of a rejected value for an error message."""
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_id(field: str, value: str, prefix: str, noun: str) -> str:
    if not ids.looks_like_id(value, prefix):
        raise invalid_request(f"{field}: {_shown(value)} is not a valid {noun} id (expected {prefix}...)")
    return value


class Query:
    """The query string of one request."""

    def __init__(self, params: QueryParams) -> None:
        self._params = params

    def _last(self, name: str) -> str | None:
        values = self._params.getlist(name)
        return values[-1] if values else None

    def limit(self, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
        raw = self._last("limit")
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise invalid_request(f"limit: Input should be a valid integer, got {_shown(raw)}") from None
        if not 1 <= value <= maximum:
            raise invalid_request(f"limit: must be between 1 and {maximum}, got {value}")
        return value

    def window(self, prefix: str, noun: str) -> Window:
        """`limit` and at most one of `before_id`/`after_id`, each a well-formed id of the listed kind."""
        limit = self.limit()
        before = self._last("before_id")
        after = self._last("after_id")
        if before is not None and after is not None:
            raise invalid_request("before_id, after_id: only one of before_id and after_id may be given")
        if before is not None:
            check_id("before_id", before, prefix, noun)
        if after is not None:
            check_id("after_id", after, prefix, noun)
        return Window(limit, before, after)

    def page_window(self, prefix: str | None = None, maximum: int = 100) -> Window:
        """`limit` (1-`maximum`, default 20) and the opaque `page` cursor of the `next_page` style;
        with `prefix`, the cursor must stand for an id of that kind."""
        limit = self.limit(20, maximum)
        raw = self.string("page")
        after = None if raw is None else decode_page(raw)
        if after is not None and prefix is not None and not after.startswith(prefix):
            raise invalid_request("page: not a cursor from a previous response's next_page")
        return Window(limit, after=after)

    def items(self) -> list[tuple[str, str]]:
        """Every parameter as sent, repeated ones included."""
        return self._params.multi_items()

    def string(self, name: str) -> str | None:
        value = self._last(name)
        if value is not None and not value.strip():
            raise invalid_request(f"{name}: must not be empty")
        return value

    def optional_id(self, name: str, prefix: str, noun: str) -> str | None:
        value = self._last(name)
        return None if value is None else check_id(name, value, prefix, noun)

    def enum(self, name: str, allowed: Collection[str]) -> str | None:
        value = self._last(name)
        if value is not None and value not in allowed:
            raise invalid_request(f"{name}: {_shown(value)} is not one of {_quoted(allowed)}")
        return value

    def array(self, name: str) -> list[str]:
        return [*self._params.getlist(f"{name}[]"), *self._params.getlist(name)]

    def enum_array(self, name: str, allowed: Collection[str]) -> list[str]:
        values = self.array(name)
        for value in values:
            if value not in allowed:
                raise invalid_request(f"{name}[]: {_shown(value)} is not one of {_quoted(allowed)}")
        return values

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._last(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise invalid_request(f"{name}: Input should be a valid boolean, got {_shown(raw)}")


async def read_json(request: Request, *, required: bool) -> dict[str, Any]:
    """The request's JSON object body; `{}` when there is none and none is required."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body: larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        if required:
            raise invalid_request("request body: a JSON object is required")
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_request(f"request body: not valid JSON ({exc.__class__.__name__})") from None
    if data is None and not required:
        return {}
    if not isinstance(data, dict):
        raise invalid_request("request body: must be a JSON object")
    return data


class Body:
    """A JSON object body, checked field by field. Unknown fields are refused, as the API does."""

    def __init__(self, data: Mapping[str, Any], allowed: Collection[str], *, prefix: str = "") -> None:
        self._data = data
        self._prefix = prefix
        for name in data:
            if name not in allowed:
                raise invalid_request(f"{prefix}{name}: Extra inputs are not permitted")

    def has(self, name: str) -> bool:
        """Given with a non-null value (the API treats an explicit null as 'leave unchanged')."""
        return self._data.get(name) is not None

    def present(self, name: str) -> bool:
        """Given at all, an explicit null included (where null means something, e.g. "no limit")."""
        return name in self._data

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def field(self, name: str) -> str:
        return self._prefix + name

    def required(self, name: str) -> Any:
        if name not in self._data or self._data[name] is None:
            raise invalid_request(f"{self.field(name)}: Field required")
        return self._data[name]

    def string(self, name: str, *, required: bool = False, max_length: int = 1000) -> str | None:
        value = self.required(name) if required else self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid_request(f"{self.field(name)}: Input should be a valid string")
        if not value.strip():
            raise invalid_request(f"{self.field(name)}: must not be empty")
        if len(value) > max_length:
            raise invalid_request(f"{self.field(name)}: must be at most {max_length} characters")
        return value

    def enum(self, name: str, allowed: Collection[str], *, required: bool = False) -> str | None:
        value = self.required(name) if required else self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            raise invalid_request(f"{self.field(name)}: {_shown(value)} is not one of {_quoted(allowed)}")
        return value

    def id(self, name: str, prefix: str, noun: str) -> str:
        value = self.required(name)
        if not isinstance(value, str):
            raise invalid_request(f"{self.field(name)}: Input should be a valid string")
        return check_id(self.field(name), value, prefix, noun)

    def string_list(self, name: str) -> list[str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid_request(f"{self.field(name)}: Input should be a list of strings")
        return list(value)

    def object(self, name: str) -> Mapping[str, Any] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid_request(f"{self.field(name)}: Input should be an object")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._data.get(name)
        if value is not None and not isinstance(value, bool):
            raise invalid_request(f"{self.field(name)}: Input should be a valid boolean")
        return value

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid_request(f"{self.field(name)}: Input should be a valid integer")
        if not low <= value <= high:
            raise invalid_request(f"{self.field(name)}: must be between {low} and {high}, got {value}")
        return value

    def slug(self, name: str, *, required: bool) -> str | None:
        """A workload identity object's name: 1-255 lowercase letters, digits and hyphens."""
        value = self.required(name) if required else self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise invalid_request(f"{self.field(name)}: Input should be a valid string")
        if not 1 <= len(value) <= SLUG_MAX or not _SLUG.fullmatch(value):
            raise invalid_request(
                f"{self.field(name)}: must be 1 to {SLUG_MAX} lowercase letters, digits and hyphens "
                "(^[a-z0-9-]+$)"
            )
        return value

    def description(self, *, on_update: bool) -> tuple[bool, str | None]:
        """(given, value), at most 1,000 characters. On update an explicit null clears it (stored
        as "", as the SDK documents); leaving the field out leaves it unchanged."""
        if "description" not in self._data:
            return False, None
        value = self._data["description"]
        if value is None:
            return on_update, "" if on_update else None
        if not isinstance(value, str):
            raise invalid_request("description: Input should be a valid string")
        if len(value) > DESCRIPTION_MAX:
            raise invalid_request(f"description: must be at most {DESCRIPTION_MAX} characters")
        return True, value
