"""Commissions (提成): rules as data, the monthly run with a statement per rep and its
approval, and the estimate a rep sees during the month.

For a rep and a month:
- achievement = sales (the company's measure) ÷ the month's target; a rule applies when the
  achievement lies in its band [from, below) — tiers are rules with adjacent bands;
- on sales: each invoiced line earns the rate of the rule of its product family (the nearest
  family up the tree that has one), else of the rule for every family;
- on collections: money received in the month (receipt allocations dated in it) on the rep's
  invoices earns the collection rate;
- clawback on returns: credit notes issued in the month take back the sales rate on their
  (negative) lines;
- clawback on bad debt: an invoice that reaches `PerformancePolicy.bad_debt_days` days overdue
  in the month with money still open takes back the sales rate on the open part.
During the month the same computation up to today is the estimate; nothing is stored.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.approvals.services import approval_submit
from salesops.catalog.models import ProductFamily
from salesops.core.audit import model_create, model_update
from salesops.core.models import User
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.core.selectors import company_date
from salesops.credit.ageing import open_at
from salesops.credit.money import cents
from salesops.targets.exceptions import DocumentLocked, MonthNotOver
from salesops.targets.measures import collections_by_rep, sales_by_rep, targets_by_rep
from salesops.targets.models import (
    RUN_FLOW,
    CommissionLine,
    CommissionRule,
    CommissionRun,
    CommissionStatement,
)
from salesops.targets.periods import Period
from salesops.targets.periods import month as month_period
from salesops.targets.services import performance_policy, require

RUN_ROLES = frozenset({Role.FINANCE, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass
class StatementData:
    rep_id: int
    target: Decimal = ZERO
    sales: Decimal = ZERO
    achievement: Decimal = ZERO
    collected: Decimal = ZERO
    lines: list[dict] = field(default_factory=list)

    @property
    def earned(self) -> Decimal:
        return sum((line["amount"] for line in self.lines if line["kind"] == CommissionLine.Kind.EARNED), ZERO)

    @property
    def clawback(self) -> Decimal:
        return -sum((line["amount"] for line in self.lines if line["kind"] != CommissionLine.Kind.EARNED), ZERO)

    @property
    def total(self) -> Decimal:
        return self.earned - self.clawback


class _Rules:
    def __init__(self):
        self.rules = list(CommissionRule.objects.filter(active=True).order_by("pk"))
        self.paths = dict(ProductFamily.objects.values_list("pk", "path"))

    def for_family(self, family_id: int | None, achievement: Decimal) -> list[CommissionRule]:
        sales = [rule for rule in self.rules if rule.base == CommissionRule.Base.SALES and rule.applies_at(achievement)]
        path = self.paths.get(family_id, "") if family_id else ""
        ancestors = [int(part) for part in path.strip("/").split("/") if part] or ([family_id] if family_id else [])
        for family in reversed(ancestors):
            own = [rule for rule in sales if rule.family_id == family]
            if own:
                return own
        return [rule for rule in sales if rule.family_id is None]

    def collections(self, achievement: Decimal) -> list[CommissionRule]:
        return [r for r in self.rules if r.base == CommissionRule.Base.COLLECTIONS and r.applies_at(achievement)]


def _line(kind, rule: CommissionRule, base: Decimal, family_id=None, reference: str = "") -> dict:
    return {
        "kind": kind,
        "rule": rule,
        "rule_name": rule.name,
        "family_id": family_id,
        "reference": reference,
        "base": base,
        "rate": rule.rate,
        "amount": cents(base * rule.rate / HUNDRED),
    }


def commission_compute(
    *, month: datetime.date, rep_ids: list[int] | None = None, as_of: datetime.date | None = None
) -> dict[int, StatementData]:
    """Every rep's commission of `month` (up to `as_of` for an estimate), set-based."""
    from salesops.sales.models import Invoice, InvoiceLine

    full = month_period(month)
    period = full if as_of is None or as_of >= full.end else Period("month", full.start, max(as_of, full.start))
    rules = _Rules()
    sales = sales_by_rep(period, rep_ids)
    targets = targets_by_rep(full, rep_ids)
    collected = collections_by_rep(period, rep_ids)
    data: dict[int, StatementData] = {}

    def statement(rep_id: int) -> StatementData:
        if rep_id not in data:
            target = targets.get(rep_id, ZERO)
            sold = sales.get(rep_id, ZERO)
            achievement = (max(sold, ZERO) * HUNDRED / target).quantize(Decimal("0.01")) if target else ZERO
            data[rep_id] = StatementData(
                rep_id, target=target, sales=sold, achievement=achievement, collected=collected.get(rep_id, ZERO)
            )
        return data[rep_id]

    for rep_id in set(sales) | set(targets) | set(collected):
        statement(rep_id)
    lines = InvoiceLine.objects.filter(
        invoice__issue_date__gte=period.start, invoice__issue_date__lte=period.end
    ).exclude(invoice__status=Invoice.Status.CANCELLED)
    if rep_ids is not None:
        lines = lines.filter(invoice__rep_id__in=rep_ids)
    grouped = defaultdict(Decimal)
    for rep_id, kind, number, family_id, amount in lines.values_list(
        "invoice__rep_id", "invoice__kind", "invoice__number", "product__family_id", "amount"
    ):
        key = (rep_id, family_id, number if kind == Invoice.Kind.CREDIT_NOTE else "")
        grouped[key] += amount
    for (rep_id, family_id, credit_note), base in sorted(
        grouped.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2])
    ):
        current = statement(rep_id)
        kind = CommissionLine.Kind.RETURN if credit_note else CommissionLine.Kind.EARNED
        for rule in rules.for_family(family_id, current.achievement):
            current.lines.append(_line(kind, rule, base, family_id, credit_note))
    for rep_id, base in collected.items():
        current = statement(rep_id)
        for rule in rules.collections(current.achievement):
            current.lines.append(_line(CommissionLine.Kind.EARNED, rule, base))
    _bad_debt(period, rep_ids, rules, statement)
    return data


def _bad_debt(period: Period, rep_ids, rules: _Rules, statement) -> None:
    from salesops.sales.models import Invoice

    days = datetime.timedelta(days=performance_policy().bad_debt_days)
    invoices = open_at(
        Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE, due_date__gte=period.start - days, due_date__lte=period.end - days
        ),
        period.end,
    )
    if rep_ids is not None:
        invoices = invoices.filter(rep_id__in=rep_ids)
    invoices = list(invoices.prefetch_related("lines__product"))
    for invoice in invoices:
        if invoice.amount_open <= 0 or not invoice.total:
            continue
        current = statement(invoice.rep_id)
        by_family = defaultdict(Decimal)
        for line in invoice.lines.all():
            by_family[line.product.family_id] += line.amount
        for family_id, amount in by_family.items():
            base = -cents(amount * invoice.amount_open / invoice.total)
            for rule in rules.for_family(family_id, current.achievement):
                current.lines.append(_line(CommissionLine.Kind.BAD_DEBT, rule, base, family_id, invoice.number))


def commission_estimate(*, rep: User, today: datetime.date | None = None) -> StatementData:
    today = today or company_date()
    return commission_compute(month=today, rep_ids=[rep.pk], as_of=today).get(rep.pk) or StatementData(rep.pk)


# --- runs -------------------------------------------------------------------------------------------------
@transaction.atomic
def commission_run_create(*, month: datetime.date, actor, today: datetime.date | None = None) -> CommissionRun:
    """Compute (or compute again, while not submitted) the statements of an ended month."""
    require(actor, RUN_ROLES)
    today = today or company_date()
    period = month_period(month)
    if period.end >= today:
        raise MonthNotOver(fields={"month": [MonthNotOver.default_message]})
    run = CommissionRun.objects.select_for_update().filter(month=period.start).first()
    now = timezone.now()
    if run is None:
        run = CommissionRun(
            number=next_number(prefix="COM", year=period.start.year),
            month=period.start,
            computed_at=now,
            created_by=actor,
        )
        model_create(instance=run, actor=actor)
    elif run.status in (CommissionRun.Status.PENDING_APPROVAL, CommissionRun.Status.APPROVED):
        raise DocumentLocked()
    else:
        run.statements.all().delete()
        model_update(instance=run, fields=["computed_at"], data={"computed_at": now}, actor=actor)
    reps = {user.pk: user for user in User.objects.select_related("org_unit")}
    total = ZERO
    statements, pending_lines = [], []
    for rep_id, data in sorted(commission_compute(month=period.start).items()):
        rep = reps[rep_id]
        statement = CommissionStatement(
            run=run,
            rep=rep,
            team=rep.org_unit,
            target=data.target,
            sales=data.sales,
            achievement=min(data.achievement, Decimal("99999.99")),
            collected=data.collected,
            earned=data.earned,
            clawback=data.clawback,
            total=data.total,
        )
        statements.append(statement)
        pending_lines.append(data.lines)
        total += data.total
    CommissionStatement.objects.bulk_create(statements)
    CommissionLine.objects.bulk_create(
        [
            CommissionLine(
                statement=statement,
                kind=line["kind"],
                rule=line["rule"],
                rule_name=line["rule_name"],
                family_id=line["family_id"],
                reference=line["reference"],
                base=line["base"],
                rate=line["rate"],
                amount=line["amount"],
            )
            for statement, lines in zip(statements, pending_lines, strict=True)
            for line in lines
        ]
    )
    model_update(instance=run, fields=["total"], data={"total": total}, actor=actor)
    return run


def _run_status(run: CommissionRun, target: str, actor=None, **fields) -> None:
    RUN_FLOW.check(run.status, target)
    model_update(instance=run, fields=["status", *fields], data={"status": target, **fields}, actor=actor)


@transaction.atomic
def commission_run_submit(*, run: CommissionRun, actor) -> CommissionRun:
    require(actor, RUN_ROLES)
    run = CommissionRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (CommissionRun.Status.DRAFT, CommissionRun.Status.REJECTED):
        raise DocumentLocked()
    request = approval_submit(document=run, doc_type="commission_run", actor=actor)
    if request is None:
        commission_run_approved(run=run, actor=actor)
    else:
        _run_status(run, CommissionRun.Status.PENDING_APPROVAL, actor)
    return run


def commission_run_approved(*, run: CommissionRun, actor=None) -> None:
    _run_status(run, CommissionRun.Status.APPROVED, actor, approved_at=timezone.now())


def commission_run_decided(*, run: CommissionRun, target: str) -> None:
    _run_status(run, target)


def run_summary(run: CommissionRun) -> dict:
    return {
        "number": run.number,
        "month": f"{run.month:%Y-%m}",
        "reps": run.statements.count(),
        "total": str(run.total),
        "computed_at": run.computed_at.isoformat(),
    }


def rule_problems(rule: CommissionRule) -> dict:
    """Checks beyond the fields: collection rules are for every family; bands of rules on the
    same base and family must not overlap."""
    problems: dict[str, list] = {}
    if rule.base == CommissionRule.Base.COLLECTIONS and rule.family_id:
        problems["family"] = [_("Commission on collections is paid on all money received; leave the family empty.")]
    if rule.max_achievement is not None and rule.max_achievement <= rule.min_achievement:
        problems["max_achievement"] = [_("The upper bound must be above the lower bound.")]
    if rule.active and not problems:
        others = CommissionRule.objects.filter(active=True, base=rule.base, family_id=rule.family_id).exclude(
            pk=rule.pk
        )
        for other in others:
            low = max(rule.min_achievement, other.min_achievement)
            highs = [value for value in (rule.max_achievement, other.max_achievement) if value is not None]
            if not highs or low < min(highs):
                problems["min_achievement"] = [
                    _("The band overlaps the rule “%(name)s”; tiers must not overlap.") % {"name": other.name}
                ]
                break
    return problems


RULE_FIELDS = ["name", "base", "family", "rate", "min_achievement", "max_achievement", "active"]
RULE_WRITE_ROLES = frozenset({Role.GENERAL_MANAGER, Role.SYSADMIN})


@transaction.atomic
def commission_rule_save(*, rule: CommissionRule | None, data: dict, actor) -> CommissionRule:
    """Create or change a commission rule; bands of one base and family must not overlap."""
    from salesops.core.exceptions import ValidationFailed
    from salesops.targets.services import validated_change

    require(actor, RULE_WRITE_ROLES)
    probe = copy.deepcopy(rule) if rule is not None else CommissionRule()
    for name in RULE_FIELDS:
        if name in data:
            setattr(probe, name, data[name])
    validated_change(probe, {})
    problems = rule_problems(probe)
    if problems:
        raise ValidationFailed(fields=problems)
    if rule is None:
        return model_create(instance=probe, actor=actor)
    rule, _changed = model_update(
        instance=rule, fields=RULE_FIELDS, data={n: getattr(probe, n) for n in RULE_FIELDS}, actor=actor
    )
    return rule
