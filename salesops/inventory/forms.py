from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from salesops.catalog.forms import LinesFormMixin
from salesops.catalog.models import ProductFamily
from salesops.core.bounded import DateFormField, DecimalFormField
from salesops.inventory.models import Supplier, Warehouse

DATE = forms.DateInput(attrs={"type": "date"})
LINES_HELP = gettext_lazy("One product per line: SKU and quantity, e.g. “FL-001 120”.")


def _warehouses(kind=None):
    qs = Warehouse.objects.filter(active=True)
    return qs.filter(kind=kind) if kind else qs


class PurchaseOrderForm(LinesFormMixin, forms.Form):
    required_css_class = "required"
    line_columns = 3
    supplier = forms.ModelChoiceField(label=gettext_lazy("Supplier"), queryset=Supplier.objects.filter(active=True))
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Receiving warehouse"), queryset=_warehouses())
    expected_date = DateFormField(label=gettext_lazy("Expected date"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    lines = forms.CharField(
        label=gettext_lazy("Lines"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One product per line: SKU, quantity and unit cost, e.g. “RM-WHEAT 20000 2.85”; "
            "without a cost, the supplier's price or the standard cost."
        ),
    )


class StockDocumentForm(LinesFormMixin, forms.Form):
    required_css_class = "required"
    line_columns = 3
    kind = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=[("production", gettext_lazy("Production receipt")), ("adjustment", gettext_lazy("Adjustment"))],
    )
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=_warehouses())
    note = forms.CharField(label=gettext_lazy("Note / reason"), max_length=300, required=False)
    lines = forms.CharField(
        label=gettext_lazy("Lines"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("SKU and quantity per line; for an adjustment a negative quantity takes stock out."),
    )
    signed = True


class TransferForm(LinesFormMixin, forms.Form):
    required_css_class = "required"
    source = forms.ModelChoiceField(label=pgettext_lazy("transfer", "From"), queryset=_warehouses())
    destination = forms.ModelChoiceField(label=pgettext_lazy("transfer", "To"), queryset=_warehouses())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    lines = forms.CharField(label=gettext_lazy("Lines"), widget=forms.Textarea(attrs={"rows": 8}), help_text=LINES_HELP)


class ReplenishmentForm(LinesFormMixin, forms.Form):
    required_css_class = "required"
    store = forms.ModelChoiceField(label=gettext_lazy("Store"), queryset=_warehouses(Warehouse.Kind.STORE))
    source = forms.ModelChoiceField(label=gettext_lazy("Distribution centre"), queryset=_warehouses())
    lines = forms.CharField(label=gettext_lazy("Lines"), widget=forms.Textarea(attrs={"rows": 8}), help_text=LINES_HELP)


class StocktakeForm(forms.Form):
    required_css_class = "required"
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=_warehouses())
    family = forms.ModelChoiceField(
        label=gettext_lazy("Only this product family"), required=False, queryset=ProductFamily.objects.all()
    )
    approval_threshold = DecimalFormField(
        label=gettext_lazy("Approval above (variance value)"), initial=1000, min_value=0
    )


class CountImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Count sheet (.xlsx or .csv with columns sku, counted)"))


class SupplierForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Supplier
        fields = ["code", "name", "contact", "phone", "email", "lead_time_days", "receipt_tolerance_pct"]
