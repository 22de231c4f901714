from django.conf import settings

from salesops.core.navigation import menu_for
from salesops.core.selectors import company_current, unread_notification_count


def shell(request):
    user = getattr(request, "user", None)
    context = {"LANGUAGES": settings.LANGUAGES, "company": company_current()}
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        context["menu"] = menu_for(user, match.url_name if match else None)
        context["unread_notifications"] = unread_notification_count(user=user)
    return context
