"""Version-7 UUIDs: version and RFC variant bits, time first, increasing in a sequence."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection

from collective.core import ids


def _check(u: uuid.UUID) -> None:
    assert u.version == 7
    assert u.variant == uuid.RFC_4122
    assert (u.int >> 62) & 0b11 == 0b10


def test_one_uuid_has_version_variant_and_time():
    before = time.time_ns() // 1_000_000
    u = ids.uuid7()
    after = time.time_ns() // 1_000_000
    _check(u)
    assert before <= u.int >> 80 <= after


def test_a_sequence_increases_and_every_uid_is_valid():
    run = ids.uuid7_sequence(2000)
    for u in run:
        _check(u)
    assert run == sorted(run) and len(set(run)) == 2000


def test_later_uuids_sort_after_earlier_ones():
    first = ids.uuid7()
    time.sleep(0.002)
    assert ids.uuid7() > first


@pytest.mark.django_db
def test_uids_made_in_the_database_are_valid_and_increase():
    """The import's staging writes uids with SQL from `uuid7_sql_prefix`."""
    prefix, base = ids.uuid7_sql_prefix()
    if connection.vendor == "postgresql":
        sql = "SELECT CAST(%s || lpad(to_hex(%s::bigint + n), 15, '0') AS uuid)::text"
        rows = "FROM generate_series(1, 50) AS n ORDER BY n"
    else:
        sql = "SELECT %s || printf('%%015x', %s + n)"
        rows = (
            "FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50)"
            " SELECT n FROM s) ORDER BY n"
        )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} {rows}", [prefix, base])
        made = [uuid.UUID(value) for (value,) in cursor.fetchall()]
    for u in made:
        _check(u)
    assert made == sorted(made) and len(set(made)) == 50
    assert abs((made[0].int >> 80) - time.time_ns() // 1_000_000) < 60_000
