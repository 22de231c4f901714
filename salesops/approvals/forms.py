from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.approvals.models import ApprovalRule, ApprovalTask, ApproverKind, Delegation, VisitRequest
from salesops.approvals.registry import document_type_choices, registered_document_types
from salesops.approvals.rules import approver_problem, describe_conditions
from salesops.core.models import User

MAX_STEPS = 4


class DecisionForm(forms.Form):
    required_css_class = "required"
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=ApprovalTask.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you reject or return the request."),
    )


def parse_conditions(text: str) -> list[dict]:
    """One condition a line: `field operator value`, e.g. `amount >= 100000` or `grade in A,B`."""
    conditions = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) != 3:
            raise forms.ValidationError(
                _("Line %(n)d: write field, operator and value, e.g. “amount >= 100000”.") % {"n": number}
            )
        conditions.append({"field": parts[0], "operator": parts[1], "value": parts[2]})
    return conditions


def format_conditions(conditions: list[dict]) -> str:
    lines = []
    for condition in conditions or []:
        value = condition.get("value")
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"{condition.get('field')} {condition.get('operator')} {value}")
    return "\n".join(lines)


def fields_help() -> str:
    parts = []
    for _key, doc_type in registered_document_types().items():
        parts.append(f"{doc_type.label}: {', '.join(doc_type.condition_fields)}")
    return _("One condition a line: field operator value (≥ > ≤ < = in). Fields — %(fields)s") % {
        "fields": "; ".join(parts)
    }


class RuleForm(forms.Form):
    required_css_class = "required"
    doc_type = forms.ChoiceField(label=gettext_lazy("Document type"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    name_zh = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=200, required=False)
    position = forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        initial=10,
        help_text=gettext_lazy("Rules are tried in this order; the first that matches applies."),
    )
    conditions = forms.CharField(
        label=gettext_lazy("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline_hours = forms.IntegerField(
        label=gettext_lazy("Answer within (hours)"),
        min_value=1,
        initial=24,
        help_text=gettext_lazy(
            "Counted the way the SOP rule “approval-24h” says: calendar hours unless it says working hours."
        ),
    )
    reminder_hours = forms.IntegerField(label=gettext_lazy("Remind before deadline (hours)"), min_value=0, initial=4)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, rule: ApprovalRule | None = None, **kwargs):
        if rule is not None and "initial" not in kwargs:
            initial = {
                "doc_type": rule.doc_type,
                "name": rule.name,
                "name_zh": rule.name_zh,
                "position": rule.position,
                "conditions": format_conditions(rule.conditions),
                "deadline_hours": rule.deadline_hours,
                "reminder_hours": rule.reminder_hours,
                "active": rule.active,
            }
            for index, step in enumerate(rule.steps.all()[:MAX_STEPS], start=1):
                initial[f"step_{index}"] = step.approver
                initial[f"user_{index}"] = step.user_id
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = document_type_choices()
        self.fields["conditions"].help_text = fields_help()
        people = User.objects.filter(is_active=True).order_by("username")
        for index in range(1, MAX_STEPS + 1):
            self.fields[f"step_{index}"] = forms.ChoiceField(
                label=_("Approver %(n)d") % {"n": index},
                required=index == 1,
                choices=[("", "—"), *ApproverKind.choices],
            )
            self.fields[f"user_{index}"] = forms.ModelChoiceField(
                label=_("Named person %(n)d") % {"n": index},
                queryset=people,
                required=False,
                help_text=_("Only when the approver is a named person."),
            )

    def clean_conditions(self):
        return parse_conditions(self.cleaned_data.get("conditions") or "")

    def clean(self):
        data = super().clean()
        steps = []
        for index in range(1, MAX_STEPS + 1):
            kind = data.get(f"step_{index}")
            if kind:
                steps.append(
                    {"approver": kind, "user": data.get(f"user_{index}") if kind == ApproverKind.USER else None}
                )
        data["steps"] = steps
        # Checked again by the service; here each problem is put next to its own step.
        for index in range(1, MAX_STEPS + 1):
            kind = data.get(f"step_{index}")
            if not kind:
                continue
            problem = approver_problem(
                {"approver": kind, "user": data.get(f"user_{index}") if kind == ApproverKind.USER else None}
            )
            if problem:
                field = f"user_{index}" if kind == ApproverKind.USER else f"step_{index}"
                self.add_error(field, _("%(problem)s.") % {"problem": capfirst(problem)})
        return data

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in [
                "doc_type",
                "name",
                "name_zh",
                "position",
                "conditions",
                "deadline_hours",
                "reminder_hours",
                "active",
                "steps",
            ]
        }


class DelegationForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Delegation
        fields = ["to_user", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = User.objects.filter(is_active=True).order_by("username")


class VisitRequestForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = VisitRequest
        fields = ["customer", "planned_date", "purpose", "expected_outcome", "key_account"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}),
            "expected_outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if customers is not None:
            self.fields["customer"].queryset = customers
        self.fields["key_account"].help_text = _("Key accounts (重点客户) need the sales director's approval.")


__all__ = ["DecisionForm", "DelegationForm", "RuleForm", "VisitRequestForm", "describe_conditions"]
