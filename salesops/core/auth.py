from django.contrib.auth.models import AnonymousUser as DjangoAnonymousUser


class AnonymousUser(DjangoAnonymousUser):
    """The signed-out user, with the same role interface as core.User so selectors and
    permission checks can ask it without special cases (it holds no role)."""

    roles: frozenset[str] = frozenset()
    org_unit = None
    org_unit_id = None
    manager_id = None
    language = ""

    def has_role(self, *roles: str) -> bool:
        return False
