"""The base of every model serializer in the API.

DRF's `ModelSerializer` derives its fields from the model's metadata each time a serializer is
created: for an order with its lines that is most of the cost of the answer. The fields a class
derives never change while the process runs, so they are derived once per class and each new
serializer gets a copy, exactly as DRF copies declared fields. Subclasses that drop fields per
request (costs hidden from some roles) still do so on their copy.

A read-only field that reads through a reference that may be empty (`source="lot.code"` on a
move without a lot) answers null, so it is declared nullable in the schema (`allow_null`),
as is one whose default is None: clients and the fuzzer then expect the null they get. A
read-only choice of a model field that may be blank says so too (DRF drops `allow_blank` on
read-only fields): an empty outcome is "", not one of the choices.

A request that sends a read-only field (`id`, a document number, a computed total) or a
field the operation does not know is refused with a field error instead of answering 200
having silently ignored it: a client must not believe it changed what it cannot change.
"""

import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import empty

from salesops.core.api.fields import DecimalField


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalField,
    }

    def get_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_model_fields")
        if fields is None:
            fields = super().get_fields()
            model = getattr(getattr(cls, "Meta", None), "model", None)
            for name, field in fields.items():
                # a field's copy is built again from its arguments, so they are what changes
                if _may_read_null(model, field):
                    field._kwargs["allow_null"] = field.allow_null = True
                choice = isinstance(field, serializers.ChoiceField)
                if field.read_only and choice and _blank_allowed(model, name, field):
                    field._kwargs["allow_blank"] = field.allow_blank = True
            cls._model_fields = fields
        return copy.deepcopy(fields)

    def to_internal_value(self, data):
        refuse_unwritable(self, data)
        return super().to_internal_value(data)


class InputSerializer(serializers.Serializer):
    """The base of a request body that is not a model (an order to create, a receipt to
    allocate): like the model serializers, it refuses a field it does not know (an owner or
    a team named in a write, say) instead of ignoring it, with the errors of the fields it
    knows in the same answer."""

    def to_internal_value(self, data):
        try:
            refuse_unwritable(self, data)
        except serializers.ValidationError as refused:
            try:
                super().to_internal_value(data)
            except serializers.ValidationError as invalid:
                if isinstance(invalid.detail, dict):
                    raise serializers.ValidationError({**invalid.detail, **refused.detail})
            raise
        return super().to_internal_value(data)


def refuse_unwritable(serializer, data) -> None:
    """A field error for each key of `data` that `serializer` does not write."""
    if not isinstance(data, dict):
        return
    writable = {name for name, field in serializer.fields.items() if not field.read_only}
    refused = {}
    for key in data:
        if key in writable:
            continue
        known = key in serializer.fields
        refused[key] = [_("This field cannot be changed.") if known else _("Unknown field.")]
    if refused:
        raise serializers.ValidationError(refused)


def _crosses_empty_reference(model, source: str) -> bool:
    """Whether a dotted `source` on `model` goes through a reference that may be empty."""
    for name in source.split(".")[:-1]:
        if model is None:
            return False
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        if field.null or (field.one_to_one and field.auto_created):
            return True
        model = field.related_model
    return False


def _may_read_null(model, field) -> bool:
    if isinstance(field, serializers.BaseSerializer) or getattr(field, "allow_null", False):
        return False
    if field.default is not empty and field.default is None:
        return True
    source = field.source or ""
    return field.read_only and "." in source and _crosses_empty_reference(model, source)


def _blank_allowed(model, name: str, field) -> bool:
    if model is None or (field.source and field.source != name):
        return False
    try:
        return bool(model._meta.get_field(name).blank)
    except FieldDoesNotExist:
        return False
