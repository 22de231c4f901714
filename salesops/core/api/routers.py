"""The router every area's API registers its viewsets with."""

from rest_framework.routers import DefaultRouter, SimpleRouter

# Record ids in URLs are whole numbers that fit the database's integers: "abc" or a 30-digit
# number in /orders/<id>/ is an unknown address (404), never a failed lookup (500).
ID_PATTERN = "[0-9]{1,18}"


class IdLookup:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        lookup_value = getattr(viewset, "lookup_value_regex", ID_PATTERN)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{lookup_value})"


class Router(IdLookup, SimpleRouter):
    pass


class RootRouter(IdLookup, DefaultRouter):
    """The foundation's router, which also answers the API root (/api/v1/)."""
