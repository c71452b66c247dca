"""Time-ordered UUIDs (RFC 9562 version 7): the one generator of the platform.

48 bits of Unix time in milliseconds, the version (7), 12 bits `rand_a`, the RFC variant (binary
10) and 62 bits `rand_b`. Rows created together get increasing uids, so a big write appends to
the uid index instead of writing all over it.
"""

from __future__ import annotations

import os
import time
import uuid

_MS_MASK = (1 << 48) - 1
_VERSION = 0x7
_VARIANT = 0b10


def _now_ms() -> int:
    return time.time_ns() // 1_000_000 & _MS_MASK


def uuid7_from(ms: int, rand_a: int, rand_b: int) -> uuid.UUID:
    """The version-7 UUID of these fields (each masked to its width)."""
    value = (ms & _MS_MASK) << 80
    value |= _VERSION << 76 | (rand_a & 0xFFF) << 64
    value |= _VARIANT << 62 | rand_b & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def uuid7() -> uuid.UUID:
    """A fresh version-7 UUID."""
    random = int.from_bytes(os.urandom(10), "big")
    return uuid7_from(_now_ms(), random >> 62, random)


def uuid7_sequence(count: int) -> list[uuid.UUID]:
    """`count` fresh version-7 UUIDs in increasing order: one millisecond, then a random start
    counting up (74 random bits, with room to count)."""
    start = int.from_bytes(os.urandom(9), "big") >> 2  # 70 random bits: headroom to count up
    ms = _now_ms()
    return [uuid7_from(ms, n >> 62, n) for n in range(start, start + count)]


def uuid7_sql_prefix() -> tuple[str, int]:
    """(prefix, base) for uids made inside the database: row n's uid is the 17 hex digits of
    `prefix` (time, version, rand_a and the variant nibble "8") followed by 15 hex digits of
    `base + n` (`base` leaves room for 2**58 rows), so they increase with n."""
    random = int.from_bytes(os.urandom(8), "big")
    rand_a, base = random >> 52, random & ((1 << 58) - 1)
    return f"{_now_ms():012x}{_VERSION:x}{rand_a:03x}8", base
