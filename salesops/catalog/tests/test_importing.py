import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from salesops.catalog import importing, services
from salesops.catalog.models import ImportBatch, PriceChange, Product
from salesops.core.exceptions import ValidationFailed
from salesops.inventory.tests.factories import make_product

pytestmark = pytest.mark.django_db

HEADER = "sku,name,name_en,spec,spec_en,unit,family,cost,list_price,tax_rate,source,lead_time_days,barcode\n"


def csv_file(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


GOOD = "FL-001,高筋面粉,Bread flour,25kg,25 kg,袋,FLOUR,80,110,9,buy,7,6901234567892"
GOOD2 = "FL-002,低筋面粉,Cake flour,25kg,25 kg,袋,FLOUR,75,100,9,buy,7,"
BAD = "FL-003,,No name,,,袋,NOFAMILY,abc,100,9,sell,7,6901234567891"
NO_FAMILY = "FL-004,无分类面粉,Flour,25kg,25 kg,袋,,75,100,9,buy,7,"


@pytest.fixture(autouse=True)
def flour_family(db):
    return services.family_create(code="FLOUR", name="面粉", name_en="Flour")


def test_a_row_without_a_family_is_refused_on_its_field(org):
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD, NO_FAMILY), actor=org["purchasing"]
    )
    assert batch.rows[0]["errors"] == []
    assert len(batch.rows[1]["errors"]) == 1 and "family" in str(batch.rows[1]["errors"][0])
    with pytest.raises(ValidationFailed):
        importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    assert Product.objects.count() == 0


def test_a_file_with_a_bad_row_imports_nothing(org):
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD, BAD, GOOD2), actor=org["purchasing"]
    )
    assert [len(r["errors"]) for r in batch.rows] == [0, 5, 0]
    assert batch.rows[1]["line"] == 3
    with pytest.raises(ValidationFailed) as error:
        importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    assert error.value.code == "import_has_errors"
    assert Product.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_only_the_good_rows_when_asked_explicitly(org):
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD, BAD, GOOD2), actor=org["purchasing"]
    )
    batch = importing.import_batch_commit(batch=batch, actor=org["purchasing"], only_good_rows=True)
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["FL-001", "FL-002"]
    assert batch.status == ImportBatch.Status.PARTIAL
    assert batch.result == {"created": 2, "updated": 0}
    product = Product.objects.get(sku="FL-001")
    assert product.status == Product.Status.DRAFT  # imported products still need approval
    assert product.list_price == Decimal("110") and product.barcodes.get().code == "6901234567892"
    with pytest.raises(ValidationFailed):
        importing.import_batch_commit(batch=batch, actor=org["purchasing"], only_good_rows=True)


def test_a_failure_in_the_middle_rolls_back_the_whole_file(org, monkeypatch):
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD, GOOD2), actor=org["purchasing"]
    )
    real = services.product_create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["sku"])
        if len(calls) == 2:
            raise ValidationFailed("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "product_create", failing)
    with pytest.raises(ValidationFailed):
        importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    assert Product.objects.count() == 0


def test_duplicate_skus_in_a_file_are_errors(org):
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD, GOOD), actor=org["purchasing"]
    )
    assert batch.rows[1]["errors"] and not batch.rows[0]["errors"]


def test_existing_products_are_updated(org):
    make_product("FL-001", name="旧名")
    batch = importing.import_batch_create(
        kind="products", filename="p.csv", content=csv_file(GOOD), actor=org["purchasing"]
    )
    importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    assert Product.objects.get(sku="FL-001").name == "高筋面粉"


def test_excel_export_reads_back_as_an_import(org):
    make_product("FL-001", name="高筋面粉", list_price=Decimal("110"))
    headers, rows = importing.export_rows("products", Product.objects.all())
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = importing.import_batch_create(
        kind="products", filename="export.xlsx", content=buffer.getvalue(), actor=org["purchasing"]
    )
    assert batch.bad_rows == []
    assert batch.rows[0]["data"]["sku"] == "FL-001" and batch.rows[0]["data"]["list_price"] == "110"


def test_price_file_becomes_a_draft_price_change(org):
    make_product("FL-001", list_price=Decimal("110"))
    content = b"sku,price,effective_date,price_list\nFL-001,115,2026-12-01,\n"
    batch = importing.import_batch_create(
        kind="prices", filename="prices.csv", content=content, actor=org["purchasing"]
    )
    importing.import_batch_commit(batch=batch, actor=org["purchasing"])
    change = PriceChange.objects.get()
    assert change.status == "draft"
    assert change.lines.get().new_price == Decimal("115")
    assert Product.objects.get().list_price == Decimal("110")


def test_bad_price_rows_are_reported_per_row(org):
    make_product("FL-001")
    content = b"sku,price,effective_date,price_list\nFL-001,x,2026-13-01,NOPE\nNOSKU,1,2026-12-01,\n"
    batch = importing.import_batch_create(
        kind="prices", filename="prices.csv", content=content, actor=org["purchasing"]
    )
    assert len(batch.rows[0]["errors"]) == 3 and len(batch.rows[1]["errors"]) == 1


def test_import_pages_preview_and_refuse_a_bad_file(org, client):
    client.force_login(org["purchasing"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", csv_file(GOOD, BAD), content_type="text/csv")
    response = client.post("/products/import/", {"kind": "products", "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and "FL-003" in preview.content.decode()
    batch = ImportBatch.objects.get()
    client.post(f"/products/import/{batch.pk}/commit/")
    assert Product.objects.count() == 0
    client.post(f"/products/import/{batch.pk}/commit/", {"only_good_rows": "yes"})
    assert list(Product.objects.values_list("sku", flat=True)) == ["FL-001"]


def test_export_hides_costs_from_reps(org, client):
    make_product("FL-001", cost=Decimal("80"))
    client.force_login(org["rep1"])
    response = client.get("/products/export/products.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "cost" not in [c.value for c in sheet[1]]
