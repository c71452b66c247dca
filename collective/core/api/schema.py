"""The OpenAPI schema of every endpoint documents its error answers too.

Any operation may answer 400 (bad input, with a message per field), 401 (a bad or expired
token), 403, 404 or 429 (throttled, with Retry-After); writes may also answer 409 (a conflict),
413 (a body too large) and 415 (not JSON). All share one JSON shape, `Error`.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(help_text="e.g. invalid, not_found, throttled, conflict.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="Messages per field; a bulk write lists its rows' problems under `rows` as "
        '`{"row", "field", "message"}` objects. Empty when the error is not about fields.',
    )

    class Meta:
        ref_name = "Error"


ERRORS = {
    "400": "Invalid input: `errors` names each field (or row) and what is wrong with it.",
    "401": "Not signed in, or the token is unknown, expired or revoked.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object — or an initiative you may not know about.",
    "429": "Too many requests or wrong passwords: wait the seconds `Retry-After` says.",
}
WRITE_ERRORS = {
    "409": "The change clashes with the current state (e.g. it changed meanwhile).",
    "413": "The body is larger than the API accepts.",
    "415": "The body is not JSON.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses
