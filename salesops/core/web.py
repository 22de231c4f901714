"""Helpers that turn domain errors into what a person sees on a page: errors next to the
fields they concern, or a message at the top when they concern the whole action."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from salesops.core.exceptions import ApplicationError


def add_error_to_form(form, error: ApplicationError) -> None:
    placed = False
    for name, problems in error.fields.items():
        target = name if name in form.fields else None
        for problem in problems if isinstance(problems, list | tuple) else [problems]:
            form.add_error(target, str(problem))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def save_form(request, form, save, *, success, redirect_to: str | Callable[[Any], Any]) -> HttpResponse | None:
    """For a form page: when the posted `form` is valid, `save(form.cleaned_data)` (a service
    call), then a success message and a redirect to `redirect_to`: a URL or URL name, or a
    callable that is given what `save` returned and gives the target (for the page of the
    object just created). None when the form must be shown again: not posted, not valid, or
    the service refused (its errors next to the fields)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ApplicationError as error:
        add_error_to_form(form, error)
        return None
    messages.success(request, success)
    return redirect(redirect_to(saved) if callable(redirect_to) else redirect_to)


def safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or request.headers.get("Referer", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return fallback


def action_view(view):
    """For POST-only action views (approve, post, cancel…): an ApplicationError becomes a
    message on the page the user came from, and nothing is changed (the service is atomic)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            # what is wrong, field by field (a reason left out, a quantity too large), else the summary
            reasons = [
                str(message)
                for found in error.fields.values()
                for message in (found if isinstance(found, (list, tuple)) else [found])
            ]
            messages.error(request, " ".join(reasons) or str(error.message))
            target = safe_next(request, request.path)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)

    return wrapper
