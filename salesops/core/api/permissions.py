from rest_framework.permissions import SAFE_METHODS, BasePermission

from salesops.core.selectors import is_admin


class HasRole(BasePermission):
    """Allow users holding any of `view.required_roles` (or `view.write_roles` for writes)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        roles = getattr(view, "required_roles", None)
        if request.method not in SAFE_METHODS:
            roles = getattr(view, "write_roles", roles)
        return roles is None or user.is_superuser or bool(user.roles & frozenset(roles))


class AdminWrites(BasePermission):
    """Reads for everyone signed in (the queryset is already scoped); writes for administrators."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_admin(request.user)
