"""Serializer fields with the input bounds of `core.bounds`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core import bounds


class DecimalField(serializers.DecimalField):
    """DRF's DecimalField reading only plain ASCII numbers ("1_000", "١٢", "NaN" are refused)."""

    def to_internal_value(self, data):
        try:
            bounds.parse_decimal(data)
        except DjangoValidationError:
            self.fail("invalid")
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """A date within the span of business dates (`core.bounds.DATE_MIN`…`DATE_MAX`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(bounds.validate_date_span)


class DateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(bounds.validate_date_span)


class IdMapField(serializers.DictField):
    """`{"<record id>": value, …}`: the keys are ids (whole numbers ≥ 1) and come back as ints."""

    default_error_messages = {"invalid_key": _("“{value}” is not a record id.")}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        ids = {}
        for key, value in values.items():
            try:
                ids[bounds.parse_int(key, min_value=1)] = value
            except DjangoValidationError:
                self.fail("invalid_key", value=str(key)[:40])
        return ids
