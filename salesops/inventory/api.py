"""REST endpoints of stock: warehouses, stock levels (`GET /api/v1/stock/?product=&warehouse=`),
the ledger, transfers (send/receive), stocktakes (counts/submit), suppliers and purchase orders.

Stock roles see everything; sales roles see stock levels of sellable products without costs;
anyone else gets empty lists and 404 on records (existence is not revealed). Writes need the
warehouse or purchasing role (403 otherwise)."""

from rest_framework import mixins, viewsets
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
from salesops.inventory import documents, selectors
from salesops.inventory import stocktake as stocktakes
from salesops.inventory.models import Warehouse
from salesops.inventory.serializers import (
    PurchaseOrderCreateSerializer,
    PurchaseOrderSerializer,
    QuantitiesSerializer,
    StockLevelSerializer,
    StockMoveSerializer,
    StocktakeLineSerializer,
    StocktakeSerializer,
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

    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        transfer = documents.transfer_send(transfer=self.get_object(), actor=request.user)
        return Response(TransferSerializer(transfer).data)

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

    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        stocktake = self.get_object()
        page = self.paginate_queryset(stocktake.lines.select_related("product").order_by("product__sku"))
        return self.get_paginated_response(StocktakeLineSerializer(page, many=True).data)

    @action(detail=True, methods=["post"], serializer_class=QuantitiesSerializer)
    def counts(self, request, pk=None):
        data = QuantitiesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counted = stocktakes.stocktake_record_counts(
            stocktake=self.get_object(), actor=request.user, counts=data.validated_data["quantities"]
        )
        return Response({"counted": counted})

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


class PurchaseOrderViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    write_roles = frozenset(PURCHASE_ROLES | STOCK_WRITE_ROLES)
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["status", "supplier", "warehouse"]

    def get_queryset(self):
        return selectors.purchase_order_list_for_user(user=self.request.user).prefetch_related("lines")

    def create(self, request, *args, **kwargs):
        data = PurchaseOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = documents.purchase_order_create(
            supplier=values["supplier"],
            warehouse=values["warehouse"],
            expected_date=values["expected_date"],
            lines=[(line["product"], line["quantity"], line.get("unit_cost")) for line in values["lines"]],
            actor=request.user,
        )
        return Response(PurchaseOrderSerializer(order).data, status=201)

    @action(detail=True, methods=["post"], serializer_class=QuantitiesSerializer)
    def receive(self, request, pk=None):
        data = QuantitiesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = documents.purchase_order_receive(
            order=self.get_object(), actor=request.user, quantities=data.validated_data["quantities"]
        )
        return Response(PurchaseOrderSerializer(order).data)


router = Router()
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock", StockLevelViewSet, basename="stock")
router.register("stock-moves", StockMoveViewSet, basename="stock-move")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("stocktakes", StocktakeViewSet, basename="stocktake")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
urlpatterns = router.urls
