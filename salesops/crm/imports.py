"""Import of existing customers from Excel or CSV.

Upload → every row is checked (required fields, phone, tax id, owner, duplicates against the
ownership keys and within the file, using the same matching as registration) → a preview
with row-level errors → import. The import is all-or-nothing unless the user explicitly
imports only the good rows.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from salesops.core.audit import model_create
from salesops.core.exceptions import InvalidTransition, ValidationFailed
from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.tabular import read_table
from salesops.crm.exceptions import ImportHasErrors
from salesops.crm.matching import normalize_phone, normalize_tax_id, ownership_keys
from salesops.crm.models import Customer, CustomerImport, OwnershipKey

COLUMNS = ["name", "kind", "channel", "phone", "email", "tax_id", "city", "address", "contact", "owner"]
MAX_ROWS = 20000


def _read_rows(upload) -> list[dict]:
    rows = read_table(upload.name, upload.read(), max_rows=MAX_ROWS)
    if rows and "name" not in rows[0]:
        raise ValidationFailed(fields={"file": [_("The first row must name the columns; “name” is required.")]})
    return [{key: row.get(key, "") for key in COLUMNS} for row in rows]


def _check_row(data: dict, *, seen: dict, default_owner, owners: dict) -> list[str]:
    errors = []
    if not data["name"]:
        errors.append(_("Name is missing."))
    if data["kind"] and data["kind"] not in Customer.Kind.values:
        errors.append(_("Unknown kind “%(v)s”.") % {"v": data["kind"]})
    if data["channel"] and data["channel"] not in Customer.Channel.values:
        errors.append(_("Unknown channel “%(v)s”.") % {"v": data["channel"]})
    if data["phone"] and normalize_phone(data["phone"]) is None:
        errors.append(_("Phone “%(v)s” is not valid.") % {"v": data["phone"]})
    if data["tax_id"] and normalize_tax_id(data["tax_id"]) is None:
        errors.append(_("Tax id “%(v)s” is not a valid unified social credit code.") % {"v": data["tax_id"]})
    if data["owner"] and data["owner"] not in owners:
        errors.append(_("Unknown rep “%(v)s”.") % {"v": data["owner"]})
    if not data["owner"] and default_owner is None:
        errors.append(_("Name the owner rep."))
    keys = ownership_keys(
        name=data["name"],
        kind=data["kind"] or "company",
        phones=[data["phone"]],
        emails=[data["email"]],
        tax_id=data["tax_id"],
    )
    for key in keys:
        if key in seen:
            errors.append(_("Same %(kind)s as line %(line)s.") % {"kind": key[0], "line": seen[key]})
            break
    existing = {
        (k.kind, k.value)
        for k in OwnershipKey.objects.filter(kind__in=[k for k, _v in keys], value__in=[v for _k, v in keys])
    }
    if existing & set(keys):
        errors.append(_("Already registered (same %(kind)s).") % {"kind": sorted(existing & set(keys))[0][0]})
    return errors, keys


@transaction.atomic
def customer_import_preview(*, actor, upload) -> CustomerImport:
    rows = _read_rows(upload)
    default_owner = actor if actor.has_role(Role.SALES_REP) else None
    usernames = {row["owner"] for row in rows if row["owner"]}
    owners = {
        user.username: user
        for user in User.objects.filter(username__in=usernames, is_active=True, role_assignments__role=Role.SALES_REP)
    }
    seen: dict = {}
    checked = []
    for line, data in enumerate(rows, start=2):
        errors, keys = _check_row(data, seen=seen, default_owner=default_owner, owners=owners)
        for key in keys:
            seen.setdefault(key, line)
        checked.append({"line": line, "data": data, "errors": errors})
    return model_create(
        instance=CustomerImport(file_name=upload.name[:200], rows=checked, uploaded_by=actor), actor=actor
    )


@transaction.atomic
def customer_import_commit(*, customer_import: CustomerImport, actor, only_good_rows: bool = False) -> CustomerImport:
    from salesops.crm.services import contact_create, customer_create

    customer_import = CustomerImport.objects.select_for_update().get(pk=customer_import.pk)
    if customer_import.status != CustomerImport.Status.PREVIEW:
        raise InvalidTransition(_("This file has already been imported."))
    if customer_import.error_rows and not only_good_rows:
        raise ImportHasErrors(errors=customer_import.error_rows)
    created = 0
    for row in customer_import.rows:
        if row["errors"]:
            continue
        data = row["data"]
        owner = User.objects.get(username=data["owner"]) if data["owner"] else actor
        customer = customer_create(
            actor=actor,
            name=data["name"],
            owner=owner,
            kind=data["kind"] or Customer.Kind.COMPANY,
            channel=data["channel"] or Customer.Channel.OTHER,
            phone=data["phone"],
            email=data["email"],
            tax_id=data["tax_id"],
            city=data["city"],
            address=data["address"],
            registered_via=Customer.Via.IMPORT,
            status=Customer.Status.ACTIVE,
        )
        if data["contact"]:
            contact_create(
                customer=customer,
                actor=actor,
                name=data["contact"],
                phone=data["phone"],
                email=data["email"],
                is_primary=True,
            )
        created += 1
    customer_import.status = CustomerImport.Status.IMPORTED
    customer_import.created = created
    customer_import.save(update_fields=["status", "created"])
    return customer_import
