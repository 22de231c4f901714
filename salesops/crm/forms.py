from django import forms
from django.urls import reverse_lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salesops.core.bounded import DateFormField, DateTimeFormField
from salesops.core.models import OrgUnit, User
from salesops.core.roles import Role
from salesops.core.typeahead import TypeaheadSelect
from salesops.crm.models import (
    Activity,
    Address,
    Complaint,
    Contact,
    CrmPolicy,
    Customer,
    InboundContact,
    KeyAccountFile,
    Opportunity,
    Rotation,
    Stage,
)


class CustomerForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Customer
        fields = [
            "name",
            "kind",
            "channel",
            "status",
            "owner",
            "team",
            "phone",
            "email",
            "tax_id",
            "industry",
            "source",
            "tags",
            "address",
            "city",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True, role_assignments__role=Role.SALES_REP).distinct().order_by("username")
        )
        self.fields["team"].queryset = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("path")
        self.fields["team"].required = False


class ContactForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary"]


class AddressForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Address
        fields = ["label", "address", "city", "latitude", "longitude"]


class LeadRegisterForm(forms.Form):
    """来电登记 / 来访登记: the few fields a rep fills in while the caller waits."""

    required_css_class = "required"
    via = forms.ChoiceField(
        label=_("Registered via"),
        choices=[(Customer.Via.CALL, _("Inbound call")), (Customer.Via.VISIT, _("Walk-in"))],
        widget=forms.RadioSelect,
        initial=Customer.Via.CALL,
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autofocus": True}),
    )
    name = forms.CharField(label=_("Company or person"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices, initial=Customer.Kind.COMPANY)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    interest = forms.CharField(label=_("What they want"), max_length=200, required=False)
    source = forms.CharField(
        label=_("Source"), max_length=100, required=False, help_text=_("Which advertisement or channel brought them")
    )
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    tax_id = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)


def use_customer_picker(field) -> None:
    field.widget = TypeaheadSelect(reverse_lazy("customer-pick"), placeholder=_("Name, code or pinyin initials"))
    field.widget.choices = field.choices


class OpportunityForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Opportunity
        fields = ["customer", "name", "amount", "expected_close", "next_step", "next_step_due", "competitors"]
        widgets = {
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "next_step_due": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "customer" in self.fields:
            use_customer_picker(self.fields["customer"])
        if customers is not None:
            self.fields["customer"].queryset = customers
        if self.instance.pk:
            self.fields.pop("customer")


class StageMoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.filter(active=True))
    loss_reason = forms.CharField(label=_("Loss reason"), max_length=300, required=False)


class ActivityForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Activity
        fields = [
            "customer",
            "kind",
            "subject",
            "occurred_at",
            "duration_minutes",
            "outcome",
            "next_step",
            "next_step_due",
        ]
        widgets = {
            # datetime-local shows a value only in its own format: without it the time was blank
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "next_step_due": forms.DateInput(attrs={"type": "date"}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "customer" in self.fields:
            use_customer_picker(self.fields["customer"])
        if customers is not None:
            self.fields["customer"].queryset = customers


class ComplaintForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Complaint
        fields = ["customer", "kind", "subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "customer" in self.fields:
            use_customer_picker(self.fields["customer"])
        if customers is not None:
            self.fields["customer"].queryset = customers


class KeyAccountForm(forms.ModelForm):
    class Meta:
        model = KeyAccountFile
        fields = ["needs", "decision_makers", "preferences", "plans"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}


class ReassignForm(forms.Form):
    required_css_class = "required"
    from_owner = forms.ModelChoiceField(label=_("From rep"), queryset=User.objects.none())
    to_owner = forms.ModelChoiceField(label=_("To rep"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_owner"].queryset = reps
        self.fields["to_owner"].queryset = reps


IMPORT_COLUMNS = ["name", "kind", "channel", "phone", "email", "tax_id", "city", "address", "contact", "owner"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The column names are typed as they are in the file's header, in every language.
        columns = format_html_join(", ", "<code>{}</code>", ((name,) for name in IMPORT_COLUMNS))
        self.fields["file"].help_text = format_html(gettext("Columns: {columns}"), columns=columns)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class CrmPolicyForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = CrmPolicy
        fields = [
            "max_prospects_per_rep",
            "grade_period_days",
            "grade_cutoff_a",
            "grade_cutoff_b",
            "grade_measure",
        ]

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"sales_amount": _("Sales amount"), "opportunities_won": _("Won opportunities")}
        names = list(dict.fromkeys(["sales_amount", *measures, self.instance.grade_measure]))
        self.fields["grade_measure"] = forms.ChoiceField(
            label=_("grading measure"), choices=[(name, labels.get(name, name)) for name in names if name]
        )


POOL_GRADES = [("", _("Ungraded")), ("A", "A"), ("B", "B"), ("C", "C")]


class PoolRulesForm(forms.Form):
    """Days without an activity after which a lead returns to the pool, one field per grade."""

    required_css_class = "required"

    def __init__(self, *args, rules: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        rules = rules or {}
        for grade, label in POOL_GRADES:
            self.fields[self.field_name(grade)] = forms.IntegerField(
                label=_("Grade %(grade)s: return after (days)") % {"grade": label},
                min_value=1,
                initial=rules.get(grade),
            )

    @staticmethod
    def field_name(grade: str) -> str:
        return f"days_{grade or 'none'}"

    def days(self) -> dict[str, int]:
        return {grade: self.cleaned_data[self.field_name(grade)] for grade, _label in POOL_GRADES}


class StageForm(forms.ModelForm):
    required_css_class = "required"

    class Meta:
        model = Stage
        fields = ["code", "name", "name_zh", "order", "probability", "outcome", "active"]


class CallDeskForm(forms.Form):
    """The call desk: phone first, then who it is, then to whom it goes."""

    required_css_class = "required"
    via = forms.ChoiceField(
        label=_("Registered via"),
        choices=Rotation.Channel.choices,
        widget=forms.RadioSelect(attrs={"class": "inline-choice"}),
        initial=Rotation.Channel.CALL,
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autofocus": True, "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Company or person"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices, initial=Customer.Kind.COMPANY)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    interest = forms.CharField(label=_("What they want"), max_length=200, required=False)
    source = forms.CharField(
        label=_("Source"), max_length=100, required=False, help_text=_("Which advertisement or channel brought them")
    )
    assign = forms.ChoiceField(
        label=_("Give it to"),
        choices=[
            (InboundContact.Assignment.ROTATION, _("Next in the rotation")),
            (InboundContact.Assignment.POOL, _("Lead pool")),
            (InboundContact.Assignment.CHOSEN, _("Chosen rep")),
        ],
        widget=forms.RadioSelect(attrs={"class": "inline-choice"}),
        initial=InboundContact.Assignment.ROTATION,
    )
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none(), required=False)
    occurred_at = DateTimeFormField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now. Calls taken on the evening shift may be entered the next morning."),
    )

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps

    def clean(self):
        data = super().clean()
        if data.get("assign") == InboundContact.Assignment.CHOSEN and not data.get("rep") and "rep" not in self.errors:
            self.add_error("rep", _("Choose the rep."))
        return data


class RotationSeatForm(forms.Form):
    required_css_class = "required"
    channel = forms.ChoiceField(label=_("Rotation"), choices=Rotation.Channel.choices)
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none())

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps


class AbsenceForm(forms.Form):
    required_css_class = "required"
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=User.objects.none())
    start = DateFormField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = DateFormField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)

    def __init__(self, *args, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps
