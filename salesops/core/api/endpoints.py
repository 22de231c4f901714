"""REST endpoints of the foundation: who am I, company, organisation tree, users, calendar,
notifications. Writes go through the same services as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core import bounds, services
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import AdminWrites
from salesops.core.api.serializers import (
    CalendarCheckInput,
    CalendarCheckSerializer,
    CalendarDaySerializer,
    CompanySerializer,
    MeSerializer,
    NotificationSerializer,
    OrgUnitSerializer,
    UserSerializer,
)
from salesops.core.audit import model_create, model_delete, model_update
from salesops.core.calendar import WorkCalendar
from salesops.core.models import CalendarDay, Company
from salesops.core.selectors import notification_list_for_user, org_unit_list_for_user, user_list_for_user


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class CompanyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, HistoryMixin, viewsets.GenericViewSet
):
    serializer_class = CompanySerializer
    permission_classes = [AdminWrites]
    queryset = Company.objects.order_by("pk")
    ordering_fields = ["name"]

    def perform_update(self, serializer):
        serializer.instance = services.company_update(
            company=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )


class OrgUnitViewSet(HistoryMixin, viewsets.ModelViewSet):
    serializer_class = OrgUnitSerializer
    permission_classes = [AdminWrites]
    filterset_fields = ["kind", "parent", "active"]
    search_fields = ["name", "code"]
    ordering_fields = ["path", "name", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return org_unit_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        parent = data.get("parent")
        company = parent.company if parent else Company.objects.order_by("pk").first()
        serializer.instance = services.org_unit_create(
            company=company,
            name=data["name"],
            code=data["code"],
            kind=data["kind"],
            parent=parent,
            head=data.get("head"),
            actor=self.request.user,
        )

    def perform_update(self, serializer):
        serializer.instance = services.org_unit_update(
            unit=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )


class UserViewSet(HistoryMixin, viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [AdminWrites]
    filterset_fields = ["org_unit", "is_active", "manager"]
    search_fields = ["username", "full_name", "email"]
    ordering_fields = ["username", "full_name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return user_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.user_create(
            username=data.pop("username"),
            password=data.pop("password", None),
            roles=data.pop("roles", []),
            actor=self.request.user,
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        password = data.pop("password", None)
        user = services.user_update(user=serializer.instance, data=data, actor=self.request.user)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        serializer.instance = user


class CalendarDayViewSet(HistoryMixin, viewsets.ModelViewSet):
    serializer_class = CalendarDaySerializer
    permission_classes = [AdminWrites]
    queryset = CalendarDay.objects.all()
    filterset_fields = {"date": ["exact", "gte", "lte", "year"], "is_working_day": ["exact"]}
    ordering_fields = ["date"]

    def perform_create(self, serializer):
        serializer.instance = model_create(instance=CalendarDay(**serializer.validated_data), actor=self.request.user)

    def perform_update(self, serializer):
        serializer.instance, _changed = model_update(
            instance=serializer.instance,
            fields=["date", "is_working_day", "name"],
            data=serializer.validated_data,
            actor=self.request.user,
        )

    def perform_destroy(self, instance):
        model_delete(instance=instance, actor=self.request.user)

    @extend_schema(
        parameters=[CalendarCheckInput],
        responses={200: CalendarCheckSerializer},
    )
    @action(detail=False, methods=["get"], url_path="check")
    def check(self, request):
        """Is the date a working day; optionally the date N working days later (|N| ≤ 3660)."""
        data = CalendarCheckInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        day, add = data.validated_data["date"], data.validated_data["add_days"]
        calendar = WorkCalendar.load()
        result = calendar.add_working_days(day, add)
        try:
            bounds.validate_date_span(result)
        except DjangoValidationError as error:
            raise ValidationError({"add_days": error.messages})
        body = {"date": day, "is_working_day": calendar.is_working_day(day), "add_days": add, "result": result}
        return Response(CalendarCheckSerializer(body).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"], "kind": ["exact"]}
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return notification_list_for_user(user=self.request.user)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        count = services.notifications_mark_read(user=request.user)
        return Response({"marked": count}, status=status.HTTP_200_OK)
