"""Sales API: quotes, contracts, orders (create, submit), deliveries (issue, confirm), invoices
(from deliveries), returns and cancellations.

Reads are scoped by the selectors (what a person may not see answers 404); writes need a
role for the action (403 otherwise). `POST /orders/` honours an `Idempotency-Key` header: a
retried request returns the first response and creates nothing; the same key sent with another
body answers 422 `idempotency_key_reused`.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from salesops.core.api.errors import error_body
from salesops.core.api.history import HistoryMixin
from salesops.core.api.routers import Router
from salesops.core.exceptions import ValidationFailed
from salesops.core.roles import Role
from salesops.crm.selectors import customer_list_for_user
from salesops.inventory.models import Warehouse
from salesops.sales import selectors, services
from salesops.sales.models import IdempotencyKey, OrderLine, SalesOrder
from salesops.sales.pdf import document_pdf
from salesops.sales.serializers import (
    ContractChangeSerializer,
    ContractCreateSerializer,
    ContractSerializer,
    DeliveryConfirmSerializer,
    DeliveryIssueSerializer,
    DeliverySerializer,
    InvoiceCreateSerializer,
    InvoiceSerializer,
    OrderCreateSerializer,
    OrderCreditSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    OrderSubmitSerializer,
    QuoteCreateSerializer,
    QuoteSerializer,
    QuoteToOrderSerializer,
    QuoteUpdateSerializer,
    SalesReturnCreateSerializer,
    SalesReturnSerializer,
)

# who may do what (reads are open to everyone signed in; the selectors scope the rows)
SELLER_ROLES = frozenset(
    {Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.SYSADMIN}
)
WAREHOUSE_ROLES = frozenset({Role.WAREHOUSE, Role.SYSADMIN})
RECEIPT_ROLES = frozenset(WAREHOUSE_ROLES | SELLER_ROLES)
INVOICE_ROLES = frozenset({Role.FINANCE, Role.SALES_ADMIN, Role.SYSADMIN})


class ActionRoles(BasePermission):
    """Reads: anyone signed in (rows scoped). Writes: `view.action_roles[action]`."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        roles = view.action_roles.get(view.action)
        return roles is not None and (user.is_superuser or bool(user.roles & roles))


def _customer(user, pk):
    # the customer's own row: the services read what else they need
    customer = customer_list_for_user(user=user).select_related(None).filter(pk=pk).first()
    if customer is None:
        raise NotFound()  # a customer the caller may not see is not revealed
    return customer


def _opportunity(user, pk):
    if pk in (None, ""):
        return None
    from salesops.crm.selectors import opportunity_list_for_user

    opportunity = opportunity_list_for_user(user=user).filter(pk=pk).first()
    if opportunity is None:
        raise ValidationFailed(fields={"opportunity": [_("Unknown opportunity.")]})
    return opportunity


def _warehouse(pk):
    if pk in (None, ""):
        return None
    warehouse = Warehouse.objects.filter(pk=pk, active=True).first()
    if warehouse is None:
        raise ValidationFailed(fields={"warehouse": [_("Unknown warehouse.")]})
    return warehouse


def _replayed(stored: IdempotencyKey, digest: str) -> Response:
    if stored.request_digest and stored.request_digest != digest:
        return Response(
            error_body(
                "idempotency_key_reused",
                _("This Idempotency-Key was already used for another request. Use a new key for a new order."),
            ),
            status=422,
        )
    return Response(stored.response, status=stored.status_code)


def _valid(serializer_class, request) -> dict:
    """The request body validated by `serializer_class` (400 with the field errors otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _visible_order(user, pk):
    order = selectors.order_list_for_user(user=user).filter(pk=pk).first()
    if order is None:
        raise NotFound()
    return order


def _quantities(values: dict) -> dict | None:
    """`{"<line id>": quantity}` from the body, keyed by int; None when not given (everything)."""
    quantities = values.get("quantities")
    return quantities or None


class ScopedViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, read and history of the documents the caller may see; writes by `action_roles`."""

    permission_classes = [ActionRoles]
    action_roles: dict = {}


class PdfMixin:
    """`GET <document>/<id>/pdf/`: the printable document."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        document = self.get_object()
        response = HttpResponse(document_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
        return response


class OrderViewSet(PdfMixin, ScopedViewSet):
    """Sales orders the caller may see."""

    action_roles = {"create": SELLER_ROLES, "submit": SELLER_ROLES, "cancel": SELLER_ROLES}
    filterset_fields = ["status", "payment", "customer", "rep", "team"]
    search_fields = ["number", "customer__name"]
    ordering_fields = ["order_date", "number", "total", "status"]

    def get_queryset(self):
        return selectors.order_list_for_user(user=self.request.user)

    def _with_lines(self):
        # the detail shows each line's product: one query for all lines, not one per line
        return self.get_queryset().prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product", "lot").order_by("position"))
        )

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def retrieve(self, request, pk=None):
        order = self._with_lines().filter(pk=pk).first()
        if order is None:
            raise NotFound()
        return Response(OrderDetailSerializer(order).data)

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request):
        key = (request.headers.get("Idempotency-Key") or "").strip()[:100]
        if not key:
            return self._create(request)
        digest = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
        stored = IdempotencyKey.objects.filter(user=request.user, scope="orders", key=key).first()
        if stored is not None:
            return _replayed(stored, digest)
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=request.user, scope="orders", key=key, request_digest=digest
                )
                response = self._create(request)
                record.status_code, record.response = response.status_code, response.data
                record.save(update_fields=["status_code", "response"])
        except IntegrityError:
            # the same request is being (or was just) handled by a parallel call
            stored = IdempotencyKey.objects.get(user=request.user, scope="orders", key=key)
            return _replayed(stored, digest)
        return response

    def _create(self, request):
        values = _valid(OrderCreateSerializer, request)
        order = services.order_create(
            actor=request.user,
            customer=_customer(request.user, values["customer"]),
            payment=values["payment"],
            lines=[dict(line) for line in values["lines"]],
            warehouse=_warehouse(values.get("warehouse")),
            order_date=values.get("order_date"),
            note=values.get("note", ""),
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrderSubmitSerializer, responses=OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        values = _valid(OrderSubmitSerializer, request)
        # the service reads and locks the order among those the caller may see (404 otherwise)
        order = services.order_submit(
            order=SalesOrder(pk=pk),
            actor=request.user,
            expected_prepayment=values.get("expected_prepayment"),
            payment=values.get("payment"),
        )
        # the service answers with the order as written, its lines and their products read once
        return Response(OrderDetailSerializer(order).data)

    @extend_schema(
        responses=OrderCreditSerializer,
        description=(
            "The customer's credit limit, exposure (open orders and unpaid invoices), available credit and "
            "overdue amount, and what submitting this order would meet: within the limit, over it by `excess` "
            "(approval or prepayment), overdue, credit blocked, no credit file, or a cash sale waiting for its "
            "money. The same decision the submit takes; 404 when the caller may not see the order or its customer."
        ),
    )
    @action(detail=True, methods=["get"])
    def credit(self, request, pk=None):
        order = self.get_object()
        _customer(request.user, order.customer_id)
        outlook = selectors.order_credit_outlook(
            customer=order.customer, amount=order.total, payment=order.payment, order_id=order.pk
        )
        return Response(OrderCreditSerializer(outlook).data)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = services.order_cancel(order=self.get_object(), actor=request.user)
        return Response(OrderSerializer(order).data)


class QuoteViewSet(PdfMixin, ScopedViewSet):
    action_roles = {
        "create": SELLER_ROLES,
        "partial_update": SELLER_ROLES,
        "submit": SELLER_ROLES,
        "order": SELLER_ROLES,
    }
    serializer_class = QuoteSerializer
    filterset_fields = ["status", "customer", "rep"]
    search_fields = ["number", "customer__name"]

    def get_queryset(self):
        # each quote shows its lines, earlier revisions and the documents made from it
        return selectors.quote_list_for_user(user=self.request.user).prefetch_related(
            "lines", "revisions", "contracts", "orders"
        )

    @extend_schema(request=QuoteCreateSerializer, responses={201: QuoteSerializer})
    def create(self, request):
        values = _valid(QuoteCreateSerializer, request)
        quote = services.quote_create(
            actor=request.user,
            customer=_customer(request.user, values["customer"]),
            lines=[dict(line) for line in values["lines"]],
            valid_until=values.get("valid_until"),
            note=values.get("note", ""),
            opportunity=_opportunity(request.user, values.get("opportunity")),
        )
        return Response(QuoteSerializer(quote).data, status=201)

    @extend_schema(
        request=QuoteUpdateSerializer,
        responses=QuoteSerializer,
        description=(
            "Change a draft or returned quote (409 otherwise): `lines` replace all its lines, `valid_until` and "
            "`note` their values. Changing a returned quote starts its next revision; the lines it had are kept "
            "in `revisions`."
        ),
    )
    def partial_update(self, request, pk=None):
        quote = self.get_object()
        values = _valid(QuoteUpdateSerializer, request)
        lines = values.get("lines")
        quote = services.quote_update(
            quote=quote,
            actor=request.user,
            lines=[dict(line) for line in lines] if lines is not None else None,
            valid_until=values.get("valid_until"),
            note=values.get("note"),
        )
        return Response(QuoteSerializer(quote).data)

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        quote = services.quote_submit(quote=self.get_object(), actor=request.user)
        return Response(QuoteSerializer(quote).data)

    @extend_schema(request=QuoteToOrderSerializer, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        values = _valid(QuoteToOrderSerializer, request)
        order = services.quote_to_order(
            quote=self.get_object(),
            actor=request.user,
            payment=values["payment"],
            warehouse=_warehouse(values.get("warehouse")),
        )
        return Response(OrderSerializer(order).data, status=201)


class ContractViewSet(PdfMixin, ScopedViewSet):
    action_roles = {"create": SELLER_ROLES, "submit": SELLER_ROLES, "changes": SELLER_ROLES}
    serializer_class = ContractSerializer
    filterset_fields = ["status", "customer", "rep"]
    search_fields = ["number", "title", "customer__name"]

    def get_queryset(self):
        return selectors.contract_list_for_user(user=self.request.user)

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractSerializer})
    def create(self, request):
        values = _valid(ContractCreateSerializer, request)
        quote = None
        if values.get("quote"):
            quote = selectors.quote_list_for_user(user=request.user).filter(pk=values["quote"]).first()
            if quote is None:
                raise NotFound()
        contract = services.contract_create(
            actor=request.user,
            customer=_customer(request.user, values["customer"]),
            title=values["title"],
            start_date=values["start_date"],
            end_date=values["end_date"],
            lines=[dict(line) for line in values["lines"]],
            terms=values.get("terms", ""),
            payment_terms_days=values.get("payment_terms_days", 30),
            quote=quote,
        )
        return Response(ContractSerializer(contract).data, status=201)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        contract = services.contract_submit(contract=self.get_object(), actor=request.user)
        return Response(ContractSerializer(contract).data)

    @extend_schema(request=ContractChangeSerializer, responses={201: ContractChangeSerializer})
    @action(detail=True, methods=["post"])
    def changes(self, request, pk=None):
        contract = self.get_object()
        values = _valid(ContractChangeSerializer, request)
        if "lines" in values:
            values["lines"] = [dict(line) for line in values["lines"]]
        change = services.contract_change_request(contract=contract, actor=request.user, **values)
        change.refresh_from_db()
        return Response(ContractChangeSerializer(change).data, status=201)


class DeliveryViewSet(PdfMixin, ScopedViewSet):
    """货已出库: the warehouse issues an order's goods; the customer's receipt confirms it."""

    action_roles = {"create": WAREHOUSE_ROLES, "confirm": RECEIPT_ROLES}
    serializer_class = DeliverySerializer
    filterset_fields = ["status", "order", "warehouse"]
    search_fields = ["number", "order__number", "order__customer__name"]

    def get_queryset(self):
        return selectors.delivery_list_for_user(user=self.request.user)

    @extend_schema(request=DeliveryIssueSerializer, responses={201: DeliverySerializer})
    def create(self, request):
        values = _valid(DeliveryIssueSerializer, request)
        order = _visible_order(request.user, values["order"])
        delivery = services.delivery_issue(
            order=order,
            actor=request.user,
            quantities=_quantities(values),
            picked_up_by=values.get("picked_up_by", ""),
            note=values.get("note", ""),
            lots=values.get("lots"),
            lot_reason=values.get("lot_reason", ""),
        )
        return Response(DeliverySerializer(delivery).data, status=201)

    @extend_schema(request=DeliveryConfirmSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        delivery = self.get_object()
        values = _valid(DeliveryConfirmSerializer, request)
        delivery = services.delivery_confirm(
            delivery=delivery, actor=request.user, received_by=values.get("received_by", "")
        )
        return Response(DeliverySerializer(delivery).data)


class InvoiceViewSet(PdfMixin, ScopedViewSet):
    action_roles = {"create": INVOICE_ROLES}
    serializer_class = InvoiceSerializer
    filterset_fields = ["status", "kind", "customer", "rep", "order"]
    search_fields = ["number", "customer__name"]
    ordering_fields = ["issue_date", "due_date", "total", "number"]

    def get_queryset(self):
        return selectors.invoice_list_for_user(user=self.request.user)

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceSerializer})
    def create(self, request):
        values = _valid(InvoiceCreateSerializer, request)
        ids = set(values["deliveries"])
        deliveries = list(selectors.delivery_list_for_user(user=request.user).filter(pk__in=ids))
        if len(deliveries) != len(ids):
            raise NotFound()
        invoice = services.invoice_create(
            deliveries=deliveries,
            actor=request.user,
            issue_date=values.get("issue_date"),
            quantities=_quantities(values),
        )
        return Response(InvoiceSerializer(invoice).data, status=201)


class SalesReturnViewSet(ScopedViewSet):
    """退货/撤单 with approval."""

    action_roles = {"create": SELLER_ROLES}
    serializer_class = SalesReturnSerializer
    filterset_fields = ["status", "kind", "order"]
    search_fields = ["number", "order__number"]

    def get_queryset(self):
        return selectors.return_list_for_user(user=self.request.user)

    @extend_schema(request=SalesReturnCreateSerializer, responses={201: SalesReturnSerializer})
    def create(self, request):
        values = _valid(SalesReturnCreateSerializer, request)
        order = _visible_order(request.user, values["order"])
        sales_return = services.return_request(
            order=order,
            kind=values["kind"],
            actor=request.user,
            reason=values["reason"],
            quantities=_quantities(values),
        )
        return Response(SalesReturnSerializer(sales_return).data, status=201)


router = Router()
router.register("orders", OrderViewSet, basename="sales-order")
router.register("quotes", QuoteViewSet, basename="sales-quote")
router.register("contracts", ContractViewSet, basename="sales-contract")
router.register("deliveries", DeliveryViewSet, basename="sales-delivery")
router.register("invoices", InvoiceViewSet, basename="sales-invoice")
router.register("returns", SalesReturnViewSet, basename="sales-return")
urlpatterns = router.urls
