"""Tagged ids that sort in creation order, as the Admin API's do.

An id is `prefix` + `01` + 22 base58 characters, e.g. `user_01WCz1FkmYMm4gnmykNKUu3Q`. The 22
characters encode one 128-bit number, big-endian and zero-padded:

    milliseconds since the epoch (48 bits) | counter (32 bits) | random (48 bits)

The base58 alphabet is in ASCII order, so comparing two ids as strings compares those numbers:
string order is creation order. That is what lets every collection keep a sorted list of ids and
paginate with `bisect` instead of copying or sorting anything per request.

Per prefix, the generator never goes back in time (a pinned or skewed clock reuses that prefix's
latest millisecond) and the counter always grows, so a new id is strictly greater than every id of
its kind generated before it, whatever the clock says. Keeping the floor per prefix (not global)
lets the seeder create each collection in its own time order and still embed true creation times.
The random part comes from a `random.Random` seeded by the sandbox seed: the same seed and the
same sequence of calls give the same ids.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Sequence
from typing import Final

ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
"""Bitcoin's base58 alphabet: no 0, O, I or l. Its characters are in ASCII order."""

_BODY_CHARS: Final = 22
_PAIRS: Final = [a + b for a in ALPHABET for b in ALPHABET]
"""Every two-character base58 string, indexed by its value: halves the divisions per id."""
_PAIR_BASE: Final = 58 * 58

_ID_RE: Final = re.compile(rf"^((?:[a-z]+_)+)01[{ALPHABET}]{{{_BODY_CHARS}}}$")

USER: Final = "user_"
INVITE: Final = "invite_"
WORKSPACE: Final = "wrkspc_"
API_KEY: Final = "apikey_"
ACTIVITY: Final = "activity_"
SPEND_LIMIT: Final = "spl_"
INCREASE_REQUEST: Final = "splreq_"
"""The SDK names no prefix for spend-limit increase requests: this one is the sandbox's choice."""
RBAC_GROUP: Final = "rbac_group_"
RBAC_ROLE: Final = "rbac_role_"
"""The SDK names no prefix for RBAC roles either; the tools accept any well-formed id for both."""
EXTERNAL_KEY: Final = "ekey_"
TELEMETRY_DESTINATION: Final = "tdst_"
WEBHOOK: Final = "whep_"
"""The SDK names no prefix for organization webhook endpoints: this one is the sandbox's choice."""
PLUGIN: Final = "plugin_"
PLUGIN_VERSION: Final = "pluginver_"
MARKETPLACE: Final = "marketplace_"
SLACK_WORKSPACE: Final = "slws_"
SLACK_CHANNEL: Final = "slch_"
BUNDLE: Final = "capp_"
BUNDLE_TARGET: Final = "btgt_"


def encode_base58(value: int) -> str:
    """`value` (0 <= value < 58**22) as exactly 22 base58 characters, most significant first."""
    # Unrolled, two characters per division: seeding 100,000 users makes ~130,000 ids.
    pairs, base = _PAIRS, _PAIR_BASE
    value, p11 = divmod(value, base)
    value, p10 = divmod(value, base)
    value, p9 = divmod(value, base)
    value, p8 = divmod(value, base)
    value, p7 = divmod(value, base)
    value, p6 = divmod(value, base)
    value, p5 = divmod(value, base)
    value, p4 = divmod(value, base)
    value, p3 = divmod(value, base)
    value, p2 = divmod(value, base)
    value, p1 = divmod(value, base)
    if value:
        raise ValueError("value does not fit in 22 base58 characters")
    return (
        pairs[p1] + pairs[p2] + pairs[p3] + pairs[p4] + pairs[p5] + pairs[p6]
        + pairs[p7] + pairs[p8] + pairs[p9] + pairs[p10] + pairs[p11]
    )  # fmt: skip


def decode_base58(text: str) -> int:
    """The inverse of `encode_base58`."""
    value = 0
    for char in text:
        value = value * 58 + ALPHABET.index(char)
    return value


def is_id(value: str, prefix: str) -> bool:
    """Whether `value` is exactly an id this generator could have made, with this prefix."""
    match = _ID_RE.match(value)
    return match is not None and match.group(1) == prefix


_ID_SHAPE: Final = re.compile(r"^((?:[a-z]+_)+)[A-Za-z0-9]{1,64}$")
"""A prefix may have several parts (`rbac_group_`): the prefix is every `word_` before the body."""


def looks_like_id(value: str, prefix: str) -> bool:
    """Whether `value` could be an id of this kind: the prefix, then 1-64 letters and digits.

    This is the check requests get (the same one the MCP tools apply before sending): an id of
    another kind or with stray characters is malformed; a well-shaped id that names nothing is
    merely unknown (404 in a path, an empty result or a position in a cursor)."""
    match = _ID_SHAPE.match(value)
    return match is not None and match.group(1) == prefix


def id_millis(value: str) -> int:
    """The creation time (ms since the epoch) encoded in a well-formed id."""
    body = value[value.rindex("_") + 3 :]
    return decode_base58(body) >> 80


class IdGenerator:
    """Deterministic, monotonic ids for one sandbox."""

    def __init__(self, seed: int) -> None:
        # A string seed is hashed with SHA-512 by `random`, so seeds 1 and 2 give unrelated streams.
        self._rng = random.Random(f"claude-admin-mcp-sandbox-ids:{seed}")
        self._last_ms: dict[str, int] = {}
        self._counter = 0

    def new(self, prefix: str, at_ms: int) -> str:
        """A new id for an object created at `at_ms` (ms since the epoch)."""
        last = self._last_ms.get(prefix, 0)
        if at_ms < last:
            at_ms = last
        self._last_ms[prefix] = at_ms
        self._counter += 1
        return (
            prefix + "01" + encode_base58((at_ms << 80) | (self._counter << 48) | self._rng.getrandbits(48))
        )

    def new_many(self, prefix: str, times_ms: Sequence[int]) -> list[str]:
        """`new` for each time in turn (seeding makes ~130,000 ids for 100,000 users)."""
        last = self._last_ms.get(prefix, 0)
        counter = self._counter
        bits = self._rng.getrandbits
        head = prefix + "01"
        out: list[str] = []
        append = out.append
        for at_ms in times_ms:
            if at_ms < last:
                at_ms = last
            last = at_ms
            counter += 1
            append(head + encode_base58((at_ms << 80) | (counter << 48) | bits(48)))
        self._last_ms[prefix] = last
        self._counter = counter
        return out


def new_request_id() -> str:
    """A random request id like `req_011CSHoEeqs5C35K2UUqR7Fy` (not part of the seeded data)."""
    value = int.from_bytes(secrets.token_bytes(16), "big")
    return "req_01" + encode_base58(value)
