"""REST endpoints of the product master: products (with barcode lookup for scanners),
families, BOM lines, price lists and items, price changes, price history and the price query.

Reads are scoped by the selectors (reps see sellable products without costs; a product they
may not see answers 404); writes need the purchasing (products) or pricing roles."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from salesops.catalog import selectors, services
from salesops.catalog.models import BomLine, PriceList, PriceListItem, Product, ProductFamily
from salesops.catalog.permissions import PRICE_WRITE_ROLES, PRODUCT_READ_ROLES, PRODUCT_WRITE_ROLES
from salesops.catalog.serializers import (
    BomLineSerializer,
    FamilySerializer,
    PriceChangeSerializer,
    PriceHistorySerializer,
    PriceListItemSerializer,
    PriceListSerializer,
    PriceQuerySerializer,
    ProductSerializer,
    ProductUpdateSerializer,
)
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.roles import Role

PRICE_READ_ROLES = frozenset(PRICE_WRITE_ROLES | {Role.FINANCE, Role.GENERAL_MANAGER, Role.SALES_DIRECTOR})


class ProductViewSet(HistoryMixin, viewsets.ModelViewSet):
    permission_classes = [HasRole]
    required_roles = None  # reads are scoped by the selector
    write_roles = PRODUCT_WRITE_ROLES
    filterset_fields = ["status", "source", "family", "active"]
    search_fields = ["sku", "name", "name_en", "spec"]
    ordering_fields = ["sku", "name", "list_price"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        """`?sellable=true`: only what may be quoted and ordered; `?q=`: the pickers' search (SKU,
        barcode, names, spec, pinyin and pinyin initials), best matches first."""
        params = self.request.query_params
        if params.get("sellable") in ("1", "true"):
            products = selectors.sellable_product_list_for_user(user=self.request.user)
        else:
            products = selectors.product_list_for_user(user=self.request.user)
        query = params.get("q", "").strip()
        if query and self.action == "list":
            ids = [product.pk for product in selectors.product_search(products=products, query=query)]
            products = products.filter(pk__in=ids)
        return products.prefetch_related("barcodes", "packaging")

    def get_serializer_class(self):
        return ProductUpdateSerializer if self.action == "partial_update" else ProductSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.product_create(
            sku=data.pop("sku"), name=data.pop("name"), actor=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            product=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        product = services.product_submit(product=self.get_object(), actor=request.user)
        return Response(ProductSerializer(product, context={"request": request}).data)

    @action(detail=False, methods=["get"], url_path=r"barcode/(?P<code>[0-9A-Za-z\-]+)")
    def barcode(self, request, code=None):
        """Scanner lookup: the product carrying this EAN-13 (or SKU)."""
        try:
            product = selectors.product_by_barcode(user=request.user, code=code)
        except Product.DoesNotExist:
            raise NotFound()
        return Response(ProductSerializer(product, context={"request": request}).data)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=False)],
        responses=inline_serializer(
            "BomExplosionLine",
            {
                "level": serializers.IntegerField(),
                "component": serializers.IntegerField(),
                "sku": serializers.CharField(),
                "quantity_per_parent": serializers.CharField(help_text="a decimal number"),
                "scrap_pct": serializers.CharField(help_text="a decimal number"),
                "quantity_per_unit": serializers.CharField(help_text="a decimal number"),
            },
            many=True,
        ),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def bom(self, request, pk=None):
        """The multi-level BOM in force on ?date= (today by default)."""
        product = self.get_object()
        on_date = PriceQuerySerializer(data={"product": product.pk, **request.query_params.dict()})
        on_date.is_valid(raise_exception=True)
        nodes = selectors.bom_explode(product=product, on_date=on_date.validated_data.get("date"))
        return Response(
            [
                {
                    "level": n.level,
                    "component": n.line.component_id,
                    "sku": n.line.component.sku,
                    "quantity_per_parent": str(n.line.quantity),
                    "scrap_pct": str(n.line.scrap_pct),
                    "quantity_per_unit": str(n.quantity),
                }
                for n in nodes
            ]
        )


class FamilyViewSet(viewsets.ModelViewSet):
    permission_classes = [HasRole]
    required_roles = PRODUCT_READ_ROLES
    write_roles = PRODUCT_WRITE_ROLES
    serializer_class = FamilySerializer
    queryset = ProductFamily.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    search_fields = ["code", "name"]

    def perform_create(self, serializer):
        serializer.instance = services.family_create(actor=self.request.user, **serializer.validated_data)


class BomLineViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    required_roles = PRODUCT_READ_ROLES
    write_roles = PRODUCT_WRITE_ROLES
    serializer_class = BomLineSerializer
    filterset_fields = ["parent", "component"]

    def get_queryset(self):
        visible = selectors.product_list_for_user(user=self.request.user)
        return BomLine.objects.filter(parent__in=visible).select_related("parent", "component")

    def perform_create(self, serializer):
        serializer.instance = services.bom_line_add(actor=self.request.user, **serializer.validated_data)


class PriceListViewSet(viewsets.ModelViewSet):
    permission_classes = [HasRole]
    required_roles = frozenset(PRICE_READ_ROLES | PRODUCT_READ_ROLES)
    write_roles = PRICE_WRITE_ROLES
    serializer_class = PriceListSerializer
    queryset = PriceList.objects.all()
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.price_list_create(actor=self.request.user, **serializer.validated_data)


class PriceItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Price list items, old ones included (the price history of each list)."""

    permission_classes = [HasRole]
    required_roles = frozenset(PRICE_READ_ROLES | PRODUCT_READ_ROLES)
    serializer_class = PriceListItemSerializer
    filterset_fields = ["price_list", "product"]

    def get_queryset(self):
        visible = selectors.product_list_for_user(user=self.request.user)
        return PriceListItem.objects.filter(product__in=visible).select_related("product")

    @action(detail=False, methods=["get"])
    def quote(self, request):
        """?product=&customer=&date=: the price before discounts (the selector sales uses)."""
        query = PriceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            product = selectors.product_get_for_user(user=request.user, pk=query.validated_data["product"])
        except Product.DoesNotExist:
            raise NotFound()
        customer = None
        if query.validated_data.get("customer"):
            from salesops.crm.selectors import customer_list_for_user

            customer = customer_list_for_user(user=request.user).filter(pk=query.validated_data["customer"]).first()
            if customer is None:
                raise NotFound()
        on_date = query.validated_data.get("date") or timezone.localdate()
        price = selectors.price_for(product=product, customer=customer, on_date=on_date)
        return Response({"product": product.pk, "date": on_date, "price": str(price)})


class PriceChangeViewSet(HistoryMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    required_roles = PRICE_READ_ROLES
    write_roles = PRICE_WRITE_ROLES
    serializer_class = PriceChangeSerializer
    filterset_fields = ["status", "price_list"]
    search_fields = ["number", "reason"]

    def get_queryset(self):
        return selectors.price_change_list().prefetch_related("lines__product")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.price_change_create(
            effective_date=data["effective_date"],
            reason=data["reason"],
            price_list=data.get("price_list"),
            lines=[(line["product"], line["new_price"]) for line in data["lines"]],
            actor=self.request.user,
        )

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        change = services.price_change_submit(change=self.get_object(), actor=request.user)
        return Response(PriceChangeSerializer(change).data)


class PriceHistoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]
    required_roles = PRICE_READ_ROLES
    serializer_class = PriceHistorySerializer
    filterset_fields = ["product", "price_list", "change"]

    def get_queryset(self):
        return selectors.price_history_list()


router = Router()
router.register("products", ProductViewSet, basename="product")
router.register("product-families", FamilyViewSet, basename="product-family")
router.register("boms", BomLineViewSet, basename="bom-line")
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("prices", PriceItemViewSet, basename="price")
router.register("price-changes", PriceChangeViewSet, basename="price-change")
router.register("price-history", PriceHistoryViewSet, basename="price-history")
urlpatterns = router.urls
