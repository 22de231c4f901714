from django.conf import settings

from salesops.core.registry import registry
from salesops.core.selectors import company_current, unread_notification_count


def shell(request):
    user = getattr(request, "user", None)
    context = {"LANGUAGES": settings.LANGUAGES, "company": company_current()}
    if user is not None and user.is_authenticated:
        context["nav_items"] = [item for item in registry.nav if item.visible_to(user)]
        context["unread_notifications"] = unread_notification_count(user=user)
    return context
