"""Import and export of products and prices (Excel or CSV).

An upload is parsed and every row checked into an `ImportBatch` (the preview); nothing is
written yet. `import_batch_commit` then writes the whole file in one transaction — and refuses
when any row is bad, unless the user explicitly asks for the good rows only. A file is never
half imported silently: either all rows, or exactly the good rows the user chose, or nothing.

Prices are not written directly: an imported price file becomes a draft price change (变价单),
which goes through the same approval as one typed in. A price file may say in its
`prices_include_tax` column whether its prices include VAT (yes/no, 含税/不含税); a row whose
answer differs from its list's (the products' own list prices include VAT) is refused rather
than imported into a list that reads it the other way. The price export fills the column.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from salesops.catalog.models import ImportBatch, PriceList, Product, ProductFamily, ean13_is_valid
from salesops.core.exceptions import ValidationFailed
from salesops.core.export import csv_safe
from salesops.core.tabular import read_table

PRODUCT_COLUMNS = [
    "sku",
    "name",
    "name_en",
    "spec",
    "spec_en",
    "unit",
    "family",
    "cost",
    "list_price",
    "tax_rate",
    "source",
    "lead_time_days",
    "barcode",
]
PRICE_COLUMNS = ["sku", "price", "effective_date", "price_list", "prices_include_tax"]
TAX_INCLUDED_WORDS = {"yes", "y", "true", "1", "含税", "是"}
TAX_EXCLUDED_WORDS = {"no", "n", "false", "0", "不含税", "否"}
LIST_PRICES_INCLUDE_TAX = True  # the products' own list prices (no price list named)
COLUMNS = {ImportBatch.Kind.PRODUCTS: PRODUCT_COLUMNS, ImportBatch.Kind.PRICES: PRICE_COLUMNS}


def _decimal(value: str, field: str, errors: list, *, required: bool = False) -> Decimal | None:
    if value in ("", None):
        if required:
            errors.append(_("%(field)s is required.") % {"field": field})
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        errors.append(_("%(field)s “%(value)s” is not a number.") % {"field": field, "value": value})
        return None
    if not number.is_finite() or number < 0:
        errors.append(_("%(field)s must be zero or more.") % {"field": field})
        return None
    return number


def check_product_rows(rows: list[dict]) -> list[dict]:
    families = {f.code: f.pk for f in ProductFamily.objects.all()}
    from salesops.catalog.models import Barcode

    barcodes = dict(Barcode.objects.values_list("code", "product__sku"))
    checked, seen_skus, seen_codes = [], set(), set()
    for line, data in enumerate(rows, start=2):
        errors: list[str] = []
        sku = data.get("sku", "")
        if not sku:
            errors.append(_("sku is required."))
        elif sku in seen_skus:
            errors.append(_("SKU %(sku)s appears twice in the file.") % {"sku": sku})
        seen_skus.add(sku)
        if not data.get("name"):
            errors.append(_("name is required."))
        if not data.get("family"):
            errors.append(_("family is required: every product belongs to a family."))
        elif data["family"] not in families:
            errors.append(_("Unknown family code “%(code)s”.") % {"code": data["family"]})
        for field in ("cost", "list_price", "tax_rate", "lead_time_days"):
            _decimal(data.get(field, ""), field, errors)
        if data.get("source") and data["source"] not in Product.Source.values:
            errors.append(_("source must be make or buy."))
        code = data.get("barcode", "")
        if code:
            if not ean13_is_valid(code):
                errors.append(_("Barcode %(code)s is not a valid EAN-13.") % {"code": code})
            elif code in seen_codes or (code in barcodes and barcodes[code] != sku):
                errors.append(_("Barcode %(code)s already belongs to another product.") % {"code": code})
            seen_codes.add(code)
        checked.append({"line": line, "data": {k: data.get(k, "") for k in PRODUCT_COLUMNS}, "errors": errors})
    return checked


def _includes_tax(value: str, errors: list) -> bool | None:
    """The row's `prices_include_tax` answer: True, False, or None when the column is empty."""
    word = str(value or "").strip().lower()
    if not word:
        return None
    if word in TAX_INCLUDED_WORDS:
        return True
    if word in TAX_EXCLUDED_WORDS:
        return False
    errors.append(_("prices_include_tax must be yes or no (含税 or 不含税), not “%(value)s”.") % {"value": value})
    return None


def check_price_rows(rows: list[dict]) -> list[dict]:
    skus = set(Product.objects.values_list("sku", flat=True))
    lists = dict(PriceList.objects.values_list("code", "prices_include_tax"))
    checked, seen = [], set()
    for line, data in enumerate(rows, start=2):
        errors: list[str] = []
        sku = data.get("sku", "")
        if sku not in skus:
            errors.append(_("Unknown SKU “%(sku)s”.") % {"sku": sku})
        _decimal(data.get("price", ""), "price", errors, required=True)
        try:
            datetime.date.fromisoformat(data.get("effective_date", ""))
        except ValueError:
            errors.append(_("effective_date must be a date like 2026-12-01."))
        if data.get("price_list") and data["price_list"] not in lists:
            errors.append(_("Unknown price list “%(code)s”.") % {"code": data["price_list"]})
        included = _includes_tax(data.get("prices_include_tax", ""), errors)
        if included is not None and (not data.get("price_list") or data["price_list"] in lists):
            list_includes = lists[data["price_list"]] if data.get("price_list") else LIST_PRICES_INCLUDE_TAX
            name = data.get("price_list") or _("the products' list")
            if included and not list_includes:
                errors.append(
                    _("The prices of %(list)s are without VAT: give this price without VAT, or use a list with VAT.")
                    % {"list": name}
                )
            elif not included and list_includes:
                errors.append(
                    _("The prices of %(list)s include VAT: give this price with VAT, or use a list without VAT.")
                    % {"list": name}
                )
        key = (sku, data.get("price_list", ""), data.get("effective_date", ""))
        if key in seen:
            errors.append(_("%(sku)s is listed twice for the same list and date.") % {"sku": sku})
        seen.add(key)
        checked.append({"line": line, "data": {k: data.get(k, "") for k in PRICE_COLUMNS}, "errors": errors})
    return checked


@transaction.atomic
def import_batch_create(*, kind: str, filename: str, content: bytes, actor) -> ImportBatch:
    """Parse and check a file; the result is a preview, nothing is imported yet."""
    rows = read_table(filename, content)
    checked = check_product_rows(rows) if kind == ImportBatch.Kind.PRODUCTS else check_price_rows(rows)
    return ImportBatch.objects.create(kind=kind, filename=filename[:200], rows=checked, created_by=actor)


@transaction.atomic
def import_batch_commit(*, batch: ImportBatch, actor, only_good_rows: bool = False) -> ImportBatch:
    """Write the checked rows in one transaction. With any bad row, nothing is written unless
    `only_good_rows` is given explicitly."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        raise ValidationFailed(_("This file was already imported or discarded."))
    if batch.bad_rows and not only_good_rows:
        raise ValidationFailed(
            _(
                "%(bad)d of %(total)d rows have errors; nothing was imported. Fix the file, or import only the good "
                "rows."
            )
            % {"bad": len(batch.bad_rows), "total": len(batch.rows)},
            code="import_has_errors",
        )
    good = batch.good_rows
    # Re-check against the database as it is now (another import may have run since the preview).
    recheck = (
        check_product_rows([r["data"] for r in good])
        if batch.kind == "products"
        else check_price_rows([r["data"] for r in good])
    )
    problems = [r for r in recheck if r["errors"]]
    if problems:
        raise ValidationFailed(_("The data changed since the preview; upload the file again."), code="import_stale")
    result = _import_products(good, actor) if batch.kind == "products" else _import_prices(good, actor)
    batch.status = ImportBatch.Status.PARTIAL if batch.bad_rows else ImportBatch.Status.IMPORTED
    batch.result = result
    batch.save(update_fields=["status", "result"])
    return batch


def _import_products(rows: list[dict], actor) -> dict:
    from salesops.catalog import services

    families = {f.code: f for f in ProductFamily.objects.all()}
    existing = {p.sku: p for p in Product.objects.filter(sku__in=[r["data"]["sku"] for r in rows])}
    created = updated = 0
    for row in rows:
        data = row["data"]
        fields = {"name": data["name"]}
        for key in ("name_en", "spec", "spec_en", "unit", "source"):
            if data.get(key):
                fields[key] = data[key]
        for key in ("cost", "list_price", "tax_rate"):
            if data.get(key):
                fields[key] = Decimal(data[key].replace(",", ""))
        if data.get("lead_time_days"):
            fields["lead_time_days"] = int(Decimal(data["lead_time_days"]))
        if data.get("family"):
            fields["family"] = families[data["family"]]
        product = existing.get(data["sku"])
        if product is None:
            product = services.product_create(sku=data["sku"], actor=actor, **fields)
            created += 1
        else:
            services.product_update(product=product, data=fields, actor=actor)
            updated += 1
        if data.get("barcode") and not product.barcodes.filter(code=data["barcode"]).exists():
            services.barcode_add(product=product, code=data["barcode"], actor=actor)
    return {"created": created, "updated": updated}


def _import_prices(rows: list[dict], actor) -> dict:
    from salesops.catalog import services

    groups: dict[tuple[str, str], list] = {}
    for row in rows:
        data = row["data"]
        groups.setdefault((data.get("price_list", ""), data["effective_date"]), []).append(data)
    products = {p.sku: p for p in Product.objects.filter(sku__in=[r["data"]["sku"] for r in rows])}
    lists = {p.code: p for p in PriceList.objects.all()}
    numbers = []
    for (list_code, date), items in sorted(groups.items()):
        change = services.price_change_create(
            effective_date=datetime.date.fromisoformat(date),
            reason=_("Imported from a file"),
            lines=[(products[d["sku"]], Decimal(d["price"].replace(",", ""))) for d in items],
            price_list=lists.get(list_code) if list_code else None,
            actor=actor,
        )
        numbers.append(change.number)
    return {"price_changes": numbers}


@transaction.atomic
def import_batch_discard(*, batch: ImportBatch, actor) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.PREVIEW:
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
    return batch


def export_rows(kind: str, products) -> tuple[list[str], list[list]]:
    """The same columns the import reads, so an exported file can be edited and imported back."""
    if kind == ImportBatch.Kind.PRODUCTS:
        rows = []
        for p in products.select_related("family").prefetch_related("barcodes"):
            barcode = next(iter(p.barcodes.all()), None)
            rows.append(
                [
                    p.sku,
                    p.name,
                    p.name_en,
                    p.spec,
                    p.spec_en,
                    p.unit,
                    p.family.code if p.family_id else "",
                    p.cost,
                    p.list_price,
                    p.tax_rate,
                    p.source,
                    p.lead_time_days,
                    barcode.code if barcode else "",
                ]
            )
        return PRODUCT_COLUMNS, rows
    today = datetime.date.today().isoformat()
    included = "yes" if LIST_PRICES_INCLUDE_TAX else "no"
    return PRICE_COLUMNS, [[p.sku, p.list_price, today, "", included] for p in products]


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([[csv_safe(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")
