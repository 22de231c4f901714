"""Forms of the performance pages; they only shape input, the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded
from salesops.core.models import OrgUnit, User
from salesops.core.selectors import company_date
from salesops.targets.kpis import kpi_choices
from salesops.targets.models import (
    CommissionRule,
    ExpenseType,
    Measure,
    PerformancePolicy,
    TargetPlan,
)
from salesops.targets.periods import parse_period

MONEY = {"max_digits": 14, "decimal_places": 2}
GROUP_CHOICES = [("rep", _("Sales rep")), ("team", _("Team")), ("region", _("Region"))]
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), stored as its first day."""

    widget = MONTH_INPUT
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not (2000 <= day.year <= 2100):
            raise forms.ValidationError(_("Choose a month between 2000 and 2100."))
        return day.replace(day=1) if day else day


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=20, help_text=_("2026-11, 2026-Q4, 2026-W48 or 2026"))
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES, required=False)

    def clean_period(self):
        from salesops.core.exceptions import ValidationFailed

        try:
            return parse_period(self.cleaned_data["period"])
        except ValidationFailed as error:
            raise forms.ValidationError(error.fields["period"][0]) from None


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    total = bounded.DecimalFormField(label=_("Annual target"), min_value=0.01, **MONEY)
    month_method = forms.ChoiceField(label=_("Split into months"), choices=TargetPlan.MonthMethod.choices)
    month_weights = forms.CharField(
        label=_("Month weights (by hand)"),
        required=False,
        max_length=400,
        help_text=_("Twelve numbers separated by commas, January first, e.g. percentages."),
    )
    org_method = forms.ChoiceField(
        label=_("Split down to reps"), choices=[("last_year", _("By last year's sales")), ("even", _("Evenly"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean_month_weights(self):
        text = self.cleaned_data.get("month_weights", "")
        return [part.strip() for part in text.replace("，", ",").split(",")] if text.strip() else []


class SplitRepForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Sales rep"), queryset=User.objects.none())
    by = forms.ChoiceField(label=_("Split by"), choices=[("customer", _("Customer")), ("family", _("Product family"))])
    method = forms.ChoiceField(
        label=_("Weights"), choices=[("last_year", _("By last year's sales")), ("even", _("Evenly"))]
    )

    def __init__(self, *args, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = User.objects.filter(pk__in=[rep.pk for rep in reps])


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PerformancePolicy
        fields = ["measure", "bad_debt_days"]
        widgets = {"measure": forms.Select(choices=Measure.choices)}


class WeightForm(forms.Form):
    kpi = forms.ChoiceField(label=_("KPI"), choices=())
    weight = bounded.DecimalFormField(label=_("Weight %"), min_value=0, max_value=100, max_digits=7, decimal_places=2)
    target_value = bounded.DecimalFormField(label=_("Full marks at"), min_value=0.01, **MONEY)
    cap_percent = bounded.DecimalFormField(
        label=_("Score capped at %"), initial=120, min_value=100, max_value=200, max_digits=7, decimal_places=2
    )
    position = forms.IntegerField(label=_("Order"), initial=10, min_value=0, max_value=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = kpi_choices()


class CommissionRuleForm(forms.ModelForm):
    class Meta:
        model = CommissionRule
        fields = ["name", "base", "family", "rate", "min_achievement", "max_achievement", "active"]


class RunForm(forms.Form):
    month = MonthField(label=_("Month"))


class ClaimForm(forms.Form):
    expense_type = forms.ModelChoiceField(label=_("Type"), queryset=ExpenseType.objects.filter(active=True))
    spent_on = forms.DateField(label=_("Spent on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = bounded.DecimalFormField(label=_("Amount"), min_value=0.01, max_value=9999999.99, **MONEY)
    description = forms.CharField(label=_("What for"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spent_on"].initial = company_date()


class BudgetForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none())
    rep = forms.ModelChoiceField(
        label=_("Sales rep (empty: the whole team)"), queryset=User.objects.none(), required=False
    )
    month = MonthField(label=_("Month"))
    expense_type = forms.ModelChoiceField(label=_("Type"), queryset=ExpenseType.objects.filter(active=True))
    amount = bounded.DecimalFormField(label=_("Budget"), min_value=0, **MONEY)

    def __init__(self, *args, teams=None, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else OrgUnit.objects.none()
        self.fields["rep"].queryset = User.objects.filter(pk__in=[rep.pk for rep in reps])


class ReviewForm(forms.Form):
    month = MonthField(label=_("Month reviewed"))
    unit = forms.ModelChoiceField(label=pgettext_lazy("org", "Unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        last = company_date().replace(day=1) - datetime.timedelta(days=1)
        self.fields["month"].initial = last.replace(day=1)


class ActionForm(forms.Form):
    issue = forms.CharField(label=pgettext_lazy("problem", "Issue"), max_length=300)
    action = forms.CharField(label=pgettext_lazy("corrective action", "Action"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    due_date = forms.DateField(label=pgettext_lazy("deadline", "Due"), widget=forms.DateInput(attrs={"type": "date"}))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=500)


class HoldForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary and issues"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
