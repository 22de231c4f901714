"""Input forms of the planning pages."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.catalog.models import Product, ProductFamily
from salesops.core.bounded import DateFormField, DecimalFormField
from salesops.core.models import User
from salesops.planning.models import FORECAST_MODELS, PlanAcknowledgement, PlanningPolicy, WorkCentre
from salesops.planning.mps import POLICY_FIELDS
from salesops.planning.periods import add_months, month_start


def _next_month():
    return add_months(month_start(timezone.localdate()), 1)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class ForecastRunForm(forms.Form):
    first_period = MonthField(label=_("First forecast month"), initial=_next_month)
    history_source = forms.ChoiceField(label=_("Sales history"), choices=PlanningPolicy.HistorySource.choices)
    model = forms.ChoiceField(label=_("Model"), choices=FORECAST_MODELS)


class OverrideForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    new_value = DecimalFormField(label=_("New value"), min_value=0, max_value=999999999, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class InputForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(active=True))
    period = MonthField(label=_("Month"))
    quantity = DecimalFormField(label=_("Quantity"), min_value=0, decimal_places=3)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=pgettext_lazy("meeting", "Decision"), max_length=500)
    family = forms.ModelChoiceField(label=_("Family"), queryset=ProductFamily.objects.all(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    due_date = DateFormField(
        label=pgettext_lazy("deadline", "Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"), initial=_next_month)


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    family = forms.ModelChoiceField(label=_("Family"), queryset=ProductFamily.objects.all(), required=False)
    first_period = MonthField(label=_("First month"), initial=_next_month)
    demand = forms.CharField(
        label=_("Demand per month"),
        required=False,
        help_text=_("Comma-separated; empty: the consensus forecast of the family for 6 months."),
    )
    initial_inventory = forms.FloatField(label=_("Initial inventory"), initial=0)
    initial_workforce = forms.FloatField(label=_("Initial workforce"), initial=10)
    final_inventory_min = forms.FloatField(label=_("Final inventory at least"), initial=0)
    allow_backlog = forms.BooleanField(label=_("Allow backlog"), required=False)
    days_per_period = forms.FloatField(label=_("Working days per month"), initial=22)
    hours_per_day = forms.FloatField(label=_("Hours per day"), initial=8)
    overtime_hours_max_per_worker = forms.FloatField(label=_("Overtime hours per worker at most"), initial=20)
    labour_hours_per_unit = forms.FloatField(label=_("Labour hours per unit"), initial=1.0)
    workforce_max = forms.FloatField(label=_("Workforce at most"), required=False)
    costs = forms.CharField(
        label=_("Costs (JSON)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=json.dumps(
            {
                "material": 10,
                "holding": 2,
                "backlog": 5,
                "hire": 300,
                "layoff": 500,
                "regular_hour": 4,
                "overtime_hour": 6,
                "subcontract": 30,
            }
        ),
    )

    def clean_demand(self):
        text = self.cleaned_data["demand"].strip()
        if not text:
            return []
        try:
            return [float(part) for part in text.replace("，", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Write numbers separated by commas.")) from None

    def clean_costs(self):
        try:
            value = json.loads(self.cleaned_data["costs"])
        except ValueError:
            raise forms.ValidationError(_("Write the costs as a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write the costs as a JSON object."))
        return value

    def inputs(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("name", "family", "first_period"):
            data.pop(key)
        if data.get("workforce_max") is None:
            data.pop("workforce_max", None)
        return data


class MpsChangeForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    new_quantity = DecimalFormField(label=_("New quantity"), min_value=0, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AckForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), choices=PlanAcknowledgement.Department.choices)


class ProductionReportForm(forms.Form):
    date = DateFormField(label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True, source=Product.Source.MAKE)
    )
    quantity = DecimalFormField(label=_("Quantity made"), min_value=0, decimal_places=3)


class PlanningPolicyForm(forms.ModelForm):
    class Meta:
        model = PlanningPolicy
        fields = POLICY_FIELDS


class WorkCentreForm(forms.ModelForm):
    class Meta:
        model = WorkCentre
        fields = ["code", "name", "hours_per_week"]
