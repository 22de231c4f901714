"""Forms of unit sales. They check types and ranges; the services check the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.credit.models import Receipt
from salesops.units.models import (
    Mortgage,
    Project,
    PurchaseContract,
    RequiredDocument,
    RoomType,
    Unit,
    UnitChange,
)

MONEY_FIELD = {
    "max_digits": 14,
    "decimal_places": 2,
    "min_value": Decimal("0.01"),
    "max_value": Decimal("999999999.99"),
}
INSTALMENT_ROWS = 6


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            return (
                timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
                if timezone.is_aware(value)
                else value.strftime("%Y-%m-%dT%H:%M")
            )
        return value


def money_field(label, **extra) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}), **MONEY_FIELD, **extra
    )


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "city",
            "address",
            "team",
            "hold_hours",
            "sign_within_days",
            "deposit_amount",
            "forfeit_percent",
            "contract_penalty_percent",
            "active",
        ]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class BuildingForm(forms.Form):
    code = forms.CharField(max_length=20, label=_("Code"))
    name = forms.CharField(max_length=100, label=_("Name"))
    floors = forms.IntegerField(min_value=1, max_value=200, label=_("Floors"))
    units_per_floor = forms.IntegerField(min_value=1, max_value=99, label=_("Units per floor"))
    kind = forms.ChoiceField(choices=Unit.Kind.choices, label=_("Kind"))
    layout = forms.CharField(max_length=40, required=False, label=_("Layout"))
    orientation = forms.ChoiceField(
        choices=[("", "—"), *Unit.Orientation.choices], required=False, label=_("Orientation")
    )
    area = forms.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("99999.99"), decimal_places=2, label=_("Floor area (m²)")
    )
    price_per_m2 = money_field(_("Price per m² on the first floor"))
    floor_premium = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("99999.99"),
        decimal_places=2,
        initial=Decimal("0"),
        label=_("Added per m² for each floor up"),
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "layout", "area", "orientation"]


class HoldForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"))
    deposit_amount = money_field(_("Deposit"), required=False, help_text=_("Empty: the project's standard deposit."))
    waitlist = forms.BooleanField(required=False, initial=True, label=_("Join the waitlist if someone else is faster"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class WaitlistForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None, label=_("Customer"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


class PaymentForm(forms.Form):
    amount = money_field(_("Amount"))
    received_on = forms.DateField(widget=DateInput, label=_("Received on"))
    method = forms.ChoiceField(choices=Receipt.Method.choices, label=_("Method"))
    bank_reference = forms.CharField(max_length=100, required=False, label=_("Bank reference"))


class ContractForm(forms.Form):
    """The terms and up to six instalments (instalment_<n>_due / instalment_<n>_amount)."""

    method = forms.ChoiceField(choices=PurchaseContract.Method.choices, label=_("Payment method"))
    price = money_field(_("Contract price"))
    down_payment = money_field(_("Down payment (including the deposit)"))
    loan_amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False, label=_("Loan amount")
    )
    bank = forms.CharField(max_length=100, required=False, label=_("Mortgage bank"))
    loan_years = forms.IntegerField(min_value=1, max_value=30, required=False, label=_("Loan term (years)"))
    loan_expected_on = forms.DateField(widget=DateInput, required=False, label=_("Loan expected by"))
    special_discount = forms.CharField(max_length=200, required=False, label=_("Special discount"))

    def __init__(self, *args, writable: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(1, INSTALMENT_ROWS + 1):
            self.fields[f"instalment_{index}_due"] = forms.DateField(
                widget=DateInput, required=False, label=_("Instalment %(n)d due") % {"n": index}
            )
            self.fields[f"instalment_{index}_amount"] = forms.DecimalField(
                max_digits=14,
                decimal_places=2,
                min_value=Decimal("0.01"),
                required=False,
                label=_("Instalment %(n)d amount") % {"n": index},
            )
        for name in ("price", "special_discount"):
            if writable is not None and name not in writable:
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        for index in range(1, INSTALMENT_ROWS + 1):
            due, amount = data.get(f"instalment_{index}_due"), data.get(f"instalment_{index}_amount")
            if bool(due) != bool(amount):
                self.add_error(f"instalment_{index}_due", _("Give both the date and the amount."))
        return data

    def terms(self) -> tuple[dict, list[dict]]:
        data = dict(self.cleaned_data)
        instalments = []
        for index in range(1, INSTALMENT_ROWS + 1):
            due, amount = data.pop(f"instalment_{index}_due", None), data.pop(f"instalment_{index}_amount", None)
            if due and amount:
                instalments.append({"due_date": due, "amount": amount})
        data["loan_amount"] = data.get("loan_amount") or Decimal("0.00")
        for name in ("price", "special_discount"):
            if self.fields[name].disabled:
                data.pop(name, None)
        return data, instalments


class ReviewForm(forms.Form):
    check_customer = forms.BooleanField(
        required=False, label=PurchaseContract._meta.get_field("check_customer").verbose_name
    )
    check_discount = forms.BooleanField(
        required=False, label=PurchaseContract._meta.get_field("check_discount").verbose_name
    )
    check_amounts = forms.BooleanField(
        required=False, label=PurchaseContract._meta.get_field("check_amounts").verbose_name
    )
    check_loan_date = forms.BooleanField(
        required=False, label=PurchaseContract._meta.get_field("check_loan_date").verbose_name
    )
    check_deposit_receipt = forms.BooleanField(
        required=False, label=PurchaseContract._meta.get_field("check_deposit_receipt").verbose_name
    )
    note = forms.CharField(max_length=300, required=False, label=_("Comment"))


class MortgageForm(forms.Form):
    stage = forms.ChoiceField(
        choices=[(value, label) for value, label in Mortgage.Stage.choices if value != Mortgage.Stage.FUNDS_ARRIVED],
        label=_("Stage"),
    )
    on = forms.DateField(widget=DateInput, label=_("Date"))
    approved_amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), required=False, label=_("Approved amount")
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=UnitChange.Kind.choices, label=_("What changes"))
    reason = forms.ChoiceField(choices=UnitChange.Reason.choices, label=_("Reason"))
    target_unit = forms.ModelChoiceField(queryset=None, required=False, label=_("New unit (for a change of unit)"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False, label=_("Explanation")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_unit"].queryset = units


class RefundPayForm(forms.Form):
    paid_on = forms.DateField(widget=DateInput, label=_("Paid on"))
    method = forms.ChoiceField(choices=Receipt.Method.choices, label=_("Method"))
    reference = forms.CharField(max_length=100, required=False, label=_("Bank reference"))


class FileItemForm(forms.Form):
    document = forms.ModelChoiceField(
        queryset=RequiredDocument.objects.filter(active=True), label=pgettext_lazy("paper file", "Document")
    )
    received_on = forms.DateField(widget=DateInput, label=_("Received on"))
    copies = forms.IntegerField(min_value=1, max_value=20, initial=1, label=_("Copies"))
    note = forms.CharField(max_length=200, required=False, label=_("Note"))


class FileLoanForm(forms.Form):
    borrower = forms.ModelChoiceField(queryset=None, label=_("Borrower"))
    purpose = forms.CharField(max_length=200, label=pgettext_lazy("loan", "Purpose"))
    due_back = forms.DateField(widget=DateInput, label=_("Due back"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = people


class BookingForm(forms.Form):
    room_type = forms.ModelChoiceField(queryset=None, label=_("Room type"))
    customer = forms.ModelChoiceField(queryset=None, label=_("Guest"))
    arrival = forms.DateTimeField(
        widget=DateTimeInput, label=_("Arrival"), help_text=_("Hotels: the date counts; KTV: the hour.")
    )
    length = forms.IntegerField(min_value=1, max_value=30, initial=1, label=_("Nights or hours"))
    guests = forms.IntegerField(min_value=1, max_value=50, initial=1, label=_("Guests"))
    block = forms.ModelChoiceField(queryset=None, required=False, label=_("Group"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, room_types=None, customers=None, blocks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = room_types
        self.fields["customer"].queryset = customers
        self.fields["block"].queryset = blocks

    def arrival_for(self, room_type: RoomType):
        arrival = self.cleaned_data["arrival"]
        return timezone.localtime(arrival).date() if room_type.per == RoomType.Per.NIGHT else arrival


class BlockForm(forms.Form):
    room_type = forms.ModelChoiceField(queryset=None, label=_("Room type"))
    customer = forms.ModelChoiceField(queryset=None, label=_("Group"))
    arrival = forms.DateTimeField(widget=DateTimeInput, label=_("Arrival"))
    length = forms.IntegerField(min_value=1, max_value=30, initial=1, label=_("Nights or hours"))
    rooms = forms.IntegerField(min_value=1, max_value=500, label=_("Rooms"))
    release_at = forms.DateTimeField(widget=DateTimeInput, label=_("Release unused rooms at"))

    def __init__(self, *args, room_types=None, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = room_types
        self.fields["customer"].queryset = customers


class WalkForm(forms.Form):
    walked_to = forms.CharField(max_length=200, label=_("Moved to"))
