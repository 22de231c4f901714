"""REST endpoints of the call desk; the same services and selectors as the pages.

- `GET/POST /api/v1/crm/call-desk/`: the day's register (`?date=YYYY-MM-DD`, default today) / register
  a call or walk-in (201 with the register line; 400 with field errors, e.g. `assign` when
  nobody in the rotation is present).
- `GET /api/v1/crm/call-desk/matches/?phone=&name=`: the as-you-type duplicate check.
- `GET /api/v1/crm/call-desk/counts/?start=&end=`: leads per rep and the same-day share.
- `GET /api/v1/crm/rotations/`: each rotation's line with whose turn it is and who is away;
  `POST /api/v1/crm/rotations/` `{channel, rep}` adds a seat.
- `GET/POST /api/v1/crm/absences/`, `DELETE /api/v1/crm/absences/<id>/`.
"""

from __future__ import annotations

import datetime

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.base import ModelSerializer
from salesops.core.api.permissions import HasRole
from salesops.core.bounds import DATE_MAX, DATE_MIN
from salesops.core.models import User
from salesops.crm import calldesk, selectors
from salesops.crm.models import Customer, InboundContact, RepAbsence, Rotation


class _DeskView(APIView):
    permission_classes = [HasRole]
    required_roles = calldesk.DESK_ROLES


class InboundContactSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    assigned_to_name = serializers.CharField(source="assigned_to.display_name", read_only=True, default=None)

    class Meta:
        model = InboundContact
        fields = [
            "id",
            "via",
            "phone",
            "name",
            "interest",
            "customer",
            "customer_name",
            "is_new",
            "assignment",
            "assigned_to",
            "assigned_to_name",
            "skipped",
            "occurred_at",
            "registered_by",
            "registered_at",
            "entered_late",
        ]
        read_only_fields = fields


class InboundRegisterSerializer(serializers.Serializer):
    via = serializers.ChoiceField(choices=Rotation.Channel.choices, default=Rotation.Channel.CALL)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, default=Customer.Kind.COMPANY)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    interest = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    assign = serializers.ChoiceField(
        choices=[
            InboundContact.Assignment.ROTATION,
            InboundContact.Assignment.POOL,
            InboundContact.Assignment.CHOSEN,
        ],
        default=InboundContact.Assignment.ROTATION,
    )
    rep = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    occurred_at = serializers.DateTimeField(required=False)


class _DaySerializer(serializers.Serializer):
    date = serializers.DateField(required=False)


class _PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, data):
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=29)
        if not (DATE_MIN <= start <= end <= DATE_MAX):
            raise serializers.ValidationError({"start": "The period must start before it ends."})
        if (end - start).days > 366:
            raise serializers.ValidationError({"start": "At most a year."})
        return {"start": start, "end": end}


class _MatchSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CallDeskView(_DeskView):
    @extend_schema(parameters=[_DaySerializer], responses={200: InboundContactSerializer(many=True)})
    def get(self, request):
        query = _DaySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate()
        records = selectors.inbound_for_day(user=request.user, day=day)[:500]
        return Response(InboundContactSerializer(records, many=True).data)

    @extend_schema(request=InboundRegisterSerializer, responses={201: InboundContactSerializer})
    def post(self, request):
        data = InboundRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = calldesk.inbound_register(actor=request.user, **data.validated_data)
        return Response(InboundContactSerializer(record).data, status=201)


_MATCH = inline_serializer(
    "CallDeskMatch",
    {
        "customer": serializers.IntegerField(required=False),
        "name": serializers.CharField(required=False),
        "owner": serializers.CharField(required=False, allow_null=True),
        "in_pool": serializers.BooleanField(required=False),
        "taken": serializers.BooleanField(required=False),
        "talk_to": serializers.CharField(required=False, allow_null=True),
    },
    many=True,
)
_ROTATION = inline_serializer(
    "CallDeskRotation",
    {
        "channel": serializers.CharField(),
        "active": serializers.BooleanField(),
        "seats": inline_serializer(
            "CallDeskSeat",
            {
                "seat": serializers.IntegerField(),
                "rep": serializers.IntegerField(),
                "rep_name": serializers.CharField(),
                "absent": serializers.BooleanField(),
                "next": serializers.BooleanField(),
            },
            many=True,
        ),
    },
    many=True,
)


class CallDeskMatchesView(_DeskView):
    @extend_schema(parameters=[_MatchSerializer], responses={200: _MATCH})
    def get(self, request):
        query = _MatchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        matches = selectors.inbound_matches(user=request.user, **query.validated_data)
        return Response(
            [
                {
                    "customer": m["customer"].pk,
                    "name": m["customer"].name,
                    "owner": m["customer"].owner.display_name,
                    "in_pool": m["customer"].in_pool,
                }
                if m["visible"]
                else {"taken": True, "talk_to": m["talk_to"]}
                for m in matches
            ]
        )


class CallDeskCountsView(_DeskView):
    @extend_schema(parameters=[_PeriodSerializer], responses={200: dict})
    def get(self, request):
        query = _PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        counts = selectors.inbound_counts(user=request.user, **query.validated_data)
        if counts["same_day_percent"] is not None:
            counts["same_day_percent"] = str(counts["same_day_percent"])
        return Response(counts)


class _SeatSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Rotation.Channel.choices)
    rep = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class RotationsView(_DeskView):
    @extend_schema(responses={200: _ROTATION})
    def get(self, request):
        today = timezone.localdate()
        result = []
        for channel in Rotation.Channel.values:
            rotation = Rotation.for_channel(channel)
            result.append(
                {
                    "channel": channel,
                    "active": rotation.active,
                    "seats": [
                        {
                            "seat": item["seat"].pk,
                            "rep": item["rep"].pk,
                            "rep_name": item["rep"].display_name,
                            "absent": item["absent"],
                            "next": item["next"],
                        }
                        for item in calldesk.rotation_line(rotation, today)
                    ],
                }
            )
        return Response(result)

    @extend_schema(request=_SeatSerializer, responses={201: dict})
    def post(self, request):
        data = _SeatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = calldesk.rotation_seat_add(actor=request.user, **data.validated_data)
        return Response({"seat": seat.pk, "position": seat.position}, status=201)


class AbsenceSerializer(ModelSerializer):
    class Meta:
        model = RepAbsence
        fields = ["id", "rep", "start", "end", "reason", "created_by"]
        read_only_fields = ["id", "created_by"]


class AbsencesView(_DeskView):
    @extend_schema(responses={200: AbsenceSerializer(many=True)})
    def get(self, request):
        absences = selectors.absence_list(since=timezone.localdate() - datetime.timedelta(days=30))
        return Response(AbsenceSerializer(absences, many=True).data)

    @extend_schema(request=AbsenceSerializer, responses={201: AbsenceSerializer})
    def post(self, request):
        data = AbsenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        absence = calldesk.absence_add(actor=request.user, **data.validated_data)
        return Response(AbsenceSerializer(absence).data, status=201)


class AbsenceView(_DeskView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        absence = RepAbsence.objects.filter(pk=pk).first()
        if absence is None:
            raise NotFound()
        calldesk.absence_remove(actor=request.user, absence=absence)
        return Response(status=204)


urlpatterns = [
    path("crm/call-desk/", CallDeskView.as_view(), name="crm-call-desk"),
    path("crm/call-desk/matches/", CallDeskMatchesView.as_view(), name="crm-call-desk-matches"),
    path("crm/call-desk/counts/", CallDeskCountsView.as_view(), name="crm-call-desk-counts"),
    path("crm/rotations/", RotationsView.as_view(), name="crm-rotations"),
    path("crm/absences/", AbsencesView.as_view(), name="crm-absences"),
    path("crm/absences/<int:pk>/", AbsenceView.as_view(), name="crm-absence"),
]
