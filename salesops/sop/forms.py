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
    GROUPS = [("person", _("Person")), ("team", _("Team")), ("rule", _("Rule"))]
    date_from = DateFormField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateFormField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPS, initial="person")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        if data.get("date_from") and data.get("date_to") and (data["date_to"] - data["date_from"]).days > 731:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        return data
