"""One convention for every list endpoint:
?search=text           matches the view's `search_fields`
?ordering=field,-other  any of the view's `ordering_fields`; an unknown field is a 400
?<field>=value         the view's `filterset_fields` / `filterset_class` (django-filter); a bad value is a 400
"""

from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class SearchFilter(filters.SearchFilter):
    search_param = "search"


class OrderingFilter(filters.OrderingFilter):
    ordering_param = "ordering"

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len([f for f in fields if f]):
            allowed = sorted(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError(
                {"ordering": [_("Unknown sort field. Allowed: %(fields)s") % {"fields": ", ".join(allowed)}]}
            )
        return valid
