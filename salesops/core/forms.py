from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from salesops.core.models import CalendarDay, Company, OrgUnit, User
from salesops.core.roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "legal_name", "tax_id", "time_zone", "currency", "work_start", "work_end"]
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}),
            "work_end": forms.TimeInput(attrs={"type": "time"}),
        }


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "head", "default_warehouse", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = OrgUnit.objects.exclude(kind=OrgUnit.Kind.TEAM).order_by("path")
        self.fields["default_warehouse"].queryset = self.fields["default_warehouse"].queryset.filter(active=True)
        self.fields["head"].queryset = User.objects.filter(is_active=True).order_by("username")


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        min_length=10,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "org_unit", "manager", "language", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["manager"].queryset = User.objects.filter(is_active=True).order_by("username")
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
