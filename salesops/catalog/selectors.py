"""Reads of products, families, BOMs and prices, scoped to the person asking.

Stock roles see every product with costs; sales roles see sellable products (approved and
active) without costs; anyone else sees nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Exists, OuterRef, Q, QuerySet

from salesops.catalog.models import (
    Barcode,
    BomLine,
    PriceChange,
    PriceHistory,
    PriceList,
    PriceListItem,
    Product,
    ProductFamily,
)
from salesops.catalog.permissions import PRODUCT_READ_ROLES, PRODUCT_WRITE_ROLES, STOCK_ROLES
from salesops.core.text import search_key


def product_list_for_user(*, user) -> QuerySet[Product]:
    products = Product.objects.select_related("family")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return products.none()
    if user.is_superuser or user.roles & (STOCK_ROLES | PRODUCT_WRITE_ROLES):
        return products
    if user.roles & PRODUCT_READ_ROLES:
        return products.filter(status=Product.Status.APPROVED, active=True)
    return products.none()


def sellable_product_list_for_user(*, user) -> QuerySet[Product]:
    """What may be quoted and ordered: approved, active products that have a price (a list
    price or an item on a price list). Raw materials and packaging (RM-…, PK-…) are bought and
    used, never priced for customers, so they never reach a quote or order picker."""
    priced = PriceListItem.objects.filter(product=OuterRef("pk"))
    return (
        product_list_for_user(user=user)
        .filter(status=Product.Status.APPROVED, active=True)
        .filter(Q(list_price__gt=0) | Exists(priced))
    )


@lru_cache(maxsize=50_000)
def _pinyin_key(text: str) -> str:
    return search_key(text)


def product_search(*, products: QuerySet[Product], query: str, limit: int = 20) -> list[Product]:
    """Products of `products` matching `query` in the SKU, a barcode, the Chinese or English
    name, the spec, or the pinyin / pinyin initials of the Chinese name ("gjxmf" finds
    高筋小麦粉). The text fields are matched by the database; the pinyin of the names is
    computed once per name and kept in memory, so a list of a few thousand products answers
    without a stored key."""
    query = query.strip().lower()[:100]
    if not query:
        return list(products.order_by("sku")[:limit])
    text = (
        Q(sku__icontains=query)
        | Q(name__icontains=query)
        | Q(name_en__icontains=query)
        | Q(spec__icontains=query)
        | Q(barcodes__code=query)
    )
    found = list(products.filter(text).distinct().order_by("sku")[:limit])
    if len(found) < limit and query.isascii() and query.isalnum():
        seen = {product.pk for product in found}
        ids = [
            pk
            for pk, name in products.order_by("sku").values_list("pk", "name")
            if pk not in seen and query in _pinyin_key(name)
        ][: limit - len(found)]
        found += list(products.filter(pk__in=ids).order_by("sku"))
    return found


def product_get_for_user(*, user, pk) -> Product:
    return product_list_for_user(user=user).get(pk=pk)


def product_by_barcode(*, user, code: str) -> Product:
    """The product carrying this barcode (or SKU), Product.DoesNotExist otherwise."""
    code = (code or "").strip()
    products = product_list_for_user(user=user)
    found = products.filter(Q(barcodes__code=code) | Q(sku=code)).first()
    if found is None:
        raise Product.DoesNotExist
    return found


def family_list() -> QuerySet[ProductFamily]:
    return ProductFamily.objects.all()


def family_tree() -> list[dict]:
    """Families in tree order with their depth and product count."""
    from django.db.models import Count

    rows = []
    for family in ProductFamily.objects.annotate(product_count=Count("products")).order_by("path"):
        rows.append({"family": family, "depth": family.path.count("/") - 2, "count": family.product_count})
    return rows


def family_subtree_ids(family: ProductFamily) -> list[int]:
    return list(ProductFamily.objects.filter(path__startswith=family.path).values_list("pk", flat=True))


# --- bills of materials ---------------------------------------------------------------------------
def bom_lines_on(*, parent: Product, on_date: datetime.date) -> QuerySet[BomLine]:
    return (
        BomLine.objects.filter(parent=parent, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .select_related("component")
    )


@dataclass
class BomNode:
    level: int
    line: BomLine
    quantity: Decimal  # gross quantity per one top-level unit


def bom_explode(*, product: Product, on_date: datetime.date | None = None, max_depth: int = 20) -> list[BomNode]:
    """The multi-level BOM in tree order: each component with the gross quantity (scrap
    included) needed for one unit of `product`. One query for all lines in force."""
    on_date = on_date or datetime.date.today()
    lines = (
        BomLine.objects.filter(valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .select_related("component")
        .order_by("component__sku")
    )
    children: dict[int, list[BomLine]] = {}
    for line in lines:
        children.setdefault(line.parent_id, []).append(line)
    result: list[BomNode] = []

    def walk(parent_id: int, factor: Decimal, level: int, seen: frozenset) -> None:
        if level > max_depth:
            return
        for line in children.get(parent_id, []):
            if line.component_id in seen:
                continue
            quantity = (factor * line.gross_quantity).quantize(Decimal("0.0001"))
            result.append(BomNode(level=level, line=line, quantity=quantity))
            walk(line.component_id, quantity, level + 1, seen | {line.component_id})

    walk(product.pk, Decimal("1"), 1, frozenset({product.pk}))
    return result


def where_used(*, product: Product) -> QuerySet[BomLine]:
    return BomLine.objects.filter(component=product).select_related("parent")


# --- prices ---------------------------------------------------------------------------------------
def price_lists_on(on_date: datetime.date) -> QuerySet[PriceList]:
    return PriceList.objects.filter(valid_from__lte=on_date).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))


def prices_for(*, products: list[Product], customer=None, on_date: datetime.date) -> dict[int, Decimal]:
    """The price a customer pays on a date before discounts, per product id: the item of the
    valid price list for the customer's channel, else of the valid default list, else the
    product's list price. One query for any number of products."""
    prices = {product.pk: Decimal(product.list_price) for product in products}
    channel = getattr(customer, "channel", "") if customer is not None else ""
    lists = price_lists_on(on_date).filter(Q(channel=channel) | Q(is_default=True) if channel else Q(is_default=True))
    items = (
        PriceListItem.objects.filter(price_list__in=lists, product_id__in=prices, valid_from__lte=on_date)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
        .order_by("product_id", "-valid_from", "-pk")
        .values_list("product_id", "price", "price_list__channel")
    )
    ranks: dict[int, int] = {}  # 0: from the channel's list, 1: from a default list
    for product_id, price, list_channel in items:
        rank = 0 if channel and list_channel == channel else 1
        if rank < ranks.get(product_id, 2):
            prices[product_id], ranks[product_id] = Decimal(price), rank
    return prices


def price_for(*, product: Product, customer=None, on_date: datetime.date) -> Decimal:
    """The price of one product (see `prices_for`)."""
    return prices_for(products=[product], customer=customer, on_date=on_date)[product.pk]


def price_items_for(*, product: Product) -> QuerySet[PriceListItem]:
    return (
        PriceListItem.objects.filter(product=product)
        .select_related("price_list")
        .order_by("price_list__code", "-valid_from")
    )


def price_change_list() -> QuerySet[PriceChange]:
    return PriceChange.objects.select_related("price_list", "created_by")


def price_history_list() -> QuerySet[PriceHistory]:
    return PriceHistory.objects.select_related("product", "price_list", "change")


def barcode_list_for(product: Product) -> QuerySet[Barcode]:
    return product.barcodes.all()
