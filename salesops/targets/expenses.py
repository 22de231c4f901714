"""Sales expense budgets (销售费用预算) and claims approved against what remains.

A claim is checked against the budget of its month and expense type: the rep's own budget
line when there is one, else the team's. What remains is the budget less the claims already
approved or waiting for approval on it; the budget row is locked while a claim is checked, so
two claims filed at once cannot both spend the same remainder. A claim that does not fit (or
has no budget) is marked over budget, and the approval rules send it higher (as data:
document type `expense_claim`, condition `over_budget`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.approvals.services import approval_submit, pending_request_for
from salesops.core import bounds
from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.credit.money import money_total
from salesops.targets.models import CLAIM_FLOW, ExpenseBudget, ExpenseClaim, ExpenseType
from salesops.targets.services import _validated, require, validated_change

BUDGET_ROLES = frozenset(
    {Role.SALES_SUPERVISOR, Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.FINANCE, Role.SYSADMIN}
)
CLAIM_ROLES = frozenset({Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER})
SPENDING = (ExpenseClaim.Status.APPROVED, ExpenseClaim.Status.PENDING_APPROVAL)
ZERO = Decimal("0.00")


def _money(value, field: str) -> Decimal:
    try:
        return bounds.parse_decimal(value, max_digits=14, decimal_places=2)
    except ValidationError:
        raise ValidationFailed(fields={field: [_("Enter an amount to the cent.")]}) from None


def _in_scope(actor, team) -> bool:
    """Supervisors and managers budget for the units under them; company roles for all."""
    if actor.is_superuser or actor.roles & {Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.FINANCE, Role.SYSADMIN}:
        return True
    return bool(actor.org_unit_id and team.path.startswith(actor.org_unit.path))


@transaction.atomic
def expense_budget_set(
    *, team, month: datetime.date, expense_type: ExpenseType, amount, actor, rep=None
) -> ExpenseBudget:
    """Create or change one budget line (team, or one rep of it; month; expense type)."""
    require(actor, BUDGET_ROLES)
    if not _in_scope(actor, team):
        raise PermissionDenied()
    if rep is not None and rep.org_unit_id != team.pk:
        raise ValidationFailed(fields={"rep": [_("The rep is not in this team.")]})
    amount = _money(amount, "amount")
    month = month.replace(day=1)
    budget = (
        ExpenseBudget.objects.select_for_update(of=("self",))
        .filter(team=team, rep=rep, month=month, expense_type=expense_type)
        .order_by("pk")
        .first()
    )
    if budget is None:
        budget = ExpenseBudget(team=team, rep=rep, month=month, expense_type=expense_type, amount=amount)
        _validated(budget)
        return model_create(instance=budget, actor=actor)
    validated_change(budget, {"amount": amount})
    spent = spent_on(budget)
    if amount < spent:
        raise ValidationFailed(
            fields={
                "amount": [_("Claims of %(spent)s are already approved or waiting on this budget.") % {"spent": spent}]
            }
        )
    budget, _changed = model_update(instance=budget, fields=["amount"], data={"amount": amount}, actor=actor)
    return budget


def spent_on(budget: ExpenseBudget) -> Decimal:
    return money_total(ExpenseClaim.objects.filter(budget=budget, status__in=SPENDING), "amount")


def remaining(budget: ExpenseBudget | None) -> Decimal:
    return budget.amount - spent_on(budget) if budget is not None else ZERO


def _budget_for(*, team, rep, month, expense_type) -> ExpenseBudget | None:
    """The budget line a claim draws on, locked: the rep's own line, else the team's."""
    lines = (
        ExpenseBudget.objects.select_for_update(of=("self",))
        .filter(team=team, month=month, expense_type=expense_type)
        .order_by("pk")
    )
    return lines.filter(rep=rep).first() or lines.filter(rep__isnull=True).first()


@transaction.atomic
def expense_claim_submit(
    *, actor, expense_type: ExpenseType, spent_on_day: datetime.date, amount, description: str, customer=None
) -> ExpenseClaim:
    """File a claim; it goes for approval at once, higher when it does not fit the budget."""
    if not (actor.is_superuser or actor.roles & CLAIM_ROLES):
        raise PermissionDenied()
    if actor.org_unit_id is None:
        raise ValidationFailed(_("You are not in a team; ask your administrator to place you in one."))
    if not expense_type.active:
        raise ValidationFailed(fields={"expense_type": [_("This expense type is no longer used.")]})
    today = company_date()
    if spent_on_day > today or spent_on_day < today - datetime.timedelta(days=366):
        raise ValidationFailed(fields={"spent_on": [_("The day must be within the last year, and not in the future.")]})
    if not (description or "").strip():
        raise ValidationFailed(fields={"description": [_("Say what the money was spent on.")]})
    amount = _money(amount, "amount")
    month = spent_on_day.replace(day=1)
    budget = _budget_for(team=actor.org_unit, rep=actor, month=month, expense_type=expense_type)
    left = remaining(budget)
    claim = ExpenseClaim(
        number=next_number(prefix="EXP", year=month.year),
        claimant=actor,
        team=actor.org_unit,
        expense_type=expense_type,
        spent_on=spent_on_day,
        month=month,
        amount=amount,
        description=description.strip()[:500],
        customer=customer,
        budget=budget,
        remaining_before=max(left, ZERO),
        over_budget=amount > left,
    )
    _validated(claim)
    model_create(instance=claim, actor=actor)
    if approval_submit(document=claim, doc_type="expense_claim", actor=actor) is None:
        expense_claim_decided(claim=claim, target=ExpenseClaim.Status.APPROVED, actor=actor)
    return claim


def expense_claim_decided(*, claim: ExpenseClaim, target: str, actor=None) -> None:
    CLAIM_FLOW.check(claim.status, target)
    model_update(
        instance=claim,
        fields=["status", "decided_at"],
        data={"status": target, "decided_at": timezone.now()},
        actor=actor,
    )


@transaction.atomic
def expense_claim_cancel(*, claim: ExpenseClaim, actor) -> ExpenseClaim:
    """The claimant withdraws a claim still waiting; its approval request is withdrawn too."""
    from salesops.approvals.services import approval_withdraw

    claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.claimant_id != actor.pk:
        raise PermissionDenied(_("Only the claimant can withdraw the claim."))
    request = pending_request_for(document=claim, doc_type="expense_claim")
    if request is not None:
        approval_withdraw(request=request, actor=actor)  # cancels the claim through on_cancelled
        claim.refresh_from_db()
    else:
        expense_claim_decided(claim=claim, target=ExpenseClaim.Status.CANCELLED, actor=actor)
    return claim


def claim_values(claim: ExpenseClaim) -> dict:
    return {"amount": claim.amount, "over_budget": claim.over_budget, "over_amount": claim.over_amount}


def claim_summary(claim: ExpenseClaim) -> dict:
    return {
        "number": claim.number,
        "claimant": claim.claimant.display_name,
        "type": claim.expense_type.code,
        "spent_on": claim.spent_on.isoformat(),
        "amount": str(claim.amount),
        "budget_remaining": str(claim.remaining_before),
        "over_budget": claim.over_budget,
        "description": claim.description,
    }
