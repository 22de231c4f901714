"""REST endpoints of unit sales. Reads go through the scoped selectors (what the caller may
not see answers 404); writes check the action's roles (`units.permissions`) and call the same
services as the pages. Refusals answer {code, message, fields} with the service's stable code."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.history import HistoryMixin
from salesops.core.api.routers import Router
from salesops.core.selectors import user_list_for_user
from salesops.credit.ledger import add_months
from salesops.crm.selectors import customer_list_for_user
from salesops.units import bookings, changes, contracts, files, reports, selectors, services
from salesops.units.models import RequiredDocument, RoomType, Unit
from salesops.units.permissions import READERS, REPORT_ROLES, require
from salesops.units.serializers import (
    BookingActionSerializer,
    BookingCreateSerializer,
    BookingSerializer,
    BuildingCreateSerializer,
    BuildingSerializer,
    ContractReviewSerializer,
    ContractSignSerializer,
    FileItemCreateSerializer,
    FileLendSerializer,
    GroupBlockCreateSerializer,
    GroupBlockSerializer,
    MortgageStageSerializer,
    PaymentItemSerializer,
    ProjectSerializer,
    PurchaseContractCreateSerializer,
    PurchaseContractSerializer,
    PurchaseContractTermsSerializer,
    RefundPaySerializer,
    ReservationSerializer,
    RoomTypeSerializer,
    UnitBlockSerializer,
    UnitChangeCreateSerializer,
    UnitChangeSerializer,
    UnitHoldSerializer,
    UnitPaymentSerializer,
    UnitPriceChangeCreateSerializer,
    UnitPriceChangeSerializer,
    UnitSerializer,
    UnitUpdateSerializer,
    VenueSerializer,
    WaitlistEntrySerializer,
    WaitlistJoinSerializer,
)
from salesops.units.services import company_tz


class Reader(BasePermission):
    """Sales roles and finance read (rows scoped by the selectors); writes check their action."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.roles & READERS))


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _customer(user, pk):
    customer = customer_list_for_user(user=user).filter(pk=pk).first()
    if customer is None:
        raise ValidationError({"customer": [_("No such customer.")]})
    return customer


def _one(queryset, pk, field: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: [_("Not found.")]})
    return obj


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    HistoryMixin,
    viewsets.GenericViewSet,
):
    """Projects sold unit by unit, with their rules (hold hours, days to sign, deposit, forfeits)."""

    permission_classes = [Reader]
    serializer_class = ProjectSerializer
    filterset_fields = ["active"]
    search_fields = ["code", "name", "city"]
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.project_list_for_user(user=self.request.user).order_by("code")

    def create(self, request):
        require(request.user, "project.manage")
        data = _valid(ProjectSerializer, request.data)
        return Response(ProjectSerializer(services.project_create(actor=request.user, **data)).data, status=201)

    def partial_update(self, request, pk=None):
        require(request.user, "project.manage")
        project = self.get_object()
        data = _valid(ProjectSerializer, request.data, partial=True, instance=project)
        project = services.project_update(project=project, data=data, actor=request.user)
        return Response(ProjectSerializer(project).data)

    @extend_schema(request=BuildingCreateSerializer, responses={201: BuildingSerializer})
    @action(detail=True, methods=["post"])
    def buildings(self, request, pk=None):
        """Add a building and create its units floor by floor."""
        require(request.user, "project.manage")
        project = self.get_object()
        data = _valid(BuildingCreateSerializer, request.data)
        building = services.building_create(project=project, actor=request.user, **data)
        return Response(BuildingSerializer(building).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("building", int),
            OpenApiParameter("status", str, enum=Unit.Status.values),
            OpenApiParameter("kind", str, enum=Unit.Kind.values),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        """The sales control board: per building, floors top down, each unit's status; the
        customer's name only on purchases the caller may see."""
        project = self.get_object()
        status = request.query_params.get("status", "")
        kind = request.query_params.get("kind", "")
        building = request.query_params.get("building") or None
        try:
            building = int(building) if building else None
        except ValueError:
            raise ValidationError({"building": [_("Enter a whole number.")]})
        data = selectors.board_for_user(
            user=request.user,
            project=project,
            building_id=building,
            status=status if status in Unit.Status.values else "",
            kind=kind if kind in Unit.Kind.values else "",
        )
        return Response(
            {
                "project": project.pk,
                "counts": data.counts,
                "buildings": [
                    {
                        "id": b.building.pk,
                        "code": b.building.code,
                        "name": b.building.name,
                        "stacks": b.stacks,
                        "floors": [
                            {
                                "floor": floor,
                                "units": [
                                    None
                                    if cell is None
                                    else {
                                        "id": cell.unit.pk,
                                        "code": cell.unit.code,
                                        "status": cell.unit.status,
                                        "kind": cell.unit.kind,
                                        "area": str(cell.unit.area),
                                        "list_price": str(cell.unit.list_price),
                                        "customer": cell.customer or None,
                                        "reservation": cell.reservation_id,
                                        "waiting": cell.waiting,
                                        "matches": cell.matches,
                                    }
                                    for cell in cells
                                ],
                            }
                            for floor, cells in b.floors
                        ],
                    }
                    for b in data.buildings
                ],
            }
        )


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    """Units (apartments, parking spaces, shops). Hold one for a customer, queue on its
    waitlist, take it off sale. The list price changes only through an approved price change."""

    permission_classes = [Reader]
    serializer_class = UnitSerializer
    filterset_fields = ["project", "building", "status", "kind", "floor"]
    search_fields = ["code", "layout"]
    ordering_fields = ["code", "floor", "list_price", "area"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.unit_list_for_user(user=self.request.user).order_by("project", "building", "-floor", "stack")

    @extend_schema(request=UnitUpdateSerializer, responses=UnitSerializer)
    def partial_update(self, request, pk=None):
        require(request.user, "project.manage")
        unit = services.unit_update(
            unit=self.get_object(), data=_valid(UnitUpdateSerializer, request.data), actor=request.user
        )
        return Response(UnitSerializer(unit).data)

    @extend_schema(request=UnitHoldSerializer, responses={201: ReservationSerializer, 202: WaitlistEntrySerializer})
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Hold the unit for a customer (201 with the reservation). When it is taken: 409
        `unit_not_available`, or with `waitlist: true` 202 with the customer's waitlist place."""
        unit = self.get_object()
        data = _valid(UnitHoldSerializer, request.data)
        outcome = services.reservation_hold(
            unit=unit,
            customer=_customer(request.user, data["customer"]),
            actor=request.user,
            deposit=data.get("deposit_amount"),
            note=data["note"],
            waitlist=data["waitlist"],
        )
        if outcome.reservation is not None:
            return Response(ReservationSerializer(outcome.reservation).data, status=201)
        return Response(WaitlistEntrySerializer(outcome.waitlist_entry).data, status=202)

    @extend_schema(request=WaitlistJoinSerializer, responses={201: WaitlistEntrySerializer})
    @action(detail=True, methods=["post"])
    def waitlist(self, request, pk=None):
        data = _valid(WaitlistJoinSerializer, request.data)
        entry = services.waitlist_join(
            unit=self.get_object(),
            customer=_customer(request.user, data["customer"]),
            actor=request.user,
            note=data["note"],
        )
        return Response(WaitlistEntrySerializer(entry).data, status=201)

    @extend_schema(request=UnitBlockSerializer, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        data = _valid(UnitBlockSerializer, request.data)
        unit = services.unit_block(unit=self.get_object(), actor=request.user, **data)
        return Response(UnitSerializer(unit).data)


class ReservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    """Purchases from the hold to the signed contract, scoped like customers."""

    permission_classes = [Reader]
    serializer_class = ReservationSerializer
    filterset_fields = ["status", "project", "unit", "customer", "consultant"]
    search_fields = ["number", "unit__code", "customer__name"]
    ordering_fields = ["held_at", "number", "sign_by", "price"]

    def get_queryset(self):
        return selectors.reservation_list_for_user(user=self.request.user).order_by("-held_at", "-pk")

    @extend_schema(request=None, responses=ReservationSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give up a hold whose deposit is not paid; the unit goes to the waitlist."""
        reservation = services.reservation_release(reservation=self.get_object(), actor=request.user)
        return Response(ReservationSerializer(reservation).data)

    @extend_schema(responses=PaymentItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def schedule(self, request, pk=None):
        reservation = self.get_object()
        items = reservation.payment_items.select_related("invoice", "reservation__unit").order_by("position")
        return Response(PaymentItemSerializer(items, many=True).data)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """The purchase file: what it must hold by now, what was received, the lending log."""
        reservation = self.get_object()
        return Response(
            {
                "checklist": [
                    {
                        "document": row["document"].code,
                        "name": row["document"].name,
                        "stage": row["document"].stage,
                        "received_on": row["item"].received_on if row["item"] else None,
                        "copies": row["item"].copies if row["item"] else 0,
                    }
                    for row in files.checklist(reservation)
                ],
                "missing": [document.code for document in files.missing(reservation)],
                "loans": [
                    {
                        "id": loan.pk,
                        "borrower": loan.borrower_id,
                        "purpose": loan.purpose,
                        "lent_at": loan.lent_at,
                        "due_back": loan.due_back,
                        "returned_at": loan.returned_at,
                    }
                    for loan in reservation.file_loans.all()
                ],
            }
        )

    @extend_schema(request=FileItemCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="file/items")
    def file_items(self, request, pk=None):
        reservation = self.get_object()
        data = _valid(FileItemCreateSerializer, request.data)
        document = RequiredDocument.objects.filter(active=True, code=data.pop("document")).first()
        if document is None:
            raise ValidationError({"document": [_("Not found.")]})
        item = files.file_item_record(reservation=reservation, document=document, actor=request.user, **data)
        return Response({"id": item.pk, "document": document.code, "received_on": item.received_on}, status=201)

    @extend_schema(request=FileLendSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="file/lend")
    def file_lend(self, request, pk=None):
        reservation = self.get_object()
        data = _valid(FileLendSerializer, request.data)
        borrower = _one(user_list_for_user(user=request.user).filter(is_active=True), data.pop("borrower"), "borrower")
        loan = files.file_lend(reservation=reservation, borrower=borrower, actor=request.user, **data)
        return Response({"id": loan.pk, "due_back": loan.due_back}, status=201)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="file/return")
    def file_return(self, request, pk=None):
        reservation = self.get_object()
        require(request.user, "file.lend")
        loan = reservation.file_loans.filter(returned_at__isnull=True).first()
        if loan is None:
            raise NotFound(_("The file is not lent out."))
        loan = files.file_return(loan=loan, actor=request.user)
        return Response({"id": loan.pk, "returned_at": loan.returned_at})


class PaymentItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lines of the payment schedules. `?overdue=1`: past due with money open."""

    permission_classes = [Reader]
    serializer_class = PaymentItemSerializer
    filterset_fields = ["kind", "reservation", "contract", "cancelled"]
    ordering_fields = ["due_date", "amount"]

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("overdue") in ("1", "true"):
            return selectors.overdue_items_for_user(user=user).order_by("due_date", "pk")
        return selectors.payment_item_list_for_user(user=user).order_by("due_date", "pk")

    @extend_schema(request=UnitPaymentSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Finance records money for this line: a confirmed receipt allocated to it."""
        item = self.get_object()
        receipt = contracts.payment_record(item=item, actor=request.user, **_valid(UnitPaymentSerializer, request.data))
        item.refresh_from_db()
        return Response(
            {"receipt": receipt.number, "receipt_status": receipt.status, "line": PaymentItemSerializer(item).data},
            status=201,
        )


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    """Purchase contracts: drafted from a reservation, reviewed, signed, paid, sold."""

    permission_classes = [Reader]
    serializer_class = PurchaseContractSerializer
    filterset_fields = ["status", "method", "unit", "customer", "consultant"]
    search_fields = ["number", "unit__code", "customer__name"]
    ordering_fields = ["created_at", "number", "price", "signed_on"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.contract_list_for_user(user=self.request.user)
            .select_related("mortgage")
            .prefetch_related("payment_items__invoice", "payment_items__reservation__unit")
            .order_by("-created_at", "-pk")
        )

    def _answer(self, contract, status=200):
        return Response(PurchaseContractSerializer(self.get_queryset().get(pk=contract.pk)).data, status=status)

    @extend_schema(request=PurchaseContractCreateSerializer, responses={201: PurchaseContractSerializer})
    def create(self, request):
        data = _valid(PurchaseContractCreateSerializer, request.data)
        reservation = _one(
            selectors.reservation_list_for_user(user=request.user), data.pop("reservation"), "reservation"
        )
        instalments = data.pop("instalments", [])
        contract = contracts.contract_create(
            reservation=reservation, actor=request.user, instalments=instalments, **data
        )
        return self._answer(contract, status=201)

    @extend_schema(request=PurchaseContractTermsSerializer, responses=PurchaseContractSerializer)
    def partial_update(self, request, pk=None):
        contract = self.get_object()
        data = _valid(PurchaseContractTermsSerializer, request.data, partial=True)
        instalments = data.pop("instalments", None)
        contract = contracts.contract_update(contract=contract, data=data, actor=request.user, instalments=instalments)
        return self._answer(contract)

    @extend_schema(request=ContractReviewSerializer, responses=PurchaseContractSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = _valid(ContractReviewSerializer, request.data)
        note = data.pop("note")
        contract = contracts.contract_review(contract=self.get_object(), actor=request.user, checks=data, note=note)
        return self._answer(contract)

    @extend_schema(request=ContractSignSerializer, responses=PurchaseContractSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        data = _valid(ContractSignSerializer, request.data)
        contract = contracts.contract_sign(contract=self.get_object(), actor=request.user, **data)
        return self._answer(contract)

    @extend_schema(request=MortgageStageSerializer, responses=PurchaseContractSerializer)
    @action(detail=True, methods=["post"])
    def mortgage(self, request, pk=None):
        contract = self.get_object()
        mortgage = getattr(contract, "mortgage", None)
        if mortgage is None:
            raise NotFound(_("This contract has no mortgage."))
        contracts.mortgage_update(
            mortgage=mortgage, actor=request.user, **_valid(MortgageStageSerializer, request.data)
        )
        return self._answer(contract)


class WaitlistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [Reader]
    serializer_class = WaitlistEntrySerializer
    filterset_fields = ["unit", "status", "customer"]
    ordering_fields = ["joined_at"]

    def get_queryset(self):
        return selectors.waitlist_for_user(user=self.request.user).order_by("unit", "joined_at", "pk")

    @extend_schema(request=None, responses=WaitlistEntrySerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        entry = services.waitlist_leave(entry=self.get_object(), actor=request.user)
        return Response(WaitlistEntrySerializer(entry).data)


class UnitChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    """Refunds and changes (退认购, 退房, 换房): requested, decided by approval, refunds paid by finance."""

    permission_classes = [Reader]
    serializer_class = UnitChangeSerializer
    filterset_fields = ["status", "kind", "reason", "reservation"]
    ordering_fields = ["requested_at", "refund_amount"]

    def get_queryset(self):
        return selectors.change_list_for_user(user=self.request.user).order_by("-requested_at", "-pk")

    @extend_schema(request=UnitChangeCreateSerializer, responses={201: UnitChangeSerializer})
    def create(self, request):
        data = _valid(UnitChangeCreateSerializer, request.data)
        reservation = _one(selectors.reservation_list_for_user(user=request.user), data["reservation"], "reservation")
        target = None
        if data.get("target_unit"):
            target = _one(selectors.unit_list_for_user(user=request.user), data["target_unit"], "target_unit")
        change = changes.change_request(
            reservation=reservation,
            kind=data["kind"],
            reason=data["reason"],
            note=data["note"],
            target_unit=target,
            actor=request.user,
        )
        return Response(UnitChangeSerializer(change).data, status=201)

    @extend_schema(request=None, responses=UnitChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        change = changes.change_withdraw(change=self.get_object(), actor=request.user)
        return Response(UnitChangeSerializer(change).data)

    @extend_schema(request=RefundPaySerializer, responses=UnitChangeSerializer)
    @action(detail=True, methods=["post"], url_path="pay-refund")
    def pay_refund(self, request, pk=None):
        change = changes.refund_pay(
            change=self.get_object(), actor=request.user, **_valid(RefundPaySerializer, request.data)
        )
        return Response(UnitChangeSerializer(change).data)


class PriceChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    permission_classes = [Reader]
    serializer_class = UnitPriceChangeSerializer
    filterset_fields = ["status", "project"]

    def get_queryset(self):
        return (
            selectors.price_change_list_for_user(user=self.request.user)
            .prefetch_related("lines__unit")
            .order_by("-requested_at", "-pk")
        )

    @extend_schema(request=UnitPriceChangeCreateSerializer, responses={201: UnitPriceChangeSerializer})
    def create(self, request):
        data = _valid(UnitPriceChangeCreateSerializer, request.data)
        project = _one(selectors.project_list_for_user(user=request.user), data["project"], "project")
        change = changes.price_change_request(
            project=project,
            lines=[(line["unit"], line["new_price"]) for line in data["lines"]],
            reason=data["reason"],
            actor=request.user,
        )
        return Response(UnitPriceChangeSerializer(change).data, status=201)

    @extend_schema(request=None, responses=UnitPriceChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        change = changes.price_change_withdraw(change=self.get_object(), actor=request.user)
        return Response(UnitPriceChangeSerializer(change).data)


class ReportsView(APIView):
    """Sales by building and kind (?project=), reservations not yet signed by age, and cash
    collected against cash due by month (?from=YYYY-MM-DD&months=N)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int),
            OpenApiParameter("from", datetime.date),
            OpenApiParameter("months", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        user = request.user
        if not (user.is_superuser or user.roles & REPORT_ROLES):
            raise Http404
        params = request.query_params
        today = timezone.localdate()
        try:
            start = datetime.date.fromisoformat(params["from"]) if params.get("from") else add_months(today, -6)
        except ValueError:
            raise ValidationError({"from": [_("Use the format YYYY-MM-DD.")]})
        try:
            months = int(params.get("months") or 12)
        except ValueError:
            raise ValidationError({"months": [_("Enter a whole number.")]})
        if not (1 <= months <= 36):
            raise ValidationError({"months": [_("From 1 to 36 months.")]})
        project = None
        if params.get("project"):
            try:
                project = selectors.project_list_for_user(user=user).filter(pk=int(params["project"])).first()
            except ValueError:
                raise ValidationError({"project": [_("Enter a whole number.")]})
        ageing = reports.reserved_not_signed(user=user, today=today)
        return Response(
            {
                "sales_by_building": [
                    {
                        "building": row["building"],
                        "kind": row["kind"],
                        "counts": row["counts"],
                        "signed_value": str(row["signed_value"]),
                    }
                    for row in (reports.sales_by_building(project=project) if project else [])
                ],
                "reserved_not_signed": {
                    "buckets": {
                        label: {"count": b["count"], "value": str(b["value"])} for label, b in ageing["buckets"].items()
                    },
                    "rows": [
                        {
                            "reservation": row["reservation"].number,
                            "unit": row["reservation"].unit.code,
                            "age": row["age"],
                            "days_late": row["days_late"],
                        }
                        for row in ageing["rows"]
                    ],
                },
                "cash_by_month": [
                    {
                        "month": row["month"].isoformat()[:7],
                        "due": str(row["due"]),
                        "collected": str(row["collected"]),
                        "refunded": str(row["refunded"]),
                    }
                    for row in reports.cash_by_month(user=user, start=start, months=months)
                ],
            }
        )


# --- rooms ----------------------------------------------------------------------------------------
def _arrival(room_type: RoomType, text: str):
    try:
        if room_type.per == RoomType.Per.NIGHT:
            return datetime.date.fromisoformat(text[:10])
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({"arrival": [_("Use YYYY-MM-DD, or YYYY-MM-DDTHH:MM for rooms by the hour.")]})
    return moment


class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [Reader]
    serializer_class = VenueSerializer

    def get_queryset(self):
        return selectors.venue_list_for_user(user=self.request.user).order_by("code")

    @extend_schema(
        parameters=[OpenApiParameter("from", datetime.date), OpenApiParameter("days", int)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def availability(self, request, pk=None):
        """Per room type and night (or hour of the day for rooms by the hour): rooms, taken,
        free (negative when sold beyond the rooms) and still sellable within the overbooking limit."""
        venue = self.get_object()
        tz = company_tz()
        try:
            first = datetime.date.fromisoformat(request.query_params.get("from") or timezone.localdate().isoformat())
            days = min(max(int(request.query_params.get("days") or 14), 1), 62)
        except ValueError:
            raise ValidationError({"from": [_("Use the format YYYY-MM-DD.")]})
        start = datetime.datetime.combine(first, datetime.time(0, 0), tz)
        end = start + datetime.timedelta(days=days + 1)
        answer = []
        for room_type in venue.room_types.order_by("code"):
            taken = bookings.occupancy(room_type, start, end)
            slots = bookings.slots_of(room_type, start, start + datetime.timedelta(days=days))
            answer.append(
                {
                    "room_type": room_type.pk,
                    "per": room_type.per,
                    "rooms": taken.rooms,
                    "slots": [
                        {
                            "slot": slot.isoformat(),
                            "taken": taken.taken[slot],
                            "free": taken.rooms - taken.taken[slot],
                            "sellable": taken.free(slot),
                        }
                        for slot in slots
                    ],
                }
            )
        return Response(answer)

    @extend_schema(parameters=[OpenApiParameter("day", datetime.date)], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="walk-out")
    def walk_out(self, request, pk=None):
        venue = self.get_object()
        try:
            day = datetime.date.fromisoformat(request.query_params.get("day") or timezone.localdate().isoformat())
        except ValueError:
            raise ValidationError({"day": [_("Use the format YYYY-MM-DD.")]})
        rows = bookings.walk_out_list(room_types=list(venue.room_types.all()), day=day)
        return Response(
            [
                {
                    "room_type": row["room_type"].pk,
                    "excess": row["excess"],
                    "bookings": [b.number for b in row["bookings"]],
                }
                for row in rows
            ]
        )


class RoomTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [Reader]
    serializer_class = RoomTypeSerializer
    filterset_fields = ["venue", "per"]

    def get_queryset(self):
        return selectors.room_type_list_for_user(user=self.request.user).order_by("venue", "code")


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    """Bookings by the night or hour: create, check in, check out (charged), cancel (late:
    charged), walk to another venue, record payment."""

    permission_classes = [Reader]
    serializer_class = BookingSerializer
    filterset_fields = ["status", "room_type", "customer", "block"]
    search_fields = ["number", "customer__name"]
    ordering_fields = ["starts_at", "number"]

    def get_queryset(self):
        return selectors.booking_list_for_user(user=self.request.user).order_by("starts_at", "pk")

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        data = _valid(BookingCreateSerializer, request.data)
        room_type = _one(selectors.room_type_list_for_user(user=request.user), data["room_type"], "room_type")
        block = None
        if data.get("block"):
            block = _one(selectors.block_list_for_user(user=request.user), data["block"], "block")
        booking = bookings.booking_create(
            room_type=room_type,
            customer=_customer(request.user, data["customer"]),
            arrival=_arrival(room_type, data["arrival"]),
            length=data["length"],
            guests=data["guests"],
            block=block,
            note=data["note"],
            actor=request.user,
        )
        return Response(BookingSerializer(booking).data, status=201)

    def _act(self, request, service, **extra):
        booking = service(booking=self.get_object(), actor=request.user, **extra)
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=BookingActionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        data = _valid(BookingActionSerializer, request.data)
        booking = self.get_object()
        room = None
        if data.get("room"):
            room = booking.room_type.rooms.filter(pk=data["room"]).first()
            if room is None:
                raise ValidationError({"room": [_("Not a room of the booked type.")]})
        return self._act(request, bookings.booking_check_in, room=room)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        return self._act(request, bookings.booking_check_out)

    @extend_schema(request=BookingActionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, bookings.booking_cancel, note=_valid(BookingActionSerializer, request.data)["note"])

    @extend_schema(request=BookingActionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def walk(self, request, pk=None):
        walked_to = _valid(BookingActionSerializer, request.data)["walked_to"]
        return self._act(request, bookings.booking_walk, walked_to=walked_to)

    @extend_schema(request=UnitPaymentSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        receipt = bookings.booking_pay(
            booking=self.get_object(), actor=request.user, **_valid(UnitPaymentSerializer, request.data)
        )
        return Response({"receipt": receipt.number, "receipt_status": receipt.status}, status=201)


class GroupBlockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    permission_classes = [Reader]
    serializer_class = GroupBlockSerializer
    filterset_fields = ["status", "room_type", "customer"]

    def get_queryset(self):
        return selectors.block_list_for_user(user=self.request.user).order_by("starts_at", "pk")

    @extend_schema(request=GroupBlockCreateSerializer, responses={201: GroupBlockSerializer})
    def create(self, request):
        data = _valid(GroupBlockCreateSerializer, request.data)
        room_type = _one(selectors.room_type_list_for_user(user=request.user), data["room_type"], "room_type")
        block = bookings.block_create(
            room_type=room_type,
            customer=_customer(request.user, data["customer"]),
            arrival=_arrival(room_type, data["arrival"]),
            length=data["length"],
            rooms=data["rooms"],
            release_at=data["release_at"],
            actor=request.user,
        )
        return Response(GroupBlockSerializer(block).data, status=201)

    @extend_schema(request=None, responses=GroupBlockSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        block = bookings.block_cancel(block=self.get_object(), actor=request.user)
        return Response(GroupBlockSerializer(block).data)


router = Router()
router.register("unit-projects", ProjectViewSet, basename="unit-project")
router.register("units", UnitViewSet, basename="unit")
router.register("unit-reservations", ReservationViewSet, basename="unit-reservation")
router.register("unit-payments", PaymentItemViewSet, basename="unit-payment")
router.register("unit-contracts", ContractViewSet, basename="unit-contract")
router.register("unit-waitlist", WaitlistViewSet, basename="unit-waitlist")
router.register("unit-changes", UnitChangeViewSet, basename="unit-change")
router.register("unit-price-changes", PriceChangeViewSet, basename="unit-price-change")
router.register("venues", VenueViewSet, basename="venue")
router.register("room-types", RoomTypeViewSet, basename="room-type")
router.register("bookings", BookingViewSet, basename="booking")
router.register("group-blocks", GroupBlockViewSet, basename="group-block")

urlpatterns = [path("unit-reports/", ReportsView.as_view(), name="api-unit-reports"), *router.urls]
