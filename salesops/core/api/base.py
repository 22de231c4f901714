"""The base of every model serializer in the API.

DRF's `ModelSerializer` derives its fields from the model's metadata each time a serializer is
created: for an order with its lines that is most of the cost of the answer. The fields a class
derives never change while the process runs, so they are derived once per class and each new
serializer gets a copy, exactly as DRF copies declared fields. Subclasses that drop fields per
request (costs hidden from some roles) still do so on their copy.
"""

import copy

from django.db import models
from rest_framework import serializers

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
            cls._model_fields = fields
        return copy.deepcopy(fields)
