from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from salesops.core.audit import history_for
from salesops.core.history import readable_history


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="the field's name")
    label = serializers.CharField(help_text="the field's label in the caller's language")
    before = serializers.CharField(help_text="the value before, as the pages show it")
    after = serializers.CharField(help_text="the value after, as the pages show it")


class AuditEventSerializer(serializers.Serializer):
    """One entry of a record's history as its reader may read it: values displayed (names,
    choice labels, money), the time in the company's time zone to the second, fields the
    caller may not see left out."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    actor = serializers.CharField()
    note = serializers.CharField()
    changes = ChangeSerializer(many=True)


class HistoryMixin:
    """Adds GET <detail>/history/ to a viewset: the audit trail of a record the user can see."""

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        instance = self.get_object()  # scoped queryset: 404 when not visible
        page = self.paginate_queryset(history_for(instance))
        entries = readable_history(page, viewer=request.user)
        return self.get_paginated_response(AuditEventSerializer(entries, many=True).data)
