"""What targets plugs into the shell and the other engines, from TargetsConfig.ready(): its
KPIs, its document types of the approval engine, its menu entries and home sections."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.core.registry import HomeSection, NavItem, registry
from salesops.core.roles import COMPANY_WIDE_SALES_ROLES, SALES_ROLES, UNIT_ROLES, Role
from salesops.targets import measures as m
from salesops.targets.kpis import Kpi, Unit, register_kpi

PLAN_READERS = frozenset(COMPANY_WIDE_SALES_ROLES | UNIT_ROLES)
MANAGERS = frozenset({Role.SALES_MANAGER, Role.SALES_DIRECTOR, Role.GENERAL_MANAGER, Role.SYSADMIN})
EVERYONE_WITH_A_ROLE = frozenset(Role.values)


def _sees_costs(user) -> bool:
    from salesops.catalog.permissions import sees_costs

    return sees_costs(user)


def _documents(name):
    def documents(user, period, rep_ids):
        from salesops.targets import selectors

        return getattr(selectors, name)(user=user, period=period, rep_ids=rep_ids)

    return documents


def register_kpis() -> None:
    for kpi in [
        Kpi(
            "sales",
            _("Sales"),
            "targets",
            Unit.MONEY,
            _("Sales by the company's measure (orders, deliveries or invoices)"),
            m.sales_parts,
            documents=_documents("sales_documents"),
            order=10,
        ),
        Kpi(
            "target",
            _("Target"),
            "targets",
            Unit.MONEY,
            _("The reps' targets of the approved plan in the period"),
            m.target_parts,
            order=11,
        ),
        Kpi(
            "achievement", _("Achievement"), "targets", Unit.PERCENT, _("Sales ÷ target"), m.achievement_parts, order=12
        ),
        Kpi(
            "growth_yoy",
            _("Growth vs last year"),
            "targets",
            Unit.PERCENT,
            _("(Sales − sales of the same period last year) ÷ sales last year"),
            m.growth_yoy_parts,
            order=13,
        ),
        Kpi(
            "growth_previous",
            _("Growth vs previous period"),
            "targets",
            Unit.PERCENT,
            _("(Sales − sales of the period before) ÷ sales of the period before"),
            m.growth_previous_parts,
            order=14,
        ),
        Kpi(
            "sales_orders",
            _("Orders taken"),
            "sales",
            Unit.MONEY,
            _("Order lines of confirmed orders dated in the period, less cancelled and returned"),
            m.measure_parts("orders"),
            order=20,
        ),
        Kpi(
            "sales_deliveries",
            _("Deliveries"),
            "sales",
            Unit.MONEY,
            _("Lines of the deliveries issued in the period"),
            m.measure_parts("deliveries"),
            order=21,
        ),
        Kpi(
            "sales_invoices",
            _("Invoiced"),
            "sales",
            Unit.MONEY,
            _("Invoices issued in the period less credit notes"),
            m.measure_parts("invoices"),
            order=22,
        ),
        Kpi(
            "collections",
            _("Collections"),
            "credit",
            Unit.MONEY,
            _("Receipts allocated to the rep's invoices, dated in the period"),
            m.collections_parts,
            documents=_documents("collection_documents"),
            order=30,
        ),
        Kpi(
            "dso",
            _("DSO"),
            "credit",
            Unit.DAYS,
            _("Receivables open at the period's end ÷ invoiced in the period × days"),
            m.dso_parts,
            higher_is_better=False,
            order=31,
        ),
        Kpi(
            "overdue_share",
            _("Overdue share"),
            "credit",
            Unit.PERCENT,
            _("Overdue receivables ÷ open receivables at the period's end"),
            m.overdue_share_parts,
            higher_is_better=False,
            documents=_documents("overdue_documents"),
            order=32,
        ),
        Kpi(
            "gross_margin",
            _("Gross margin"),
            "targets",
            Unit.PERCENT,
            _("(Invoiced − quantity × standard cost) ÷ invoiced"),
            m.gross_margin_parts,
            visible=_sees_costs,
            order=40,
        ),
        Kpi(
            "cost_of_sales",
            _("Cost of sales"),
            "targets",
            Unit.PERCENT,
            _("Approved sales expenses ÷ sales"),
            m.cost_of_sales_parts,
            higher_is_better=False,
            documents=_documents("expense_documents"),
            order=41,
        ),
        Kpi(
            "satisfaction",
            _("Customer satisfaction"),
            "crm",
            Unit.SCORE,
            _("Average satisfaction (1–5) given at complaint follow-up calls"),
            m.satisfaction_parts,
            documents=_documents("complaint_documents"),
            order=50,
        ),
        Kpi(
            "visits",
            _("Visits"),
            "crm",
            Unit.COUNT,
            _("Visits done and recorded in the period"),
            m.visits_parts,
            order=51,
        ),
        Kpi(
            "forecast_accuracy",
            _("Forecast accuracy"),
            "planning",
            Unit.PERCENT,
            _("1 − Σ|forecast − ordered| ÷ Σ ordered over the rep's own forecast inputs"),
            m.forecast_accuracy_parts,
            order=60,
        ),
    ]:
        register_kpi(kpi)


# --- what the approvers of these documents read (see `salesops.approvals.facts`) ------------------------
def _facts_types() -> dict:
    """One facts serializer per document type of this area, made once the models are loaded."""
    from rest_framework import serializers

    from salesops.approvals.facts import COST, HIDDEN, DocumentFacts, Facts, money, percent, quantity
    from salesops.targets.models import Measure, ProfitPlan, Target, TargetPlan

    class ExpenseClaimFacts(DocumentFacts):
        """The claim, and the budget it draws on: what was left before it and how much it goes over."""

        number = serializers.CharField(label=_("Number"), read_only=True)
        claimant_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        claimant = serializers.CharField(source="claimant.display_name", label=_("Claimant"), read_only=True)
        team = serializers.CharField(source="team.name", label=_("Team"), read_only=True)
        expense_type_code = serializers.CharField(source="expense_type.code", read_only=True, style=HIDDEN)
        expense_type = serializers.CharField(source="expense_type.name", label=_("Type"), read_only=True)
        spent_on = serializers.DateField(label=_("Spent on"), read_only=True)
        customer = serializers.CharField(source="customer.name", default=None, label=_("Customer"), read_only=True)
        description = serializers.CharField(label=_("What for"), read_only=True)
        amount = money(_("Amount"))
        budget = money(_("Budget of the month"), source="budget.amount", default=None)
        budget_remaining = money(_("Budget remaining"), source="remaining_before")
        over_budget = serializers.BooleanField(label=_("Over budget"), read_only=True)
        over_amount = money(_("Amount over budget"))

    class MonthTargetFacts(Facts):
        month = serializers.DateField(label=_("Month"), read_only=True)
        amount = money(_("Target"))

    class MonthTargets(serializers.ListSerializer):
        def get_attribute(self, plan):
            return plan.targets.filter(level=Target.Level.COMPANY).order_by("month")

    class SalesPlanFacts(DocumentFacts):
        """The year's target, how it is split into months, and the change from the version before."""

        year = serializers.IntegerField(label=_("Year"), read_only=True)
        version = serializers.IntegerField(label=_("Version"), read_only=True)
        measure = serializers.ChoiceField(choices=Measure.choices, label=_("Sales measure"), read_only=True)
        total = money(_("Annual target"))
        previous_total = money(_("Annual target of the version before"), source="previous.total", default=None)
        month_method = serializers.ChoiceField(
            choices=TargetPlan.MonthMethod.choices, label=_("Split into months"), read_only=True
        )
        note = serializers.CharField(label=_("Note"), read_only=True)
        months = MonthTargets(child=MonthTargetFacts(), read_only=True, label=_("Company target by month"))

    class StatementFacts(Facts):
        rep_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        rep = serializers.CharField(source="rep.display_name", label=_("Sales rep"), read_only=True)
        target = money(_("Target"))
        sales = money(_("Sales"))
        achievement = percent(_("Achievement %"))
        collected = money(_("Collected"))
        earned = money(_("Earned"))
        clawback = money(_("Clawed back"))
        total = money(_("Commission"))

    class Statements(serializers.ListSerializer):
        def get_attribute(self, run):
            return run.statements.select_related("rep").order_by("-total", "rep_id")

    class CommissionRunFacts(DocumentFacts):
        """Every rep's commission of the month: target, sales, achievement, earned and clawed back."""

        number = serializers.CharField(label=_("Number"), read_only=True)
        month = serializers.DateField(label=_("Month"), read_only=True)
        computed_at = serializers.DateTimeField(label=_("Computed at"), read_only=True)
        total = money(_("Total commission"))
        statements = Statements(child=StatementFacts(), read_only=True, label=_("Reps"))

    class ProfitLineFacts(Facts):
        customer_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        customer = serializers.CharField(source="customer.name", label=_("Customer"), read_only=True)
        volume = quantity(_("Volume"))
        price = money(_("Average price"))
        margin_percent = percent(_("Gross margin %"), style=COST)
        promotion = money(_("Promotion"))
        expenses = money(_("Sales expenses"))
        revenue = money(_("Expected revenue"))
        profit = money(_("Expected profit"))

    class ProfitLines(serializers.ListSerializer):
        def get_attribute(self, plan):
            return plan.lines.select_related("customer").order_by("customer__name", "pk")

    class ProfitPlanFacts(DocumentFacts):
        """The rep's key customers of the month: volume, price, promotion, expenses and the
        expected revenue and profit (the margin only to those who may see costs)."""

        number = serializers.CharField(label=_("Number"), read_only=True)
        rep_id = serializers.IntegerField(read_only=True, style=HIDDEN)
        rep = serializers.CharField(source="rep.display_name", label=_("Sales rep"), read_only=True)
        team = serializers.CharField(source="team.name", label=_("Team"), read_only=True)
        month = serializers.DateField(label=_("Plan month"), read_only=True)
        status = serializers.ChoiceField(choices=ProfitPlan.Status.choices, label=_("Status"), read_only=True)
        revenue = money(_("Expected revenue"))
        profit = money(_("Expected profit"))
        note = serializers.CharField(label=_("Note"), read_only=True)
        lines = ProfitLines(child=ProfitLineFacts(), read_only=True, label=_("Customers"))

    return {
        "expense_claim": ExpenseClaimFacts,
        "sales_plan": SalesPlanFacts,
        "commission_run": CommissionRunFacts,
        "customer_profit_plan": ProfitPlanFacts,
    }


def _status_callbacks(decided, approved, *, rejected, draft, cancelled=None):
    return {
        "on_approved": lambda doc, request: approved(doc),
        "on_rejected": lambda doc, request: decided(doc, rejected),
        "on_returned": lambda doc, request: decided(doc, draft),
        "on_cancelled": lambda doc, request: decided(doc, cancelled or draft),
    }


def register_document_types() -> None:
    from salesops.targets import commissions, expenses, profit, services
    from salesops.targets.models import CommissionRun, ExpenseClaim, ProfitPlan, TargetPlan

    facts = _facts_types()
    register_document_type(
        DocumentType(
            key="sales_plan",
            label=_("Sales target plan"),
            model=TargetPlan,
            fields={"amount": _("Annual target")},
            values=lambda plan: {"amount": plan.total},
            summary=lambda plan: {
                "year": plan.year,
                "version": plan.version,
                "total": str(plan.total),
                "measure": plan.measure,
            },
            summary_labels={
                "year": _("Year"),
                "version": _("Version"),
                "total": _("Annual target"),
                "measure": _("Sales measure"),
            },
            version=services.plan_version,
            requester=lambda plan: plan.created_by,
            url=lambda plan: reverse("targets-plan", args=[plan.pk]),
            title=lambda plan: f"{plan.year} v{plan.version}",
            facts=facts["sales_plan"],
            **_status_callbacks(
                lambda plan, target: services.target_plan_decided(plan=plan, target=target),
                lambda plan: services.target_plan_approved(plan=plan),
                rejected=TargetPlan.Status.REJECTED,
                draft=TargetPlan.Status.DRAFT,
            ),
        )
    )
    register_document_type(
        DocumentType(
            key="commission_run",
            label=_("Commission run"),
            model=CommissionRun,
            fields={"amount": _("Total commission")},
            values=lambda run: {"amount": run.total},
            summary=commissions.run_summary,
            summary_labels={
                "number": _("Number"),
                "month": _("Month"),
                "reps": _("Reps"),
                "total": _("Total commission"),
            },
            requester=lambda run: run.created_by,
            url=lambda run: reverse("targets-commission-run", args=[run.pk]),
            title=lambda run: f"{run.number} {run.month:%Y-%m}",
            facts=facts["commission_run"],
            **_status_callbacks(
                lambda run, target: commissions.commission_run_decided(run=run, target=target),
                lambda run: commissions.commission_run_approved(run=run),
                rejected=CommissionRun.Status.REJECTED,
                draft=CommissionRun.Status.DRAFT,
            ),
        )
    )
    register_document_type(
        DocumentType(
            key="expense_claim",
            label=_("Sales expense claim"),
            model=ExpenseClaim,
            fields={
                "amount": _("Amount"),
                "over_budget": ConditionField(_("Over budget"), kind="bool"),
                "over_amount": _("Amount over budget"),
            },
            values=expenses.claim_values,
            summary=expenses.claim_summary,
            summary_labels={
                "number": _("Number"),
                "claimant": _("Claimant"),
                "type": _("Type"),
                "spent_on": _("Spent on"),
                "amount": _("Amount"),
                "budget_remaining": _("Budget remaining"),
                "over_budget": _("Over budget"),
                "description": _("What for"),
            },
            requester=lambda claim: claim.claimant,
            url=lambda claim: reverse("targets-claim", args=[claim.pk]),
            title=lambda claim: f"{claim.number} {claim.amount}",
            facts=facts["expense_claim"],
            **_status_callbacks(
                lambda claim, target: expenses.expense_claim_decided(claim=claim, target=target),
                lambda claim: expenses.expense_claim_decided(claim=claim, target=ExpenseClaim.Status.APPROVED),
                rejected=ExpenseClaim.Status.REJECTED,
                draft=ExpenseClaim.Status.REJECTED,
                cancelled=ExpenseClaim.Status.CANCELLED,
            ),
        )
    )
    register_document_type(
        DocumentType(
            key="customer_profit_plan",
            label=_("Customer profit plan"),
            model=ProfitPlan,
            fields={"revenue": _("Expected revenue"), "profit": _("Expected profit")},
            values=lambda plan: {"revenue": plan.revenue, "profit": plan.profit},
            summary=profit.plan_summary,
            summary_labels={
                "number": _("Number"),
                "rep": _("Sales rep"),
                "month": _("Month"),
                "customers": _("Customers"),
                "revenue": _("Expected revenue"),
                "profit": _("Expected profit"),
            },
            version=profit.plan_version,
            requester=lambda plan: plan.rep,
            url=lambda plan: reverse("targets-profit-plan", args=[plan.pk]),
            title=lambda plan: f"{plan.number} {plan.rep.display_name} {plan.month:%Y-%m}",
            facts=facts["customer_profit_plan"],
            **_status_callbacks(
                lambda plan, target: profit.profit_plan_decided(plan=plan, target=target),
                lambda plan: profit.profit_plan_decided(plan=plan, target=ProfitPlan.Status.APPROVED),
                rejected=ProfitPlan.Status.REJECTED,
                draft=ProfitPlan.Status.DRAFT,
            ),
        )
    )


def register_shell() -> None:
    from salesops.targets import home

    group = _("Performance")
    claimers = frozenset({Role.SALES_REP, Role.SALES_SUPERVISOR, Role.SALES_MANAGER})
    for item in [
        NavItem("targets-scorecard", _("Scorecards"), "targets-scorecard", SALES_ROLES, 300, group),
        NavItem("targets-plans", _("Targets"), "targets-plans", PLAN_READERS, 301, group),
        NavItem("targets-kpis", _("KPIs"), "targets-kpis", SALES_ROLES, 302, group),
        NavItem("targets-commissions", _("Commissions"), "targets-commissions", SALES_ROLES, 303, group),
        NavItem("targets-claims", _("Expense claims"), "targets-claims", SALES_ROLES, 304, group),
        NavItem("targets-budgets", _("Expense budgets"), "targets-budgets", PLAN_READERS, 305, group),
        NavItem("targets-profit-plans", _("Profit plans"), "targets-profit-plans", SALES_ROLES, 306, group),
        NavItem("targets-reviews", _("Business reviews"), "targets-reviews", PLAN_READERS, 307, group),
        NavItem("targets-dashboard", _("GM dashboard"), "targets-dashboard", MANAGERS | {Role.FINANCE}, 299, group),
    ]:
        registry.add_nav(item)
    registry.add_home(HomeSection("targets-figures", home.figures_section, EVERYONE_WITH_A_ROLE, 60))
    registry.add_home(HomeSection("targets-claims-new", home.claim_shortcut, claimers, 61))


def register() -> None:
    register_kpis()
    register_document_types()
    register_shell()
