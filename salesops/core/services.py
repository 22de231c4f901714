"""Writes for the foundation: company, organisation tree, users and roles, notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent, Company, Notification, OrgUnit, User, UserRole
from salesops.core.roles import Role

COMPANY_CACHE_KEY = "salesops:company"


@transaction.atomic
def company_update(*, company: Company, data: dict, actor) -> Company:
    fields = ["name", "legal_name", "tax_id", "time_zone", "currency", "work_start", "work_end"]
    company, _changed = model_update(instance=company, fields=fields, data=data, actor=actor)
    transaction.on_commit(lambda: cache.delete(COMPANY_CACHE_KEY))
    return company


# --- organisation tree ----------------------------------------------------------------------------
@transaction.atomic
def org_unit_create(
    *,
    company: Company,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None = None,
    head=None,
    actor=None,
    default_warehouse=None,
) -> OrgUnit:
    unit = OrgUnit(
        company=company, parent=parent, name=name, code=code, kind=kind, head=head, default_warehouse=default_warehouse
    )
    _check_unit_kind(unit)
    model_create(instance=unit, actor=actor)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def org_unit_update(*, unit: OrgUnit, data: dict, actor) -> OrgUnit:
    new_parent = data.get("parent", unit.parent)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationFailed(fields={"parent": [_("A unit cannot be moved under itself or its own sub-unit.")]})
    old_path = unit.path
    unit, _changed = model_update(
        instance=unit,
        fields=[
            "name",
            "code",
            "kind",
            "parent",
            "head",
            "active",
            *(["default_warehouse"] if "default_warehouse" in data else []),
        ],
        data=data,
        actor=actor,
    )
    _check_unit_kind(unit)
    new_path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    if new_path != old_path:
        # Re-root the whole subtree: every descendant's path starts with the old prefix.
        subtree = list(OrgUnit.objects.select_for_update().filter(path__startswith=old_path))
        for node in subtree:
            node.path = new_path + node.path[len(old_path) :]
        OrgUnit.objects.bulk_update(subtree, ["path"])
        unit.path = new_path
    return unit


def _check_unit_kind(unit: OrgUnit) -> None:
    if unit.kind == OrgUnit.Kind.COMPANY and unit.parent_id:
        raise ValidationFailed(fields={"parent": [_("The company unit is the root and has no parent.")]})
    if unit.kind != OrgUnit.Kind.COMPANY and not unit.parent_id:
        raise ValidationFailed(fields={"parent": [_("Choose the unit this one belongs to.")]})
    if unit.parent_id and unit.parent.kind == OrgUnit.Kind.TEAM:
        raise ValidationFailed(fields={"parent": [_("A team cannot contain other units.")]})


# --- users and roles --------------------------------------------------------------------------------
USER_FIELDS = ["username", "full_name", "email", "phone", "org_unit", "manager", "language", "is_active"]


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    roles: Iterable[str] = (),
    actor=None,
    **fields,
) -> User:
    user = User(username=username, **{key: value for key, value in fields.items() if key in USER_FIELDS})
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _check_manager(user, user.manager)
    model_create(instance=user, actor=actor)
    user_set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def user_update(*, user: User, data: dict, actor) -> User:
    if "manager" in data:
        _check_manager(user, data["manager"])
    user, _changed = model_update(instance=user, fields=USER_FIELDS, data=data, actor=actor)
    if "roles" in data:
        user_set_roles(user=user, roles=data["roles"], actor=actor)
    return user


def _check_manager(user: User, manager: User | None) -> None:
    seen = set()
    cursor = manager
    while cursor is not None:
        if cursor.pk is not None and cursor.pk == user.pk or cursor.pk in seen:
            raise ValidationFailed(fields={"manager": [_("This would make the user their own manager.")]})
        seen.add(cursor.pk)
        cursor = cursor.manager


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor) -> None:
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationFailed(fields={"roles": [_("Unknown role: %(role)s") % {"role": ", ".join(sorted(unknown))}]})
    current = set(user.role_assignments.values_list("role", flat=True))
    if wanted == current:
        return
    UserRole.objects.filter(user=user, role__in=current - wanted).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(wanted - current)])
    audit_record(
        instance=user,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={"roles": [sorted(current), sorted(wanted)]},
    )
    user.__dict__.pop("roles", None)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- notifications ------------------------------------------------------------------------------------
def _render_message(text, params: dict) -> str:
    return str(text) % {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}


_lazy_message = lazy(_render_message, str)


def lazy_message(text, **params):
    """`text` (a `gettext_lazy` message with %(name)s placeholders) and its parameters, put
    together only when shown: `notify` shows it in the recipient's language, whoever sent it.
    Parameters may be lazy too (a choice label, another message)."""
    return _lazy_message(text, params)


def notify(*, user: User, title, body="", url: str = "", kind: str = "") -> Notification:
    """Create an in-app notification, rendered in the recipient's language (give `title` and
    `body` as `lazy_message`s or `gettext_lazy` texts, not as text already translated)."""
    from django.conf import settings

    with translation.override(user.language or settings.LANGUAGE_CODE):
        return Notification.objects.create(user=user, title=str(title)[:200], body=str(body), url=url, kind=kind)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    from django.utils import timezone

    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
