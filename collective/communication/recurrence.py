"""Recurrence of touchpoints: cadences as iCalendar RRULEs, validated and expanded with
python-dateutil in the series' own time zone (wall-clock times survive daylight saving)."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrulestr

from collective.core.errors import ApplicationError

from .choices import Cadence

ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
ORDINALS = {1: "+1", 2: "+2", 3: "+3", 4: "+4", 5: "-1"}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
HORIZON_DAYS = 400  # occurrences are kept as rows this far ahead
MAX_OCCURRENCES = 800


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # walks the tz database: once per process


def zone(name: str) -> ZoneInfo:
    try:
        if name not in _known_zones():
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ApplicationError(
            f"'{name}' is not a time zone we know.",
            errors={"time_zone": ["Choose a time zone such as Europe/London."]},
        ) from exc


def rule_for(cadence: str, first_start: dt.datetime, custom: str = "") -> str:
    """The RRULE of a cadence for a series starting at `first_start` (naive local time)."""
    day = DAYS[first_start.weekday()]
    if cadence == Cadence.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={day}"
    if cadence == Cadence.FORTNIGHTLY:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    if cadence == Cadence.MONTHLY:
        nth = (first_start.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={ORDINALS[nth]}{day}"
    if cadence == Cadence.CUSTOM:
        return validate_rule(custom, first_start)
    raise ApplicationError(
        f"'{cadence}' is not a cadence.", errors={"cadence": ["Choose a cadence."]}
    )


def _bad_rule(message: str) -> ApplicationError:
    return ApplicationError(
        f"The recurrence rule is not valid: {message}",
        errors={
            "rrule": [f"{message} Example: FREQ=WEEKLY;INTERVAL=2;BYDAY=TU (every other Tuesday)."]
        },
    )


def validate_rule(text: str, first_start: dt.datetime) -> str:
    """A clean RRULE value, or ApplicationError saying what is wrong with it."""
    rule = (text or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    rule = rule.upper().replace(" ", "")
    if not rule:
        raise _bad_rule("it is empty.")
    if "\n" in rule or "DTSTART" in rule:
        raise _bad_rule("give only the RRULE part, without DTSTART.")
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    if len(parts) != len([p for p in rule.split(";") if p]):
        raise _bad_rule("every part must look like NAME=VALUE, separated by ';'.")
    if parts.get("FREQ") not in ALLOWED_FREQ:
        raise _bad_rule("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "UNTIL" in parts and "COUNT" in parts:
        raise _bad_rule("use UNTIL or COUNT, not both.")
    try:
        parsed = rrulestr(rule, dtstart=first_start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _bad_rule(f"{exc}.") from exc
    if parsed.after(first_start - dt.timedelta(seconds=1), inc=True) is None:
        raise _bad_rule("it gives no meeting at all.")
    return rule


def local_starts(
    rule: str, first_start: dt.datetime, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """Naive local starts the rule gives between two naive local times (inclusive)."""
    parsed = rrulestr(rule, dtstart=first_start)
    found = []
    for value in parsed.xafter(start - dt.timedelta(seconds=1), inc=True):
        if value > end or len(found) >= MAX_OCCURRENCES:
            break
        found.append(value)
    return found


def aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A naive local time in `tz` as an aware UTC time (a time in a DST gap moves forward)."""
    return local.replace(tzinfo=tz).astimezone(dt.UTC)
