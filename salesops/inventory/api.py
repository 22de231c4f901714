"""REST endpoints of stock: warehouses, stock levels (`GET /api/v1/stock/?product=&warehouse=`),
the ledger, transfers (send/receive), stocktakes (counts/submit), suppliers and purchase orders.

Stock roles see everything; sales roles see stock levels of sellable products without costs;
anyone else gets empty lists and 404 on records (existence is not revealed). Writes need the
warehouse or purchasing role (403 otherwise)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.catalog.permissions import (
    PRODUCT_READ_ROLES,
    PURCHASE_ROLES,
    STOCK_ROLES,
    STOCK_WRITE_ROLES,
    STOCKTAKE_ROLES,
)
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.inventory import documents, expiry, selectors
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import Warehouse
from salesops.inventory.serializers import (
    LotBalanceSerializer,
    LotDiscountSerializer,
    LotDisposalCreateSerializer,
    LotDisposalSerializer,
    PurchaseOrderCreateSerializer,
    PurchaseOrderSerializer,
    QuantitiesSerializer,
    ReceiptSerializer,
    StockLevelSerializer,
    StockMoveSerializer,
    StocktakeLineSerializer,
    StocktakeSerializer,
    SupplierItemSerializer,
    SupplierSerializer,
    TransferCreateSerializer,
    TransferSerializer,
    WarehouseSerializer,
)


class WarehouseViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    required_roles = PRODUCT_READ_ROLES
    serializer_class = WarehouseSerializer
    queryset = Warehouse.objects.all()
    filterset_fields = ["kind", "active"]


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock levels per product and warehouse; filter with ?product=&warehouse=."""

    permission_classes = [HasRole]
    serializer_class = StockLevelSerializer
    filterset_fields = ["product", "warehouse"]
    search_fields = ["product__sku", "product__name"]
    ordering_fields = ["product__sku", "on_hand"]

    def get_queryset(self):
        return selectors.balance_list_for_user(user=self.request.user).order_by("product__sku", "warehouse__code")


class StockMoveViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    serializer_class = StockMoveSerializer
    filterset_fields = ["product", "warehouse", "kind", "reference_type", "reference_id"]
    search_fields = ["reference_number", "product__sku"]
    ordering_fields = ["at"]

    def get_queryset(self):
        return selectors.move_list_for_user(user=self.request.user)


class TransferViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    write_roles = STOCK_WRITE_ROLES
    serializer_class = TransferSerializer
    filterset_fields = ["status", "source", "destination", "has_difference"]
    search_fields = ["number"]

    def get_queryset(self):
        return selectors.transfer_list_for_user(user=self.request.user).prefetch_related("lines__product")

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request, *args, **kwargs):
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        transfer = documents.transfer_create(
            source=values["source"],
            destination=values["destination"],
            note=values["note"],
            lines=[(line["product"], line["quantity"]) for line in values["lines"]],
            actor=request.user,
        )
        return Response(TransferSerializer(transfer).data, status=201)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        transfer = documents.transfer_send(transfer=self.get_object(), actor=request.user)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(request=QuantitiesSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], serializer_class=QuantitiesSerializer)
    def receive(self, request, pk=None):
        data = QuantitiesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = documents.transfer_receive(
            transfer=self.get_object(), actor=request.user, received=data.validated_data["quantities"]
        )
        return Response(TransferSerializer(transfer).data)


class StocktakeViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    write_roles = STOCKTAKE_ROLES
    serializer_class = StocktakeSerializer
    filterset_fields = ["status", "warehouse"]
    search_fields = ["number"]

    def get_queryset(self):
        return selectors.stocktake_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = stocktakes.stocktake_freeze(
            warehouse=data["warehouse"],
            family=data.get("family"),
            approval_threshold=data.get("approval_threshold"),
            actor=self.request.user,
        )

    @extend_schema(responses=StocktakeLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        stocktake = self.get_object()
        page = self.paginate_queryset(stocktake.lines.select_related("product").order_by("product__sku"))
        return self.get_paginated_response(StocktakeLineSerializer(page, many=True).data)

    @extend_schema(
        request=QuantitiesSerializer,
        responses=inline_serializer("StocktakeCountsRecorded", {"counted": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"], serializer_class=QuantitiesSerializer)
    def counts(self, request, pk=None):
        data = QuantitiesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counted = stocktakes.stocktake_record_counts(
            stocktake=self.get_object(), actor=request.user, counts=data.validated_data["quantities"]
        )
        return Response({"counted": counted})

    @extend_schema(
        request=inline_serializer("StocktakeSubmit", {"allow_uncounted": serializers.BooleanField(required=False)}),
        responses=StocktakeSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        stocktake = stocktakes.stocktake_submit(
            stocktake=self.get_object(), actor=request.user, allow_uncounted=bool(request.data.get("allow_uncounted"))
        )
        return Response(StocktakeSerializer(stocktake).data)


class SupplierViewSet(viewsets.ModelViewSet):
    permission_classes = [HasRole]
    required_roles = STOCK_ROLES
    write_roles = PURCHASE_ROLES
    serializer_class = SupplierSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.supplier_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = documents.supplier_create(actor=self.request.user, **serializer.validated_data)


class SupplierItemViewSet(viewsets.ModelViewSet):
    """The terms each supplier sells a product on (lead time, minimum, multiple, cost); MRP
    plans bought items with their preferred supplier's terms."""

    permission_classes = [HasRole]
    required_roles = STOCK_ROLES
    write_roles = PURCHASE_ROLES
    serializer_class = SupplierItemSerializer
    filterset_fields = ["supplier", "product", "preferred"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.supplier_item_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = documents.supplier_item_save(
            supplier=data.pop("supplier"), product=data.pop("product"), actor=self.request.user, **data
        )


class PurchaseOrderViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Purchase orders: created as drafts, then `submit` (approval when a rule asks, else
    ordered and e-mailed to the supplier), `receive` against the lines, `cancel`, `pdf`."""

    permission_classes = [HasRole]
    write_roles = frozenset(PURCHASE_ROLES | STOCK_WRITE_ROLES)
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["status", "supplier", "warehouse"]

    def get_queryset(self):
        return selectors.purchase_order_list_for_user(user=self.request.user).prefetch_related("lines")

    def _purchasing(self, request) -> None:
        if not (request.user.is_superuser or request.user.roles & PURCHASE_ROLES):
            raise PermissionDenied()

    @extend_schema(request=PurchaseOrderCreateSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request, *args, **kwargs):
        self._purchasing(request)
        data = PurchaseOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = documents.purchase_order_create(
            supplier=values["supplier"],
            warehouse=values["warehouse"],
            expected_date=values["expected_date"],
            note=values["note"],
            lines=[(line["product"], line["quantity"], line.get("unit_cost")) for line in values["lines"]],
            actor=request.user,
        )
        return Response(self.get_serializer(order).data, status=201)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        self._purchasing(request)
        order = documents.purchase_order_submit(order=self.get_object(), actor=request.user)
        return Response(PurchaseOrderSerializer(order, context={"request": request}).data)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        self._purchasing(request)
        order = documents.purchase_order_cancel(order=self.get_object(), actor=request.user)
        return Response(PurchaseOrderSerializer(order, context={"request": request}).data)

    @extend_schema(request=ReceiptSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReceiptSerializer)
    def receive(self, request, pk=None):
        if not (request.user.is_superuser or request.user.roles & STOCK_WRITE_ROLES):
            raise PermissionDenied()
        data = ReceiptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = documents.purchase_order_receive(
            order=self.get_object(),
            actor=request.user,
            quantities=data.validated_data["quantities"],
            lots={pid: LotSpec(**spec) for pid, spec in data.validated_data["lots"].items()},
        )
        return Response(PurchaseOrderSerializer(order, context={"request": request}).data)


class LotBalanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock by lot; `?clear=1` lists only the lots to clear (expired or near expiry)."""

    permission_classes = [HasRole]
    required_roles = STOCK_ROLES
    serializer_class = LotBalanceSerializer
    filterset_fields = ["product", "warehouse", "lot"]

    def get_queryset(self):
        balances = selectors.lot_balance_list_for_user(user=self.request.user)
        if self.request.query_params.get("clear") in {"1", "true"}:
            return expiry.lots_to_clear(queryset=balances)
        return balances.order_by("product", "lot__expiry_date", "lot__code")

    @extend_schema(request=LotDiscountSerializer, responses=LotBalanceSerializer)
    @action(detail=True, methods=["post"], serializer_class=LotDiscountSerializer)
    def discount(self, request, pk=None):
        """Set the lot's clearance discount % (0 removes it); the lot must be expired or near expiry."""
        if not (request.user.is_superuser or request.user.roles & STOCK_WRITE_ROLES):
            raise PermissionDenied()
        balance = self.get_object()
        data = LotDiscountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expiry.lot_discount_set(
            lot=balance.lot,
            percent=data.validated_data["percent"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        balance.lot.refresh_from_db()
        return Response(LotBalanceSerializer(balance, context={"request": request}).data)


class LotDisposalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Write-offs (approval by rule) and returns to the supplier of a lot's stock."""

    permission_classes = [HasRole]
    required_roles = STOCK_ROLES
    write_roles = STOCK_WRITE_ROLES
    serializer_class = LotDisposalSerializer
    filterset_fields = ["kind", "status", "warehouse"]

    def get_queryset(self):
        return selectors.lot_disposal_list_for_user(user=self.request.user)

    @extend_schema(request=LotDisposalCreateSerializer, responses={201: LotDisposalSerializer})
    def create(self, request, *args, **kwargs):
        data = LotDisposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        balance = selectors.lot_balance_list_for_user(user=request.user).filter(pk=values["balance"]).first()
        if balance is None:
            raise ValidationFailed(fields={"balance": [_("No stock of this lot here.")]}, code="unknown_lot_balance")
        disposal = expiry.lot_disposal_create(
            balance=balance,
            kind=values["kind"],
            quantity=values["quantity"],
            reason=values["reason"],
            actor=request.user,
        )
        return Response(LotDisposalSerializer(disposal).data, status=201)


router = Router()
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock", StockLevelViewSet, basename="stock")
router.register("stock-moves", StockMoveViewSet, basename="stock-move")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("stocktakes", StocktakeViewSet, basename="stocktake")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("supplier-items", SupplierItemViewSet, basename="supplier-item")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("lots", LotBalanceViewSet, basename="lot-balance")
router.register("lot-disposals", LotDisposalViewSet, basename="lot-disposal")
urlpatterns = router.urls
