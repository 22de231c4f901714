import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesops.core.bounded import DateFormField
from salesops.core.models import OrgUnit
from salesops.core.roles import Role
from salesops.sop.events import event_type_choices
from salesops.sop.models import DailyReport, SopRule, escalation_choices


class SopRuleForm(forms.ModelForm):
    required_css_class = "required"
    event_type = forms.ChoiceField(label=_("What must happen"), choices=())
    roles = forms.MultipleChoiceField(
        label=_("For roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Scheduled rules apply to everyone holding one of these roles; event-started rules need none."),
    )
    escalate_to = forms.ChoiceField(label=_("Escalate to"), choices=())

    class Meta:
        model = SopRule
        fields = [
            "code",
            "name_en",
            "name_zh",
            "event_type",
            "roles",
            "org_unit",
            "schedule",
            "reminder_minutes",
            "escalate_to",
            "enabled",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = event_type_choices()
        self.fields["escalate_to"].choices = escalation_choices()
        self.fields["org_unit"].queryset = OrgUnit.objects.filter(active=True).order_by("path")


class DailyReportForm(forms.ModelForm):
    class Meta:
        model = DailyReport
        fields = ["date", "visits", "calls", "orders", "collections", "feedback"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ["visits", "calls", "orders", "collections", "feedback"]
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def validate_unique(self):  # the service decides what a second submission for the day means
        pass

    def _post_clean(self):  # the service validates and saves; the form only parses input
        pass


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComplianceForm(forms.Form):
    GROUPS = [("person", _("Person")), ("team", _("Team")), ("rule", _("Rule")), ("month", _("Month"))]
    date_from = DateFormField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateFormField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPS, initial="person")
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=SopRule.objects.none(), required=False, empty_label=_("All rules")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = SopRule.objects.order_by("code")
        self.fields["rule"].label_from_instance = lambda rule: rule.name

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        if data.get("date_from") and data.get("date_to") and (data["date_to"] - data["date_from"]).days > 731:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        return data


class ObligationScopeForm(forms.Form):
    """What a compliance row leads to: the obligations due in a period, of a person or a team.
    Values that do not parse are left out (the list shows everything the user may see)."""

    due_from = forms.DateField(required=False)
    due_to = forms.DateField(required=False)
    person = forms.IntegerField(required=False, min_value=1)
    team = forms.IntegerField(required=False, min_value=1)
    escalated = forms.BooleanField(required=False)

    def scope(self, queryset, tz):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["due_from"]:
            queryset = queryset.filter(due_at__gte=datetime.datetime.combine(data["due_from"], datetime.time(0), tz))
        if data["due_to"]:
            end = data["due_to"] + datetime.timedelta(days=1)
            queryset = queryset.filter(due_at__lt=datetime.datetime.combine(end, datetime.time(0), tz))
        if data["person"]:
            queryset = queryset.filter(person_id=data["person"])
        if data["team"]:
            queryset = queryset.filter(person__org_unit_id=data["team"])
        if data["escalated"]:
            queryset = queryset.filter(escalated_at__isnull=False)
        return queryset
