"""What every API input shares: a field the caller may not set is refused by name, never ignored."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses, with a 400 naming each one, the fields that are not this input's (uid, status, mail...:
    what the caller's role may not change here, or what another endpoint changes)."""

    refused_message = _("This field cannot be set here.")

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            refused = sorted(str(k) for k in data if k not in writable)
            if refused:
                raise serializers.ValidationError({k: [self.refused_message] for k in refused})
        return super().to_internal_value(data)


def read_input(serializer_class, request, **context) -> dict:
    """The request body through an input serializer: its values, or a 400 naming every problem."""
    s = serializer_class(data=request.data, context={"request": request, **context})
    s.is_valid(raise_exception=True)
    return s.validated_data
