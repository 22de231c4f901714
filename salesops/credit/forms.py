from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.bounded import DateFormField, DecimalFormField
from salesops.credit.models import CreditFile, Receipt


class DateInput(forms.DateInput):
    input_type = "date"


class CreditFileOpenForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"))
    grade = forms.ChoiceField(choices=CreditFile.Grade.choices, initial=CreditFile.Grade.B, label=_("Credit grade"))
    payment_terms_days = forms.IntegerField(min_value=0, max_value=365, initial=30, label=_("Payment terms (days)"))
    overdue_grace_days = forms.IntegerField(min_value=0, max_value=90, initial=0, label=_("Overdue grace (days)"))
    requested_limit = DecimalFormField(
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        required=False,
        label=_("Requested limit"),
        help_text=_("Goes to approval: finance, then the general manager."),
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Reason"))

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class CreditFileEditForm(forms.Form):
    grade = forms.ChoiceField(choices=CreditFile.Grade.choices, label=_("Credit grade"))
    overdue_grace_days = forms.IntegerField(min_value=0, max_value=90, label=_("Overdue grace (days)"))
    review_due = DateFormField(widget=DateInput, required=False, label=_("Next review due"))
    active = forms.BooleanField(required=False, label=_("Credit allowed"))


class CreditReviewForm(forms.Form):
    business_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Business situation"))
    financial_situation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Financial situation"))
    grade = forms.ChoiceField(choices=CreditFile.Grade.choices, label=_("Credit grade"))
    conclusion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Conclusion"))
    requested_limit = DecimalFormField(
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        required=False,
        label=_("Proposed limit"),
        help_text=_("Leave empty to keep the limit; a different limit goes to approval."),
    )
    requested_terms_days = forms.IntegerField(
        min_value=0, max_value=365, required=False, label=_("Proposed payment terms (days)")
    )


class LimitRequestForm(forms.Form):
    requested_limit = DecimalFormField(
        min_value=Decimal("0"), max_digits=14, decimal_places=2, label=_("Requested limit")
    )
    requested_terms_days = forms.IntegerField(min_value=0, max_value=365, label=_("Payment terms (days)"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))


class ReceiptForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"))
    amount = DecimalFormField(
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        label=_("Amount"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    received_on = DateFormField(widget=DateInput, label=_("Received on"))
    method = forms.ChoiceField(choices=Receipt.Method.choices, label=_("Method"))
    bank_reference = forms.CharField(max_length=100, required=False, label=_("Bank reference"))
    order = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("For order"),
        help_text=_("Money paid for one order (a cash sale, a prepayment) pays only that order's invoices."),
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, customers=None, orders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = order_label
        self.fields["received_on"].initial = timezone.localdate()


def order_label(order) -> str:
    return f"{order.number} · {order.customer.name} · {order.total:,.2f} ({order.get_status_display()})"


class ReceiptReverseForm(forms.Form):
    reversed_on = forms.DateField(widget=DateInput, label=_("Reversed on"))
    reason = forms.CharField(max_length=250, label=_("Reason"), help_text=_("For example: cheque returned unpaid."))


class StatementConfirmForm(forms.Form):
    confirmed_on = DateFormField(widget=DateInput, required=False, label=_("Confirmed on"))
    signed_copy = forms.FileField(required=False, label=_("Signed copy"))
    disputed = forms.BooleanField(required=False, label=_("The customer disputes the balance"))
    customer_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Customer's remark")
    )


class MonthForm(forms.Form):
    month = DateFormField(
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        label=_("Month"),
    )
    send_email = forms.BooleanField(required=False, label=_("Send each statement by e-mail"))


class ReconciliationSignForm(forms.Form):
    rep_balance = DecimalFormField(max_digits=14, decimal_places=2, label=_("Balance by my records"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Explanation of differences")
    )


class PeriodForm(forms.Form):
    date_from = DateFormField(widget=DateInput, label=_("From"))
    date_to = DateFormField(widget=DateInput, label=_("To"))


class DateRangeFilterForm(forms.Form):
    """The date filter of a finance list (?date_from=…&date_to=…): either end may stay empty;
    a date that does not parse is ignored, never an error page."""

    date_from = DateFormField(widget=DateInput, label=_("From"), required=False)
    date_to = DateFormField(widget=DateInput, label=_("To"), required=False)

    def filter(self, queryset, field: str):
        if not self.is_valid():
            return queryset
        if self.cleaned_data.get("date_from"):
            queryset = queryset.filter(**{f"{field}__gte": self.cleaned_data["date_from"]})
        if self.cleaned_data.get("date_to"):
            queryset = queryset.filter(**{f"{field}__lte": self.cleaned_data["date_to"]})
        return queryset

    @property
    def active(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
