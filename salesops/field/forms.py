"""Forms of the field pages: they parse input; the services validate and save."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from salesops.core.selectors import company_date
from salesops.crm.models import Customer
from salesops.field.models import FieldCheckCriterion, OutletApplication

PERIODS = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]
GROUPS = [("rep", _("Rep")), ("team", _("Team"))]


class FiguresForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPS, initial="rep")
    period = forms.ChoiceField(label=_("Per"), choices=PERIODS, initial="week")

    @classmethod
    def defaults(cls) -> dict:
        today = company_date()
        return {"date_from": today - datetime.timedelta(days=27), "date_to": today, "group_by": "rep", "period": "week"}

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end comes before the start."))
            elif (end - start).days > 366:
                self.add_error("date_to", _("Choose at most a year."))
        return data


class PlanForm(forms.Form):
    reps = forms.ModelMultipleChoiceField(label=_("Reps"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reps"].queryset = reps


class MoveForm(forms.Form):
    stop = forms.IntegerField(min_value=1)
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=56)


class PublishForm(forms.Form):
    starts_on = forms.DateField(label=_("T1 falls on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if value.weekday() != 0:
            raise forms.ValidationError(_("A cycle starts on a Monday."))
        if abs((value - company_date()).days) > 366:
            raise forms.ValidationError(_("Choose a date within a year."))
        return value


class OutletApplicationForm(forms.ModelForm):
    class Meta:
        model = OutletApplication
        fields = [
            "name",
            "channel",
            "grade",
            "address",
            "city",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "reason",
        ]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):  # the service validates and saves
        pass


class FieldCheckForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldCheckCriterion.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.ModelChoiceField(label=_("Outlet"), queryset=None, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reps=None, customers=None, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["customer"].queryset = customers if customers is not None else Customer.objects.none()
        self.fields["date"].initial = company_date()
        self.criteria = list(FieldCheckCriterion.objects.filter(active=True).order_by("kind", "position"))
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.get_kind_display()} · {criterion.name}",
                choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
                coerce=int,
                required=False,
            )

    def scores(self) -> dict:
        kind = self.cleaned_data.get("kind")
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria if c.kind == kind}
