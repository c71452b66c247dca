"""Serializers every app's API shares."""

from __future__ import annotations

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """A write payload that refuses unknown or read-only fields instead of ignoring them, so a
    typo or a read-only field is never silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            # The browsable API's forms post the CSRF token with the fields.
            unknown = sorted(set(data.keys()) - set(self.fields) - {"csrfmiddlewaretoken"})
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [f"Unknown or read-only field; send only: {', '.join(self.fields)}."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)
