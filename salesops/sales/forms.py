from decimal import Decimal

from django import forms
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from salesops.catalog.models import Product
from salesops.catalog.selectors import sellable_product_list_for_user
from salesops.core import formatting
from salesops.core.bounded import DateFormField, DecimalFormField
from salesops.core.selectors import company_date
from salesops.credit.models import Receipt
from salesops.crm.models import Stage
from salesops.crm.selectors import customer_list_for_user, opportunity_list_for_user
from salesops.inventory.models import Lot, LotBalance, LotReservation, Warehouse
from salesops.sales.models import Quote, SalesOrder, SalesReturn
from salesops.sales.selectors import quote_list_for_user


class HeaderForm(forms.Form):
    required_css_class = "required"
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customer_list_for_user(user=user).order_by("name")


class OrderEditForm(forms.Form):
    """The header of an order that can change while it is a draft (the customer cannot).
    `payment_terms_days`: the customer's payment terms, shown next to the payment choice
    (None: no credit terms; `customer_known` says whether a customer is chosen at all)."""

    required_css_class = "required"
    payment = forms.ChoiceField(choices=SalesOrder.Payment.choices, label=_("Payment"))
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(active=True), required=False, label=_("Warehouse")
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note"))

    def __init__(self, *args, user=None, payment_terms_days=None, customer_known=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.payment_terms_days = payment_terms_days
        self.customer_known = customer_known


class OrderForm(HeaderForm, OrderEditForm):
    """A new order. Choosing the customer fetches the header's defaults for them (htmx: the
    payment with the customer's terms, the warehouse; see `sales.defaults`)."""

    field_order = ["customer", "payment", "warehouse", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("sales-order-defaults"),
                "hx-trigger": "change",
                "hx-target": "#order-defaults",
                "hx-swap": "innerHTML",
            }
        )


class QuoteEditForm(forms.Form):
    """The header of a quote that can change while it is a draft or returned (not its customer)."""

    valid_until = DateFormField(required=False, label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class QuoteForm(HeaderForm, QuoteEditForm):
    field_order = ["customer", "opportunity", "valid_until", "note"]
    opportunity = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Opportunity"),
        help_text=_("The quote answers this opportunity, which moves on to the quote stage."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["opportunity"].queryset = (
            opportunity_list_for_user(user=user).filter(stage__outcome=Stage.Outcome.OPEN).order_by("-pk")
        )


class ContractForm(HeaderForm):
    quote = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Quote"), help_text=_("The quote this contract puts into force.")
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    start_date = DateFormField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = DateFormField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))
    payment_terms_days = forms.IntegerField(min_value=0, max_value=365, initial=30, label=_("Payment terms (days)"))
    terms = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Additional terms"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["quote"].queryset = quote_list_for_user(user=user).filter(
            status__in=[Quote.Status.APPROVED, Quote.Status.ACCEPTED]
        )


class LineForm(forms.Form):
    """A line of a quote, contract or order. The product picker offers what `user` may sell
    (approved, active and priced: never raw materials or packaging)."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(active=True, status=Product.Status.APPROVED),
        required=False,
        label=_("Product"),
    )
    quantity = DecimalFormField(required=False, label=_("Quantity"), max_digits=16, decimal_places=3)
    unit_price = DecimalFormField(
        required=False,
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty: the price-list price."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["product"].queryset = sellable_product_list_for_user(user=user).order_by("sku")

    def clean(self):
        data = super().clean()
        product, quantity, price = data.get("product"), data.get("quantity"), data.get("unit_price")
        if product is None:
            if (quantity is not None or price is not None) and "product" not in self.errors:
                self.add_error("product", _("Choose a product for this line."))
            return data
        if quantity is None:
            if "quantity" not in self.errors:
                self.add_error("quantity", _("Enter a quantity."))
        elif quantity <= 0:
            self.add_error("quantity", _("The quantity must be greater than zero."))
        if price is not None and price < 0:
            self.add_error("unit_price", _("The price cannot be negative."))
        return data


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot):
        parts = [lot.code, lot.product.sku]
        if lot.discount_pct:
            parts.append(f"−{lot.discount_pct.normalize():f}%")
        if getattr(lot, "free", None) is not None:
            parts.append(str(_("%(quantity)s free") % {"quantity": formatting.quantity(lot.free, lot.product)}))
        if lot.expiry_date:
            parts.append(str(_("expires %(date)s") % {"date": lot.expiry_date.isoformat()}))
        return " · ".join(parts)


QUANTITY = DecimalField(max_digits=16, decimal_places=3)


def _lot_total(model, field: str) -> Coalesce:
    """Per lot: the sum of `field` of its `model` rows in active warehouses."""
    rows = model.objects.filter(lot=OuterRef("pk"), warehouse__active=True).values("lot").annotate(total=Sum(field))
    return Coalesce(Subquery(rows.values("total"), output_field=QUANTITY), Decimal("0"), output_field=QUANTITY)


def clearance_lots(*, include=()):
    """The lots an order line may be sold from on the order page, each with `free` (what it
    holds in active warehouses less what it reserved for orders): clearance lots (a discount
    set on them) that have not expired, of sellable products, with goods free; and the lots of
    `include` (the lines' own, as the order has them)."""
    today = company_date()
    offered = Q(discount_pct__gt=0, product__active=True, product__status=Product.Status.APPROVED) & (
        Q(expiry_date__isnull=True) | Q(expiry_date__gte=today)
    )
    return (
        Lot.objects.annotate(free=_lot_total(LotBalance, "on_hand") - _lot_total(LotReservation, "quantity"))
        .filter((offered & Q(free__gt=0)) | Q(pk__in=list(include)))
        .select_related("product")
        .order_by("expiry_date", "code")
    )


class OrderLineForm(LineForm):
    """An order line may be sold from a clearance lot: choosing the lot chooses its product
    (when none is chosen) and, with the price left empty, the lot's clearance price. The
    order service checks the lot against the order's warehouse and the day."""

    lot = LotChoiceField(
        queryset=Lot.objects.none(),
        required=False,
        label=_("Clearance lot"),
        help_text=_("Sell this line from a discounted lot: the price is the lot's clearance price."),
    )

    def __init__(self, *args, lot_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = clearance_lots(include=lot_ids)

    def clean(self):
        lot = self.cleaned_data.get("lot")
        if lot is not None and self.cleaned_data.get("product") is None and "product" not in self.errors:
            self.cleaned_data["product"] = lot.product
        data = super().clean()
        product = data.get("product")
        if lot is not None and product is not None and lot.product_id != product.pk:
            self.add_error("lot", _("Lot %(lot)s is a lot of %(product)s.") % {"lot": lot.code, "product": lot.product})
        return data


LineFormSet = forms.formset_factory(LineForm, extra=5)
OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=5)


def line_initial(lines) -> list[dict]:
    """Initial values of the line forms for an existing document's lines."""
    return [
        {
            "product": line.product_id,
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": line.unit_price,
            **({"lot": line.lot_id} if getattr(line, "lot_id", None) else {}),
        }
        for line in lines
    ]


def lines_from(formset) -> list[dict]:
    return [
        {
            "product": f.cleaned_data["product"],
            "quantity": f.cleaned_data.get("quantity"),
            "unit_price": f.cleaned_data.get("unit_price"),
            **({"lot": f.cleaned_data["lot"]} if f.cleaned_data.get("lot") else {}),
        }
        for f in formset.forms
        if f.cleaned_data.get("product")
    ]


class ContractChangeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason for the change"))
    new_end_date = DateFormField(
        required=False, label=_("New end date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    new_total = DecimalFormField(required=False, max_digits=14, decimal_places=2, label=_("New contract value"))
    additional_terms = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Additional terms")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    kind = forms.ChoiceField(choices=SalesReturn.Kind.choices, label=_("Kind"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))


class OrderSubmitForm(forms.Form):
    """Submitting a draft order. A credit order may state what the customer is expected to pay
    in advance (information for finance: the order then waits for that money when it is over
    the limit); a cash order may record the money taken with it."""

    expected_prepayment = DecimalFormField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        label=_("Expected prepayment"),
        help_text=_(
            "For a credit order above the limit: the customer pays the excess in advance and the order waits "
            "until finance confirms the money."
        ),
    )
    method = forms.ChoiceField(
        required=False,
        choices=[("", _("Not paid yet: the order waits for the payment"))] + list(Receipt.Method.choices),
        label=_("Paid with the order"),
    )
    received_on = forms.DateField(
        required=False, label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    bank_reference = forms.CharField(required=False, max_length=100, label=_("Bank reference"))

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        if order.payment == SalesOrder.Payment.CASH:
            del self.fields["expected_prepayment"]
        else:
            for name in ("method", "received_on", "bank_reference"):
                del self.fields[name]

    def submit_values(self) -> dict:
        data = self.cleaned_data
        if "expected_prepayment" in self.fields:
            return {"expected_prepayment": data.get("expected_prepayment")}
        if not data.get("method"):
            return {}
        payment = {"method": data["method"], "bank_reference": data.get("bank_reference", "")}
        if data.get("received_on"):
            payment["received_on"] = data["received_on"]
        return {"payment": payment}
