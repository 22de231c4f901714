"""Pages of the foundation: sign-in, home, language, notifications, and the administrator's
pages for the company, the organisation tree, users and the working-day calendar."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from salesops.core import accounts, services
from salesops.core.api.errors import error_body
from salesops.core.audit import history_for, model_create, model_delete, model_update
from salesops.core.calendar import WorkCalendar, calendar_seed_year, official_schedule_known, unknown_schedule_warning
from salesops.core.exceptions import ApplicationError
from salesops.core.forms import CalendarDayForm, CompanyForm, LoginForm, OrgUnitForm, UserForm
from salesops.core.listing import Column, Filter, ListPage
from salesops.core.models import CalendarDay, Company, OrgUnit
from salesops.core.registry import registry
from salesops.core.roles import Role
from salesops.core.selectors import (
    company_current,
    is_admin,
    notification_list_for_user,
    org_unit_list_for_user,
    user_list_for_user,
)
from salesops.core.web import action_view, add_error_to_form, safe_next, save_form


def _set_language_cookie(response, language: str):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated and request.user.language:
            _set_language_cookie(response, request.user.language)
        return response

    def form_invalid(self, form):
        if getattr(self.request, "login_throttled", False):  # set by accounts.ThrottledModelBackend
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Try again in a few minutes."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_invalid(form)


@login_required
def home(request):
    sections = []
    for section in registry.home:
        if section.visible_to(request.user):
            rendered = section.render(request)
            if rendered:
                sections.append({"key": section.key, "template": rendered[0], "context": rendered[1]})
    role_names = [label for value, label in Role.choices if value in request.user.roles]
    return render(request, "core/home.html", {"sections": sections, "role_names": role_names})


@require_POST
def set_language(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    translation.activate(language)
    return _set_language_cookie(HttpResponseRedirect(safe_next(request, reverse("home"))), language)


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notifications")
    page = ListPage(
        request=request,
        queryset=notification_list_for_user(user=request.user),
        title=gettext_lazy("Notifications"),
        columns=[
            Column("created_at", gettext_lazy("When"), sort="created_at"),
            Column("title", gettext_lazy("Title"), link=lambda n: n.url or ""),
            Column("body", gettext_lazy("Text")),
            Column("read_at", gettext_lazy("Read"), sort="read_at"),
        ],
        filters=[
            Filter(
                "unread",
                gettext_lazy("Show"),
                [("1", gettext_lazy("Unread"))],
                lookup="read_at__isnull",
                apply=lambda qs, v: qs.filter(read_at__isnull=True),
            )
        ],
        search_fields=["title", "body"],
        default_sort="-created_at",
        export_name="notifications",
        actions_template="core/partials/notifications_actions.html",
        empty_message=gettext_lazy("Nothing new. Reminders, escalations and decisions will appear here."),
    )
    return page.response()


# --- administration -----------------------------------------------------------------------------------
def _require_admin(request):
    if not is_admin(request.user):
        raise PermissionDenied


@login_required
def company_edit(request):
    _require_admin(request)
    company = company_current() or get_object_or_404(Company)
    form = CompanyForm(request.POST or None, instance=Company.objects.get(pk=company.pk))
    saved = save_form(
        request,
        form,
        lambda data: services.company_update(company=Company.objects.get(pk=company.pk), data=data, actor=request.user),
        success=_("Company saved."),
        redirect_to="company",
    )
    if saved:
        return saved
    return render(request, "core/company.html", {"form": form, "history": history_for(company)[:50]})


@login_required
def org_tree(request):
    units = list(org_unit_list_for_user(user=request.user).prefetch_related("members"))
    return render(request, "core/org_tree.html", {"units": units, "can_edit": is_admin(request.user)})


@login_required
def org_unit_edit(request, pk: int | None = None):
    _require_admin(request)
    unit = get_object_or_404(OrgUnit, pk=pk) if pk else None
    form = OrgUnitForm(
        request.POST or None,
        instance=OrgUnit.objects.get(pk=pk) if pk else None,
        initial={"parent": request.GET.get("parent")} if not pk else None,
    )

    def save(data):
        if unit:
            return services.org_unit_update(unit=unit, data=data, actor=request.user)
        parent = data.get("parent")
        return services.org_unit_create(
            company=parent.company if parent else company_current(),
            name=data["name"],
            code=data["code"],
            kind=data["kind"],
            parent=parent,
            head=data.get("head"),
            actor=request.user,
            default_warehouse=data.get("default_warehouse"),
        )

    saved = save_form(request, form, save, success=_("Unit saved."), redirect_to="org-tree")
    if saved:
        return saved
    return render(
        request,
        "core/org_unit_form.html",
        {"form": form, "unit": unit, "history": history_for(unit)[:50] if unit else []},
    )


@login_required
def user_list(request):
    _require_admin(request)
    role_filter = Filter("role", gettext_lazy("Role"), Role.choices, lookup="role_assignments__role")
    page = ListPage(
        request=request,
        queryset=user_list_for_user(user=request.user),
        title=gettext_lazy("Users"),
        columns=[
            Column(
                "username", gettext_lazy("Username"), sort="username", link=lambda u: reverse("user-edit", args=[u.pk])
            ),
            Column("full_name", gettext_lazy("Name"), sort="full_name"),
            Column("org_unit", pgettext_lazy("org", "Unit"), sort="org_unit__path", value=lambda u: u.org_unit or ""),
            Column("manager", gettext_lazy("Manager"), value=lambda u: u.manager or ""),
            Column(
                "roles",
                gettext_lazy("Roles"),
                value=lambda u: ", ".join(str(Role(a.role).label) for a in u.role_assignments.all()),
            ),
            Column(
                "is_active",
                gettext_lazy("Active"),
                sort="is_active",
                value=lambda u: _("Yes") if u.is_active else _("No"),
            ),
        ],
        filters=[role_filter],
        search_fields=["username", "full_name", "email", "phone"],
        default_sort="username",
        export_name="users",
        actions_template="core/partials/user_actions.html",
    )
    return page.response()


@login_required
def user_edit(request, pk: int | None = None):
    _require_admin(request)
    user = get_object_or_404(user_list_for_user(user=request.user), pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=type(user).objects.get(pk=pk) if user else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password", "")
        try:
            if user:
                services.user_update(user=user, data=data, actor=request.user)
                if password:
                    user.set_password(password)
                    user.save(update_fields=["password"])
            else:
                services.user_create(
                    username=data.pop("username"),
                    password=password,
                    roles=data.pop("roles"),
                    actor=request.user,
                    **data,
                )
            messages.success(request, _("User saved."))
            return redirect("users")
        except ApplicationError as error:
            add_error_to_form(form, error)
    return render(
        request,
        "core/user_form.html",
        {
            "form": form,
            "person": user,
            "history": history_for(user)[:50] if user else [],
            "tokens": accounts.api_token_list_for_user(user=user) if user else [],
            "events": accounts.login_event_list(user=user)[:20] if user else [],
        },
    )


@login_required
def calendar_page(request):
    today = datetime.date.today()
    try:
        year = int(request.GET.get("year", today.year))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return HttpResponseBadRequest(_("Give the year as a number between 2000 and 2100."))
    work = WorkCalendar.load()
    days = CalendarDay.objects.filter(date__year=year)
    months = [
        {"month": datetime.date(year, m, 1), "working_days": len(work.working_days_in_month(year, m))}
        for m in range(1, 13)
    ]
    form = CalendarDayForm()
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "days": days,
            "months": months,
            "form": form,
            "can_edit": is_admin(request.user),
            "years": [year - 1, year, year + 1],
            "schedule_warning": "" if official_schedule_known(year) else unknown_schedule_warning(year),
        },
    )


@login_required
@require_POST
@action_view
def calendar_day_save(request, pk: int | None = None):
    _require_admin(request)
    day = get_object_or_404(CalendarDay, pk=pk) if pk else None
    form = CalendarDayForm(request.POST, instance=CalendarDay.objects.get(pk=pk) if pk else None)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {error}")
    elif day:
        model_update(
            instance=day, fields=["date", "is_working_day", "name"], data=form.cleaned_data, actor=request.user
        )
        messages.success(request, _("Calendar day saved."))
    else:
        model_create(instance=CalendarDay(**form.cleaned_data), actor=request.user)
        messages.success(request, _("Calendar day saved."))
    year = form.cleaned_data["date"].year if form.is_valid() else datetime.date.today().year
    return redirect(f"{reverse('calendar')}?year={year}")


@login_required
@require_POST
@action_view
def calendar_day_delete(request, pk: int):
    _require_admin(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    year = day.date.year
    model_delete(instance=day, actor=request.user)
    messages.success(request, _("Calendar day removed."))
    return redirect(f"{reverse('calendar')}?year={year}")


@login_required
@require_POST
@action_view
def calendar_seed(request):
    _require_admin(request)
    year = request.POST.get("year", "")
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        messages.error(request, _("Give the year as a number between 2000 and 2100."))
        return redirect(reverse("calendar"))
    year = int(year)
    added = calendar_seed_year(year=year)
    messages.success(request, _("%(count)s official days added for %(year)s.") % {"count": added, "year": year})
    if not official_schedule_known(year):
        messages.warning(request, unknown_schedule_warning(year))
    return redirect(f"{reverse('calendar')}?year={year}")


# --- error pages -------------------------------------------------------------------------------------------
def _error_page(request, status: int, code: str, message):
    """An error answer: `{code, message, fields}` under /api/, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def error_400(request, exception=None):
    return _error_page(request, 400, "bad_request", _("The request was not valid."))


def error_403(request, exception=None):
    return _error_page(request, 403, "permission_denied", _("You do not have access to this page."))


def error_404(request, exception=None):
    return _error_page(request, 404, "not_found", _("This page does not exist."))


def error_500(request):
    return _error_page(request, 500, "server_error", _("Something went wrong on our side. The error has been logged."))


@login_required
def account(request):
    """The signed-in person's own account: password, API tokens, recent sign-ins."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # User.save revokes the API tokens
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Password changed. Your API tokens were revoked."))
        return redirect("account")
    return _account_page(request, form=form)


def _account_page(request, *, form=None, new_token: str = ""):
    return render(
        request,
        "core/account.html",
        {
            "form": form or PasswordChangeForm(request.user),
            "tokens": accounts.api_token_list_for_user(user=request.user),
            "new_token": new_token,
            "events": accounts.login_event_list(user=request.user)[:20],
        },
    )


@login_required
@require_POST
def account_token_new(request):
    _token, secret = accounts.api_token_issue(user=request.user, request=request)
    return _account_page(request, new_token=secret)


@login_required
@require_POST
def account_token_revoke(request, token_key: str):
    if accounts.api_token_revoke(user=request.user, token_key=token_key, request=request):
        messages.success(request, _("API token revoked."))
    return redirect("account")


@login_required
@require_POST
def user_tokens_revoke(request, pk: int):
    _require_admin(request)
    person = get_object_or_404(user_list_for_user(user=request.user), pk=pk)
    revoked = accounts.api_tokens_revoke_all(user=person, request=request)
    messages.success(request, _("%(count)d API tokens revoked.") % {"count": revoked})
    return redirect("user-edit", pk=pk)
