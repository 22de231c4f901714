from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.catalog.models import PriceList, Product, ProductFamily
from salesops.core.bounded import DateFormField, DecimalFormField


class ProductForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Product
        fields = [
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
            "active",
            "source",
            "lead_time_days",
            "lot_rule",
            "lot_qty",
            "safety_stock",
            "quantity_decimals",
            "order_multiple",
            "min_order_qty",
            "yield_pct",
            "lot_tracked",
            "shelf_life_days",
            "expiry_warning_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every product belongs to a family, chosen by the person (the model's "Unassigned"
        # default is for products made by code, never preselected here).
        family = self.fields["family"]
        family.required = True
        family.show_hidden_initial = False
        family.initial = None
        family.error_messages["required"] = _("Every product belongs to a family: choose one.")


class FamilyForm(forms.Form):
    required_css_class = "required"
    code = forms.CharField(label=gettext_lazy("Code"), max_length=30)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)
    parent = forms.ModelChoiceField(label=gettext_lazy("Parent"), queryset=ProductFamily.objects.all(), required=False)


class BarcodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Barcode (EAN-13)"), max_length=13)


class PackagingForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Pack name"), max_length=20)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=20, required=False)
    factor = DecimalFormField(label=gettext_lazy("Base units per pack"), min_value=Decimal("0.001"))


class BomLineForm(forms.Form):
    component = forms.CharField(label=gettext_lazy("Component SKU"), max_length=40)
    quantity = DecimalFormField(label=gettext_lazy("Quantity per parent"), min_value=Decimal("0.0001"))
    scrap_pct = DecimalFormField(label=gettext_lazy("Scrap %"), min_value=0, initial=0)
    valid_from = DateFormField(label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = DateFormField(
        label=gettext_lazy("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_component(self):
        try:
            return Product.objects.get(sku=self.cleaned_data["component"].strip())
        except Product.DoesNotExist:
            raise forms.ValidationError(_("No product with this SKU."))


def parse_lines(text: str, *, columns: int, signed: bool = False) -> tuple[list[tuple], list[str]]:
    """Lines pasted or typed as "SKU quantity [number]" (spaces, tabs or commas). Returns
    ([(product, Decimal, …)], errors naming the line)."""
    rows, errors, raw = [], [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        if len(parts) < 2 or len(parts) > columns:
            errors.append(_("Line %(n)d: write the SKU and a quantity.") % {"n": number})
            continue
        try:
            values = [Decimal(p) for p in parts[1:]]
        except InvalidOperation:
            errors.append(_("Line %(n)d: “%(text)s” is not a number.") % {"n": number, "text": " ".join(parts[1:])})
            continue
        if not signed and values[0] <= 0:
            errors.append(_("Line %(n)d: the quantity must be greater than zero.") % {"n": number})
            continue
        raw.append((number, parts[0], values))
    products = {p.sku: p for p in Product.objects.filter(sku__in=[sku for _n, sku, _v in raw])}
    for number, sku, values in raw:
        if sku not in products:
            errors.append(_("Line %(n)d: no product with SKU %(sku)s.") % {"n": number, "sku": sku})
            continue
        rows.append((products[sku], *values))
    if not rows and not errors:
        errors.append(_("List at least one product."))
    return rows, errors


class LinesFormMixin:
    line_columns = 2
    signed = False

    def clean_lines(self):
        rows, errors = parse_lines(self.cleaned_data["lines"], columns=self.line_columns, signed=self.signed)
        if errors:
            raise forms.ValidationError(errors)
        return rows


class PriceChangeForm(LinesFormMixin, forms.Form):
    required_css_class = "required"
    price_list = forms.ModelChoiceField(
        label=gettext_lazy("Price list"),
        queryset=PriceList.objects.all(),
        required=False,
        empty_label=gettext_lazy("List price of the products"),
    )
    effective_date = DateFormField(label=gettext_lazy("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    lines = forms.CharField(
        label=gettext_lazy("New prices"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One product per line: SKU and new price, e.g. “FL-001 45.50”."),
    )


class PriceListForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = PriceList
        fields = ["code", "name", "channel", "is_default", "prices_include_tax", "valid_from", "valid_to", "currency"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[("products", gettext_lazy("Products")), ("prices", gettext_lazy("Prices"))],
    )
    file = forms.FileField(label=gettext_lazy("Excel (.xlsx) or CSV file"))
