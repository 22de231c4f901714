"""REST endpoints of credit and collections. Reads go through the scoped selectors (a record
the caller may not see answers 404); writes need the role and call the same services as the
pages. `POST /receipts/` honours an `Idempotency-Key` header."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core import bounds
from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.export import XLSX_TYPE
from salesops.core.models import User
from salesops.core.roles import SALES_ROLES, Role
from salesops.credit import receipts as receipt_services
from salesops.credit import services, statements
from salesops.credit.ageing import BUCKETS, GROUPS, ageing_detail_for_user, ageing_for_user
from salesops.credit.ledger import month_end, month_start
from salesops.credit.selectors import (
    CREDIT_MANAGER_ROLES,
    collections_by_rep_and_day,
    credit_file_list_for_user,
    credit_summary_for_customer,
    escalation_list_for_user,
    is_credit_manager,
    limit_request_list_for_user,
    receipt_list_for_user,
    reconciliation_list_for_user,
    review_list_for_user,
    statement_list_for_user,
    statement_run_list_for_user,
)
from salesops.credit.serializers import (
    AllocateSerializer,
    CreditFileOpenSerializer,
    CreditFileSerializer,
    CreditFileUpdateSerializer,
    CreditLimitRequestSerializer,
    CreditReviewSerializer,
    CreditSummarySerializer,
    EscalationSerializer,
    PaymentHistorySerializer,
    ReceiptCreateSerializer,
    ReceiptOrderSerializer,
    ReceiptReverseSerializer,
    ReceiptSerializer,
    ReconciliationOpenSerializer,
    ReconciliationSerializer,
    ReconciliationSignSerializer,
    StatementConfirmSerializer,
    StatementCreateSerializer,
    StatementRunSerializer,
    StatementSerializer,
)
from salesops.crm.selectors import customer_list_for_user

FINANCE = frozenset({Role.FINANCE, Role.SYSADMIN})
CREDIT_REQUESTERS = frozenset(SALES_ROLES | {Role.FINANCE})


def visible_customer(user, pk):
    customer = customer_list_for_user(user=user).filter(pk=pk).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def parse_date(value: str | None, name: str, default: datetime.date) -> datetime.date:
    if not value:
        return default
    try:
        return bounds.parse_date(value)
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages})


class CustomerCreditView(APIView):
    """A customer's credit: limit, exposure, available and overdue amounts (404 when not visible)."""

    @extend_schema(responses=CreditSummarySerializer)
    def get(self, request, pk: int):
        customer = customer_list_for_user(user=request.user).filter(pk=pk).first()
        if customer is None:
            raise Http404
        summary = credit_summary_for_customer(customer=customer)
        return Response(CreditSummarySerializer(summary).data)


class CreditFileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, HistoryMixin, viewsets.GenericViewSet
):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = FINANCE
    serializer_class = CreditFileSerializer
    filterset_fields = ["grade", "active"]
    search_fields = ["customer__name", "customer__code"]
    ordering_fields = ["customer__name", "limit", "review_due"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return credit_file_list_for_user(user=self.request.user).order_by("customer__name", "pk")

    @extend_schema(request=CreditFileOpenSerializer, responses={201: CreditFileSerializer})
    def create(self, request):
        data = CreditFileOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = visible_customer(request.user, values.pop("customer"))
        credit_file = services.credit_file_open(customer=customer, actor=request.user, **values)
        return Response(CreditFileSerializer(credit_file).data, status=201)

    @extend_schema(request=CreditFileUpdateSerializer, responses=CreditFileSerializer)
    def partial_update(self, request, pk=None):
        credit_file = self.get_object()
        data = CreditFileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        credit_file = services.credit_file_update(credit_file=credit_file, data=data.validated_data, actor=request.user)
        return Response(CreditFileSerializer(credit_file).data)

    @extend_schema(responses=PaymentHistorySerializer)
    @action(detail=True, methods=["get"], url_path="payment-history")
    def payment_history(self, request, pk=None):
        """Payment behaviour since the last review (what the review page pre-fills)."""
        credit_file = self.get_object()
        if not is_credit_manager(request.user):
            raise Http404
        today = timezone.localdate()
        history = services.payment_history_for(
            customer_id=credit_file.customer_id, since=services.review_period_start(credit_file, today), until=today
        )
        return Response(PaymentHistorySerializer(history).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("AppliedOnAccount", {"allocations": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"], url_path="apply-on-account", pagination_class=None)
    def apply_on_account(self, request, pk=None):
        credit_file = self.get_object()
        made = receipt_services.customer_apply_credit_on_account(customer=credit_file.customer, actor=request.user)
        return Response({"allocations": len(made)})


class CreditReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, HistoryMixin, viewsets.GenericViewSet
):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = FINANCE
    serializer_class = CreditReviewSerializer
    filterset_fields = ["credit_file", "grade"]

    def get_queryset(self):
        return review_list_for_user(user=self.request.user)

    def create(self, request):
        data = CreditReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        credit_file = credit_file_list_for_user(user=request.user).filter(pk=values.pop("credit_file").pk).first()
        if credit_file is None:
            raise ValidationError({"credit_file": [_("No such credit file.")]})
        review = services.credit_review_create(credit_file=credit_file, actor=request.user, **values)
        return Response(CreditReviewSerializer(review).data, status=201)


class CreditLimitRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, HistoryMixin, viewsets.GenericViewSet
):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = CREDIT_REQUESTERS
    serializer_class = CreditLimitRequestSerializer
    filterset_fields = ["status", "credit_file"]

    def get_queryset(self):
        return limit_request_list_for_user(user=self.request.user)

    def create(self, request):
        data = CreditLimitRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        credit_file = credit_file_list_for_user(user=request.user).filter(pk=values.pop("credit_file").pk).first()
        if credit_file is None:
            raise ValidationError({"credit_file": [_("No such credit file.")]})
        limit_request = services.limit_request_create(credit_file=credit_file, actor=request.user, **values)
        return Response(CreditLimitRequestSerializer(limit_request).data, status=201)

    @extend_schema(request=None, responses=CreditLimitRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        limit_request = services.limit_request_submit(limit_request=self.get_object(), actor=request.user)
        return Response(CreditLimitRequestSerializer(limit_request).data)

    @extend_schema(request=None, responses=CreditLimitRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        limit_request = services.limit_request_cancel(limit_request=self.get_object(), actor=request.user)
        return Response(CreditLimitRequestSerializer(limit_request).data)


class ReceiptViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, HistoryMixin, viewsets.GenericViewSet
):
    """Money received. Reps record what they handed to the cashier; finance confirms and
    allocates. Send an `Idempotency-Key` header to make a retried POST safe."""

    permission_classes = [HasRole]
    required_roles = None
    write_roles = CREDIT_REQUESTERS
    serializer_class = ReceiptSerializer
    filterset_fields = ["status", "method", "customer", "handed_by"]
    search_fields = ["number", "customer__name", "bank_reference"]
    ordering_fields = ["received_on", "amount", "number"]

    def get_queryset(self):
        return receipt_list_for_user(user=self.request.user).prefetch_related("allocations__invoice")

    def _finance_only(self):
        if not self.request.user.has_role(*FINANCE):
            self.permission_denied(self.request, message=_("Only finance can do this."))

    def _order(self, pk):
        """An order the caller may see (None when not given)."""
        if pk is None:
            return None
        from salesops.sales.selectors import order_list_for_user

        order = order_list_for_user(user=self.request.user).filter(pk=pk).first()
        if order is None:
            raise ValidationError({"order": [_("No such order.")]})
        return order

    def _answer(self, receipt):
        """The receipt as stored, with the orders the action released."""
        answer = self.get_queryset().get(pk=receipt.pk)
        answer.released_orders = getattr(receipt, "released_orders", [])
        return Response(ReceiptSerializer(answer).data)

    @extend_schema(
        request=ReceiptCreateSerializer,
        responses={201: ReceiptSerializer, 200: ReceiptSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request):
        data = ReceiptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["customer"] = visible_customer(request.user, values["customer"])
        values["order"] = self._order(values.pop("order", None))
        handed_by = values.pop("handed_by", None)
        if handed_by:
            values["handed_by"] = get_object_or_404(User, pk=handed_by, is_active=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            receipt, created = receipt_services.receipt_record_idempotent(key=key, actor=request.user, **values)
        else:
            receipt, created = receipt_services.receipt_record(actor=request.user, **values), True
        response = self._answer(receipt)
        response.status_code = 201 if created else 200
        return response

    @extend_schema(request=AllocateSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Finance confirms the money (optionally for an order); the customer's orders waiting
        for money are decided again and those it covers are confirmed."""
        receipt = self.get_object()
        self._finance_only()
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = receipt_services.receipt_confirm(
            receipt=receipt,
            actor=request.user,
            invoices=data.validated_data.get("invoices"),
            order=self._order(data.validated_data.get("order")),
        )
        return self._answer(receipt)

    @extend_schema(request=AllocateSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        receipt = self.get_object()
        self._finance_only()
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amounts = data.validated_data.get("amounts")
        receipt_services.receipt_allocate(
            receipt=receipt, actor=request.user, invoices=data.validated_data.get("invoices"), amounts=amounts or None
        )
        return self._answer(receipt)

    @extend_schema(request=ReceiptOrderSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"], url_path="for-order")
    def for_order(self, request, pk=None):
        """Finance sets money not yet allocated against one open order of the customer."""
        receipt = self.get_object()
        self._finance_only()
        data = ReceiptOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = receipt_services.receipt_assign_order(
            receipt=receipt, order=self._order(data.validated_data["order"]), actor=request.user
        )
        return self._answer(receipt)

    @extend_schema(request=ReceiptReverseSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Confirmed money that did not arrive (a bounced cheque): reversed on a date."""
        receipt = self.get_object()
        self._finance_only()
        data = ReceiptReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = receipt_services.receipt_reverse(receipt=receipt, actor=request.user, **data.validated_data)
        return self._answer(receipt)

    @extend_schema(request=None, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        receipt = self.get_object()
        if not (request.user.has_role(*FINANCE) or receipt.recorded_by_id == request.user.pk):
            self.permission_denied(request)
        receipt_services.receipt_cancel(receipt=receipt, actor=request.user, note=str(request.data.get("note", "")))
        return self._answer(receipt)


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = FINANCE
    serializer_class = StatementSerializer
    filterset_fields = ["status", "customer", "period_start"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return statement_list_for_user(user=self.request.user)

    @extend_schema(request=StatementCreateSerializer, responses={201: StatementSerializer})
    def create(self, request):
        data = StatementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = visible_customer(request.user, data.validated_data["customer"])
        statement = statements.statement_create(
            customer=customer, period_start=data.validated_data["month"], actor=request.user
        )
        return Response(StatementSerializer(statement).data, status=201)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        statement = self.get_object()
        response = HttpResponse(statements.statement_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
        return response

    @extend_schema(request=None, responses=StatementSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        statement = statements.statement_send(
            statement=self.get_object(), actor=request.user, to=str(request.data.get("to", ""))
        )
        return Response(StatementSerializer(statement).data)

    @extend_schema(request=StatementConfirmSerializer, responses=StatementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        statement = self.get_object()
        data = StatementConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = statements.statement_confirm(statement=statement, actor=request.user, **data.validated_data)
        return Response(StatementSerializer(statement).data)


class StatementRunViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = FINANCE
    serializer_class = StatementRunSerializer

    def get_queryset(self):
        return statement_run_list_for_user(user=self.request.user)

    @extend_schema(request=StatementRunSerializer, responses={202: StatementRunSerializer})
    def create(self, request):
        data = StatementRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = statements.statement_run_start(
            period_start=data.validated_data["period_start"],
            actor=request.user,
            send_email=data.validated_data.get("send_email", False),
        )
        run.refresh_from_db()
        return Response(StatementRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ReconciliationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, HistoryMixin, viewsets.GenericViewSet):
    permission_classes = [HasRole]
    required_roles = None
    write_roles = frozenset({Role.SALES_REP, *FINANCE})
    serializer_class = ReconciliationSerializer
    filterset_fields = ["status", "rep", "period_start"]

    def get_queryset(self):
        return reconciliation_list_for_user(user=self.request.user)

    @extend_schema(request=ReconciliationOpenSerializer, responses={201: ReconciliationSerializer})
    def create(self, request):
        data = ReconciliationOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = request.user
        if data.validated_data.get("rep") and data.validated_data["rep"] != request.user.pk:
            if not request.user.has_role(*FINANCE):
                self.permission_denied(request)
            rep = get_object_or_404(User, pk=data.validated_data["rep"])
        reconciliation = statements.reconciliation_open(
            rep=rep, period_start=data.validated_data["month"], actor=request.user
        )
        return Response(ReconciliationSerializer(reconciliation).data, status=201)

    @extend_schema(request=ReconciliationSignSerializer, responses=ReconciliationSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        reconciliation = self.get_object()
        data = ReconciliationSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if request.user.pk == reconciliation.rep_id:
            if "rep_balance" not in values:
                raise ValidationError({"rep_balance": [_("Enter the balance by your own records.")]})
            reconciliation = statements.reconciliation_rep_sign(
                reconciliation=reconciliation,
                actor=request.user,
                rep_balance=values["rep_balance"],
                note=values.get("note", ""),
            )
        elif request.user.has_role(*FINANCE):
            reconciliation = statements.reconciliation_finance_sign(
                reconciliation=reconciliation,
                actor=request.user,
                accept=values.get("accept", True),
                note=values.get("note", ""),
            )
        else:
            self.permission_denied(request)
        return Response(ReconciliationSerializer(reconciliation).data)


class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EscalationSerializer
    filterset_fields = ["customer", "level"]

    def get_queryset(self):
        return escalation_list_for_user(user=self.request.user)


def _money(value) -> str:
    return f"{value:.2f}"


class AgeingView(APIView):
    """AR ageing at any date, grouped by customer, rep or team (only what the caller may see):
    open documents by days past due and their total, money on account, and the balance."""

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", datetime.date, required=False),
            OpenApiParameter("group_by", str, enum=list(GROUPS), required=False),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        as_of = parse_date(request.query_params.get("as_of"), "as_of", timezone.localdate())
        group_by = request.query_params.get("group_by", "customer")
        if group_by not in GROUPS:
            raise ValidationError({"group_by": [_("Choose customer, rep or team.")]})
        data = ageing_for_user(user=request.user, as_of=as_of, group_by=group_by)
        names = [key for key, _label in BUCKETS]
        return Response(
            {
                "as_of": as_of.isoformat(),
                "group_by": group_by,
                "buckets": [{"key": key, "label": str(label)} for key, label in BUCKETS],
                "rows": [
                    {
                        "key": row["key"],
                        "name": row["name"],
                        "code": row["code"],
                        **{name: _money(row[name]) for name in [*names, "total", "on_account", "balance"]},
                    }
                    for row in data["rows"]
                ],
                "totals": {name: _money(value) for name, value in data["totals"].items()},
            }
        )


class AgeingInvoicesView(APIView):
    """Drill-down: the invoices behind one ageing row (?as_of=&group_by=&key=)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        as_of = parse_date(request.query_params.get("as_of"), "as_of", timezone.localdate())
        group_by = request.query_params.get("group_by", "customer")
        if group_by not in GROUPS:
            raise ValidationError({"group_by": [_("Choose customer, rep or team.")]})
        try:
            key = int(request.query_params.get("key", ""))
        except ValueError:
            raise ValidationError({"key": [_("Give the id of the row to open.")]})
        rows = ageing_detail_for_user(user=request.user, as_of=as_of, group_by=group_by, key=key)
        return Response(
            [
                {
                    "invoice": row["invoice"].pk,
                    "number": row["invoice"].number,
                    "customer": row["invoice"].customer.name,
                    "rep": row["invoice"].rep.display_name,
                    "issue_date": row["invoice"].issue_date.isoformat(),
                    "due_date": row["invoice"].due_date.isoformat(),
                    "open_amount": _money(row["open_amount"]),
                    "days_overdue": row["days_overdue"],
                    "bucket": row["bucket"],
                }
                for row in rows
            ]
        )


class ArPackView(APIView):
    """The AR analysis pack (业务往来余额表) for a period as an Excel workbook."""

    @extend_schema(
        parameters=[OpenApiParameter("from", datetime.date), OpenApiParameter("to", datetime.date)],
        responses={(200, XLSX_TYPE): bytes},
    )
    def get(self, request):
        if not (
            request.user.is_superuser
            or request.user.roles & (CREDIT_MANAGER_ROLES | {Role.SALES_MANAGER, Role.SALES_ADMIN})
        ):
            raise Http404
        today = timezone.localdate()
        start = parse_date(request.query_params.get("from"), "from", month_start(today))
        end = parse_date(request.query_params.get("to"), "to", month_end(today))
        if end < start:
            raise ValidationError({"to": [_("The end is before the start.")]})
        response = HttpResponse(
            statements.ar_pack_xlsx(user=request.user, start=start, end=end), content_type=XLSX_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="ar-pack-{start}-{end}.xlsx"'
        return response


class CollectionsByDayView(APIView):
    """Collections handed to the cashier per rep and day (?from=&to=): daily report lines."""

    @extend_schema(
        responses=inline_serializer(
            "CollectionsOfADay",
            {
                "rep_id": serializers.IntegerField(allow_null=True),
                "rep": serializers.CharField(allow_null=True),
                "day": serializers.DateField(),
                "count": serializers.IntegerField(),
                "amount": serializers.CharField(),
            },
            many=True,
        )
    )
    def get(self, request):
        today = timezone.localdate()
        start = parse_date(request.query_params.get("from"), "from", today)
        end = parse_date(request.query_params.get("to"), "to", today)
        rows = collections_by_rep_and_day(user=request.user, date_from=start, date_to=end)
        return Response([{**row, "day": row["day"].isoformat(), "amount": _money(row["amount"])} for row in rows])


router = Router()
router.register("credit-files", CreditFileViewSet, basename="credit-file")
router.register("credit-reviews", CreditReviewViewSet, basename="credit-review")
router.register("credit-limit-requests", CreditLimitRequestViewSet, basename="credit-limit-request")
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("statements", StatementViewSet, basename="statement")
router.register("statement-runs", StatementRunViewSet, basename="statement-run")
router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")
router.register("collection-escalations", EscalationViewSet, basename="collection-escalation")

urlpatterns = [
    path("customers/<int:pk>/credit/", CustomerCreditView.as_view(), name="api-customer-credit"),
    path("receivables/ageing/", AgeingView.as_view(), name="api-ageing"),
    path("receivables/ageing/invoices/", AgeingInvoicesView.as_view(), name="api-ageing-invoices"),
    path("receivables/ar-pack/", ArPackView.as_view(), name="api-ar-pack"),
    path("receivables/collections-by-day/", CollectionsByDayView.as_view(), name="api-collections-by-day"),
    *router.urls,
]
