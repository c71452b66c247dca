"""The API's JSON parser: bounded size and depth, and no text any field may not hold.

DRF's own parser reads the whole stream (no size limit), lets a deeply nested body raise
RecursionError (a 500) and hands lone surrogates and NUL characters on to the services, where
the database refuses them (another 500). This one answers 413 or 400 with the field named.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, parsers

from collective.core.inputs import data_problem


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large: send fewer rows at a time."
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(
                f"The request body is larger than the {limit:,} bytes the API accepts: "
                "send fewer rows at a time."
            )
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        problem = data_problem(data)
        if problem is not None:
            raise exceptions.ValidationError({problem.where: [problem.message]})
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
