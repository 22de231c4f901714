from django import template

from salesops.core.history import readable_history as _readable

register = template.Library()


@register.simple_tag(takes_context=True)
def readable_history(context, events):
    """{% readable_history history as entries %}: the audit events as the page's reader reads them."""
    request = context.get("request")
    return _readable(events or [], viewer=getattr(request, "user", None))
