from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from salesops.core.api.base import ModelSerializer
from salesops.core.audit import history_for
from salesops.core.models import AuditEvent


class AuditEventSerializer(ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "actor", "changes", "note"]


class HistoryMixin:
    """Adds GET <detail>/history/ to a viewset: the audit trail of a record the user can see."""

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        instance = self.get_object()  # scoped queryset: 404 when not visible
        page = self.paginate_queryset(history_for(instance))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
