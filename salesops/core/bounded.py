"""Model fields that carry the input bounds of `core.bounds`, so that a model's `full_clean`
(which every service calls) refuses an out-of-range value whichever way it came in.

- `DecimalField`: reads only plain ASCII numbers ("1_000", "١٢", "NaN" are refused); ranges
  are given as validators (`bounds.NON_NEGATIVE`, `bounds.PERCENT`, `bounds.LATITUDE`…).
- `DateField`, `DateTimeField`: within the span of business dates.
- `TextField`: at most `bounds.TEXT_MAX_LENGTH` characters unless given a `max_length`.

Their form fields apply the same parsing; the API's model serializers map them to
`core.api.fields.DecimalField`, which does too.
"""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from salesops.core import bounds


class DecimalFormField(forms.DecimalField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        return bounds.parse_decimal(value)


class DecimalField(models.DecimalField):
    def to_python(self, value):
        if value is None:
            return value
        try:
            return bounds.parse_decimal(value)
        except ValidationError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from error

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DecimalFormField, **kwargs})


class DateField(models.DateField):
    default_validators = [bounds.validate_date_span]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DateFormField, **kwargs})


class DateTimeField(models.DateTimeField):
    default_validators = [bounds.validate_date_span]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": DateTimeFormField, **kwargs})


class TextField(models.TextField):
    @cached_property
    def validators(self):
        return [*super().validators, bounds.TextLengthValidator(self.max_length or bounds.TEXT_MAX_LENGTH)]

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": self.max_length or bounds.TEXT_MAX_LENGTH, **kwargs})


class DateFormField(forms.DateField):
    default_validators = [bounds.validate_date_span]


class DateTimeFormField(forms.DateTimeField):
    default_validators = [bounds.validate_date_span]
