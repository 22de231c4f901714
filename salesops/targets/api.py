"""REST endpoints of targets and performance under /api/v1/targets/: the KPI registry and
scorecards, the performance policy and scorecard weights, target plans and their splits,
commission rules, runs, statements and the estimate, expense budgets and claims, customer
profit plans and business reviews. Reads go through the selectors; writes through the
services the pages use."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.history import HistoryMixin
from salesops.core.api.routers import Router
from salesops.core.models import OrgUnit
from salesops.core.roles import Role
from salesops.targets import commissions, expenses, profit, review, selectors, services
from salesops.targets import serializers as s
from salesops.targets.kpis import kpis_for_user
from salesops.targets.models import CommissionRule, ExpenseType, ScorecardWeight, Target
from salesops.targets.periods import parse_period
from salesops.targets.scorecards import scorecard


class KpiListView(APIView):
    """The KPI registry: code, label, formula, owning area, unit and direction."""

    @extend_schema(responses=s.KpiSerializer(many=True))
    def get(self, request):
        data = [
            {
                "code": k.code,
                "label": str(k.label),
                "owner": k.owner,
                "unit": k.unit,
                "formula": str(k.formula),
                "higher_is_better": k.higher_is_better,
            }
            for k in kpis_for_user(request.user)
        ]
        return Response(s.KpiSerializer(data, many=True).data)


class ScorecardView(APIView):
    """Every KPI and the weighted score per rep, team or region for a period, ranked."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="2026-11, 2026-Q4, 2026-W48 or 2026"),
            OpenApiParameter("group_by", str, enum=["rep", "team", "region"]),
        ],
        responses=s.ScorecardRowSerializer(many=True),
    )
    def get(self, request):
        query = s.PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = parse_period(query.validated_data["period"])
        reps = selectors.reps_for_user(user=request.user)
        card = scorecard(reps=reps, period=period, group_by=query.validated_data["group_by"], user=request.user)
        rows = [
            {"key": r.key, "name": r.name, "rank": r.rank, "score": r.score, "values": r.values, "points": r.points}
            for r in card["rows"]
        ]
        totals = dict(card["totals"].values.items())
        return Response(
            {
                "period": period.key,
                "group_by": card["group_by"],
                "kpis": [k.code for k in card["kpis"]],
                "results": s.ScorecardRowSerializer(rows, many=True).data,
                "totals": s.ScorecardRowSerializer().fields["values"].to_representation(totals),
            }
        )


class PolicyView(APIView):
    """The company's performance policy: default sales measure and bad-debt days."""

    @extend_schema(responses=s.PolicySerializer)
    def get(self, request):
        return Response(s.PolicySerializer(services.performance_policy()).data)

    @extend_schema(request=s.PolicySerializer, responses=s.PolicySerializer)
    def patch(self, request):
        data = s.PolicySerializer(services.performance_policy(), data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        policy = services.performance_policy_update(data=data.validated_data, actor=request.user)
        return Response(s.PolicySerializer(policy).data)


class WeightViewSet(viewsets.ModelViewSet):
    """Scorecard weights: everyone reads; the GM, the sales director and administrators write."""

    serializer_class = s.WeightSerializer
    queryset = ScorecardWeight.objects.all()
    http_method_names = ["get", "post", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.scorecard_weight_save(actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.scorecard_weight_delete(line=instance, actor=self.request.user)


class TargetPlanViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    serializer_class = s.TargetPlanSerializer
    filterset_fields = ["year", "status"]
    ordering_fields = ["year", "version"]

    def get_queryset(self):
        return selectors.plan_list_for_user(user=self.request.user)

    @extend_schema(request=s.TargetPlanCreateSerializer, responses=s.TargetPlanSerializer)
    def create(self, request, *args, **kwargs):
        data = s.TargetPlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.target_plan_create(actor=request.user, **data.validated_data)
        return Response(s.TargetPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.TargetSerializer(many=True))
    @action(detail=True, methods=["get"])
    def targets(self, request, pk=None):
        plan = self.get_object()
        rows = selectors.target_rows_for_user(user=request.user, plan=plan)
        for name in ("level", "rep", "month"):
            if request.query_params.get(name):
                rows = rows.filter(**{name: request.query_params[name]})
        page = self.paginate_queryset(rows.order_by("month", "pk"))
        return self.get_paginated_response(s.TargetSerializer(page, many=True).data)

    @extend_schema(request=None, responses=s.TargetPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = services.target_plan_submit(plan=self.get_object(), actor=request.user)
        plan.refresh_from_db()
        return Response(s.TargetPlanSerializer(plan).data)

    @extend_schema(request=None, responses=s.TargetPlanSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        plan = services.target_plan_revise(plan=self.get_object(), actor=request.user)
        return Response(s.TargetPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SetChildrenSerializer, responses=s.TargetPlanSerializer)
    @action(detail=True, methods=["post"], url_path="set-children")
    def set_children(self, request, pk=None):
        plan = self.get_object()
        data = s.SetChildrenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = Target.objects.filter(plan=plan, pk=data.validated_data["parent"]).first()
            if parent is None:
                raise Http404
        amounts = {}
        for key, value in data.validated_data["amounts"].items():
            if not str(key).isdigit():
                from salesops.core.exceptions import ValidationFailed

                raise ValidationFailed(fields={"amounts": ["Keys are target ids."]})
            amounts[int(key)] = value
        plan = services.target_set_children(parent=parent, plan=plan, amounts=amounts, actor=request.user)
        return Response(s.TargetPlanSerializer(plan).data)

    @extend_schema(request=s.SplitRepSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="split-rep")
    def split_rep(self, request, pk=None):
        plan = self.get_object()
        data = s.SplitRepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = next((r for r in selectors.reps_for_user(user=request.user) if r.pk == data.validated_data["rep"]), None)
        if rep is None:
            raise Http404
        count = services.target_split_rep(
            plan=plan, rep=rep, by=data.validated_data["by"], method=data.validated_data["method"], actor=request.user
        )
        return Response({"targets": count})


class CommissionRuleViewSet(HistoryMixin, viewsets.ModelViewSet):
    """Commission rules: sales roles read them; administrators and the GM write."""

    serializer_class = s.CommissionRuleSerializer
    queryset = CommissionRule.objects.all()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = commissions.commission_rule_save(
            rule=None, data=serializer.validated_data, actor=self.request.user
        )

    def perform_update(self, serializer):
        serializer.instance = commissions.commission_rule_save(
            rule=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )


class CommissionRunViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Monthly runs (finance, sales director, GM): compute an ended month, submit for approval."""

    serializer_class = s.CommissionRunSerializer
    ordering_fields = ["month"]

    def get_queryset(self):
        return selectors.commission_run_list_for_user(user=self.request.user)

    @extend_schema(request=s.MonthSerializer, responses=s.CommissionRunSerializer)
    def create(self, request, *args, **kwargs):
        data = s.MonthSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = commissions.commission_run_create(month=data.validated_data["month"], actor=request.user)
        return Response(s.CommissionRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CommissionRunSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        run = commissions.commission_run_submit(run=self.get_object(), actor=request.user)
        run.refresh_from_db()
        return Response(s.CommissionRunSerializer(run).data)


class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Commission statements: a rep's own (approved runs), their people's, or all."""

    serializer_class = s.CommissionStatementSerializer
    filterset_fields = ["run", "rep"]

    def get_queryset(self):
        return (
            selectors.statement_list_for_user(user=self.request.user)
            .prefetch_related("lines")
            .order_by("-run__month", "pk")
        )


class EstimateView(APIView):
    """The rep's commission so far this month (nothing stored)."""

    @extend_schema(responses=s.EstimateSerializer)
    def get(self, request):
        if Role.SALES_REP not in request.user.roles:
            raise PermissionDenied()
        data = commissions.commission_estimate(rep=request.user)
        return Response(s.EstimateSerializer(data).data)


class ExpenseTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ExpenseTypeSerializer
    queryset = ExpenseType.objects.filter(active=True)
    pagination_class = None


class BudgetViewSet(viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Budget lines; POST sets one (team, optional rep, month, type) — created or changed."""

    serializer_class = s.BudgetSerializer
    filterset_fields = ["team", "rep", "month", "expense_type"]

    def get_queryset(self):
        return selectors.budget_list_for_user(user=self.request.user).order_by("-month", "pk")

    def create(self, request, *args, **kwargs):
        data = s.BudgetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        budget = expenses.expense_budget_set(
            actor=request.user,
            **{k: data.validated_data.get(k) for k in ("team", "rep", "month", "expense_type", "amount")},
        )
        return Response(s.BudgetSerializer(budget).data, status=status.HTTP_201_CREATED)


class ClaimViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Expense claims: file one (approval against the remaining budget), list, withdraw."""

    serializer_class = s.ClaimSerializer
    filterset_fields = ["status", "over_budget", "claimant", "month"]
    search_fields = ["number", "description"]
    ordering_fields = ["spent_on", "amount"]

    def get_queryset(self):
        return selectors.claim_list_for_user(user=self.request.user).order_by("-spent_on", "-pk")

    @extend_schema(request=s.ClaimCreateSerializer, responses=s.ClaimSerializer)
    def create(self, request, *args, **kwargs):
        data = s.ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = expenses.expense_claim_submit(
            actor=request.user,
            expense_type=values["expense_type"],
            spent_on_day=values["spent_on"],
            amount=values["amount"],
            description=values["description"],
        )
        claim.refresh_from_db()
        return Response(s.ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        claim = expenses.expense_claim_cancel(claim=self.get_object(), actor=request.user)
        return Response(s.ClaimSerializer(claim).data)


class ProfitPlanViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Customer profit plans. POST saves the caller's plan for a month (and submits it with
    `submit: true`); the first submission meets the SOP deadline of the 20th."""

    serializer_class = s.ProfitPlanSerializer
    filterset_fields = ["month", "status", "rep"]

    def get_queryset(self):
        return (
            selectors.profit_plan_list_for_user(user=self.request.user)
            .prefetch_related("lines")
            .order_by("-month", "pk")
        )

    @extend_schema(request=s.ProfitPlanSaveSerializer, responses=s.ProfitPlanSerializer)
    def create(self, request, *args, **kwargs):
        data = s.ProfitPlanSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = profit.profit_plan_save(
            rep=request.user, month=values["month"], lines=values["lines"], note=values["note"], actor=request.user
        )
        if values["submit"]:
            plan = profit.profit_plan_submit(plan=plan, actor=request.user)
        plan.refresh_from_db()
        return Response(s.ProfitPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ProfitPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = profit.profit_plan_submit(plan=self.get_object(), actor=request.user)
        plan.refresh_from_db()
        return Response(s.ProfitPlanSerializer(plan).data)


class ReviewViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet, mixins.CreateModelMixin):
    """Business reviews: prepare (or refresh) a unit's pack, add actions, mark held."""

    serializer_class = s.BusinessReviewSerializer
    filterset_fields = ["month", "unit", "status"]

    def get_queryset(self):
        return (
            selectors.review_list_for_user(user=self.request.user).prefetch_related("actions").order_by("-month", "pk")
        )

    @extend_schema(request=s.ReviewPrepareSerializer, responses=s.BusinessReviewSerializer)
    def create(self, request, *args, **kwargs):
        data = s.ReviewPrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = get_object_or_404(OrgUnit, pk=data.validated_data["unit"])
        item = review.review_prepare(month=data.validated_data["month"], unit=unit, actor=request.user)
        return Response(s.BusinessReviewSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReviewActionSerializer, responses=s.ReviewActionSerializer)
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        item = self.get_object()
        data = s.ReviewActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = review.review_action_add(
            review=item,
            issue=values["issue"],
            action=values["action"],
            owner=values["owner"],
            due_date=values["due_date"],
            actor=request.user,
        )
        return Response(s.ReviewActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.HoldSerializer, responses=s.BusinessReviewSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        data = s.HoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = review.review_hold(review=self.get_object(), summary=data.validated_data["summary"], actor=request.user)
        return Response(s.BusinessReviewSerializer(item).data)


class ReviewActionDoneView(APIView):
    @extend_schema(request=s.OutcomeSerializer, responses=s.ReviewActionSerializer)
    def post(self, request, pk):
        from salesops.targets.models import ReviewAction

        item = ReviewAction.objects.filter(pk=pk).first()
        visible = item is not None and (
            item.owner_id == request.user.pk
            or selectors.review_list_for_user(user=request.user).filter(pk=item.review_id).exists()
        )
        if not visible:
            raise Http404
        data = s.OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = review.review_action_done(item=item, outcome=data.validated_data["outcome"], actor=request.user)
        return Response(s.ReviewActionSerializer(item).data)


router = Router()
router.register("targets/weights", WeightViewSet, basename="targets-weight")
router.register("targets/plans", TargetPlanViewSet, basename="targets-plan")
router.register("targets/commission-rules", CommissionRuleViewSet, basename="targets-commission-rule")
router.register("targets/commission-runs", CommissionRunViewSet, basename="targets-commission-run")
router.register("targets/commission-statements", StatementViewSet, basename="targets-commission-statement")
router.register("targets/expense-types", ExpenseTypeViewSet, basename="targets-expense-type")
router.register("targets/budgets", BudgetViewSet, basename="targets-budget")
router.register("targets/claims", ClaimViewSet, basename="targets-claim")
router.register("targets/profit-plans", ProfitPlanViewSet, basename="targets-profit-plan")
router.register("targets/reviews", ReviewViewSet, basename="targets-review")

urlpatterns = [
    path("targets/kpis/", KpiListView.as_view(), name="targets-kpis-api"),
    path("targets/scorecard/", ScorecardView.as_view(), name="targets-scorecard-api"),
    path("targets/policy/", PolicyView.as_view(), name="targets-policy-api"),
    path("targets/commission-estimate/", EstimateView.as_view(), name="targets-estimate-api"),
    path(
        "targets/review-actions/<int:pk>/done/", ReviewActionDoneView.as_view(), name="targets-review-action-done-api"
    ),
    *router.urls,
]
