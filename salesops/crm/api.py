"""REST endpoints of the customer area; the same services as the pages."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.history import HistoryMixin
from salesops.core.api.permissions import HasRole
from salesops.core.api.routers import Router
from salesops.core.exceptions import PermissionDenied
from salesops.core.models import User
from salesops.core.roles import SALES_ROLES, UNIT_ROLES, Role
from salesops.crm import imports, selectors, services
from salesops.crm.grading import grading_run
from salesops.crm.ical import activities_ics
from salesops.crm.matching import ownership_keys
from salesops.crm.models import CustomerImport, KeyAccountFile, ReassignmentBatch
from salesops.crm.privacy import NAME_ONLY_ROLES, can_see_contact_details
from salesops.crm.serializers import (
    ActivitySerializer,
    AddressSerializer,
    ComplaintActionSerializer,
    ComplaintSerializer,
    ConflictSerializer,
    ContactSerializer,
    CustomerDetailSerializer,
    CustomerGradeSerializer,
    CustomerImportSerializer,
    CustomerSerializer,
    DecideSerializer,
    DirectorySerializer,
    GradingRunSerializer,
    ImportCommitSerializer,
    ImportUploadSerializer,
    KeyAccountSerializer,
    LeadRegisterSerializer,
    MoveSerializer,
    OpportunitySerializer,
    OwnConflictSerializer,
    OwnershipChangeSerializer,
    OwnershipCheckSerializer,
    ReassignmentBatchSerializer,
    ReassignSerializer,
    StageSerializer,
)

SUPERVISORS = frozenset(UNIT_ROLES | {Role.SALES_DIRECTOR, Role.SALES_ADMIN, Role.SYSADMIN})


class LoggedContactListMixin:
    """A list that hands out phones and e-mails in bulk is an export of personal data: each
    page served with them unmasked leaves a PersonalDataExport record."""

    export_what = "api"

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200 and can_see_contact_details(request.user):
            results = response.data.get("results", []) if isinstance(response.data, dict) else response.data
            if results:
                services.personal_data_export_log(
                    user=request.user, what=self.export_what, rows=len(results), query=request.GET.urlencode()
                )
        return response


class SalesViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRole]
    required_roles = SALES_ROLES
    write_roles = SALES_ROLES


class CustomerViewSet(
    LoggedContactListMixin,
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    SalesViewSet,
):
    """Customers the caller may see (a rep their own, a supervisor their team's, …)."""

    export_what = "api:customers"

    filterset_fields = ["status", "channel", "owner", "team", "kind", "grade", "in_pool"]
    search_fields = ["search_key", "code"]
    ordering_fields = ["name", "code", "created_at", "status", "grade"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.customer_list_for_user(user=self.request.user)

    def get_serializer_class(self):
        return CustomerDetailSerializer if self.action == "retrieve" else CustomerSerializer

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, data=serializer.validated_data, actor=self.request.user
        )

    @action(detail=True, methods=["post"], serializer_class=ContactSerializer)
    def contacts(self, request, pk=None):
        customer = self.get_object()
        data = ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_create(customer=customer, actor=request.user, **data.validated_data)
        return Response(ContactSerializer(contact, context={"request": request}).data, status=201)

    @action(detail=True, methods=["post"], serializer_class=AddressSerializer)
    def addresses(self, request, pk=None):
        customer = self.get_object()
        data = AddressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.address_create(customer=customer, actor=request.user, **data.validated_data)
        return Response(AddressSerializer(address).data, status=201)

    @extend_schema(responses=OwnershipChangeSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=OwnershipChangeSerializer,
        url_path="owner-history",
        pagination_class=None,
    )
    def owner_history(self, request, pk=None):
        customer = self.get_object()
        return Response(OwnershipChangeSerializer(selectors.ownership_history(customer=customer), many=True).data)

    @extend_schema(responses=CustomerGradeSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=CustomerGradeSerializer, pagination_class=None)
    def grades(self, request, pk=None):
        customer = self.get_object()
        return Response(CustomerGradeSerializer(selectors.grade_history(customer=customer), many=True).data)

    @action(detail=True, methods=["get", "put"], serializer_class=KeyAccountSerializer, url_path="key-account")
    def key_account(self, request, pk=None):
        customer = self.get_object()
        if request.method == "GET":
            record = KeyAccountFile.objects.filter(customer=customer).first()
            if record is None:
                raise NotFound()
            return Response(KeyAccountSerializer(record).data)
        data = KeyAccountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.key_account_save(customer=customer, actor=request.user, data=data.validated_data)
        return Response(KeyAccountSerializer(record).data)

    @action(detail=True, methods=["post"], url_path="claim", serializer_class=None)
    def claim(self, request, pk=None):
        customer = selectors.pool_list_for_user(user=request.user).filter(pk=pk).first()
        if customer is None:
            raise NotFound()
        customer = services.pool_claim(customer=customer, actor=request.user)
        return Response(CustomerSerializer(customer, context={"request": request}).data)


class DirectoryViewSet(LoggedContactListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Customer names for roles that need only the name; contact details masked."""

    export_what = "api:directory"

    permission_classes = [HasRole]
    required_roles = SALES_ROLES | NAME_ONLY_ROLES
    serializer_class = DirectorySerializer
    search_fields = ["search_key", "code"]
    ordering_fields = ["name", "code"]

    def get_queryset(self):
        return selectors.customer_directory_for_user(user=self.request.user)


class LeadPoolViewSet(LoggedContactListMixin, mixins.ListModelMixin, SalesViewSet):
    export_what = "api:lead-pool"
    serializer_class = DirectorySerializer
    search_fields = ["search_key"]
    ordering_fields = ["pooled_at", "name"]

    def get_queryset(self):
        return selectors.pool_list_for_user(user=self.request.user)


class LeadRegisterView(APIView):
    """来电登记 / 来访登记. 201 with the customer; 409 `ownership_conflict` naming whom to talk to."""

    permission_classes = [HasRole]
    required_roles = SALES_ROLES

    @extend_schema(request=LeadRegisterSerializer, responses={201: CustomerSerializer})
    def post(self, request):
        data = LeadRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.lead_register(actor=request.user, **data.validated_data)
        return Response(CustomerSerializer(customer, context={"request": request}).data, status=201)


class OwnershipCheckView(APIView):
    """Is this prospect free? Answers only free / yours / taken / in_pool: no details of others."""

    permission_classes = [HasRole]
    required_roles = SALES_ROLES

    @extend_schema(parameters=[OwnershipCheckSerializer], responses={200: dict})
    def get(self, request):
        data = OwnershipCheckSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        keys = ownership_keys(
            name=values["name"],
            kind=values["kind"],
            phones=[values["phone"]],
            emails=[values["email"]],
            tax_id=values["tax_id"],
        )
        match = services.ownership_match(keys)
        if match is None:
            return Response({"status": "free"})
        holder = match.customer
        if holder.in_pool:
            return Response({"status": "in_pool", "customer": holder.pk})
        if holder.owner_id == request.user.pk:
            return Response({"status": "yours", "customer": holder.pk})
        supervisor = services.supervisor_of(holder.owner)
        return Response({"status": "taken", "talk_to": supervisor.display_name if supervisor else ""})


class ConflictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet):
    filterset_fields = ["status", "matched_on"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.conflict_list_for_user(user=self.request.user)

    def get_serializer_class(self):
        if self.request.user.roles & SUPERVISORS:
            return ConflictSerializer
        return OwnConflictSerializer

    @extend_schema(request=DecideSerializer, responses=ConflictSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        if not request.user.roles & SUPERVISORS:
            raise PermissionDenied()
        conflict = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = services.conflict_decide(
            conflict=conflict, actor=request.user, assign=data.validated_data["decision"] == "assign"
        )
        return Response(ConflictSerializer(conflict).data)


class ReassignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet):
    serializer_class = ReassignmentBatchSerializer
    required_roles = SUPERVISORS
    write_roles = SUPERVISORS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return ReassignmentBatch.objects.none()
        return selectors.reassignment_list_for_user(user=self.request.user)

    @extend_schema(request=ReassignSerializer, responses={201: ReassignmentBatchSerializer})
    def create(self, request):
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reps = selectors.reps_for_user(user=request.user)
        from_owner = User.objects.filter(pk=values["from_owner"]).first()
        to_owner = reps.filter(pk=values["to_owner"]).first()
        if from_owner is None or to_owner is None:
            raise NotFound()
        batch = services.reassignment_start(
            actor=request.user,
            from_owner=from_owner,
            to_owner=to_owner,
            reason=values["reason"],
            customer_ids=values.get("customer_ids"),
        )
        batch.refresh_from_db()
        return Response(ReassignmentBatchSerializer(batch).data, status=201)


class StageViewSet(mixins.ListModelMixin, SalesViewSet):
    serializer_class = StageSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.stage_list()


class OpportunityViewSet(
    HistoryMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    SalesViewSet,
):
    serializer_class = OpportunitySerializer
    filterset_fields = ["stage", "owner", "team", "customer"]
    search_fields = ["name", "code", "customer__search_key"]
    ordering_fields = ["expected_close", "amount", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.opportunity_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        if not selectors.customer_list_for_user(user=self.request.user).filter(pk=customer.pk).exists():
            raise NotFound()
        serializer.instance = services.opportunity_create(actor=self.request.user, customer=customer, **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "customer"}
        serializer.instance = services.opportunity_update(
            opportunity=serializer.instance, data=data, actor=self.request.user
        )

    @extend_schema(request=MoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        opportunity = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opportunity = services.opportunity_move(
            opportunity=opportunity,
            stage=data.validated_data["stage"],
            actor=request.user,
            loss_reason=data.validated_data["loss_reason"],
        )
        return Response(OpportunitySerializer(opportunity).data)


class PipelineView(APIView):
    permission_classes = [HasRole]
    required_roles = SALES_ROLES

    @extend_schema(responses={200: dict})
    def get(self, request):
        group = request.query_params.get("by", "owner")
        if group not in {"owner", "team", "month"}:
            group = "owner"
        return Response({"by": group, "rows": selectors.pipeline_summary(user=request.user, group_by=group)})


class ActivityViewSet(
    HistoryMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet
):
    serializer_class = ActivitySerializer
    filterset_fields = ["kind", "owner", "customer", "entered_late", "done", "next_step_done"]
    search_fields = ["subject", "customer__search_key"]
    ordering_fields = ["occurred_at", "next_step_due"]

    def get_queryset(self):
        return selectors.activity_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        if not selectors.customer_list_for_user(user=self.request.user).filter(pk=customer.pk).exists():
            raise NotFound()
        serializer.instance = services.activity_log(actor=self.request.user, customer=customer, **data)

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        activity = self.get_object()
        if activity.owner_id != request.user.pk:
            raise PermissionDenied()
        activity = services.activity_complete(
            activity=activity, actor=request.user, outcome=request.data.get("outcome", "")
        )
        return Response(ActivitySerializer(activity).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def agenda(self, request):
        days = 7 if request.query_params.get("range") == "week" else 1
        agenda = selectors.agenda_for_user(user=request.user, days=days)
        return Response(
            {
                "today": agenda["today"],
                "activities": ActivitySerializer(agenda["activities"], many=True).data,
                "next_steps": ActivitySerializer(agenda["next_steps"], many=True).data,
                "overdue": ActivitySerializer(agenda["overdue"], many=True).data,
            }
        )

    @extend_schema(responses={(200, "text/calendar"): str})
    @action(detail=False, methods=["get"])
    def ics(self, request):
        since = timezone.now() - datetime.timedelta(days=30)
        items = selectors.activity_list_for_user(user=request.user).filter(owner=request.user, occurred_at__gte=since)
        body = activities_ics(
            items.order_by("occurred_at"), calendar_name=request.user.display_name, host=request.get_host()
        )
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")


class ComplaintViewSet(
    HistoryMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet
):
    serializer_class = ComplaintSerializer
    filterset_fields = ["status", "kind", "owner", "customer"]
    search_fields = ["subject", "code", "customer__search_key"]
    ordering_fields = ["received_at", "answer_due"]

    def get_queryset(self):
        return selectors.complaint_list_for_user(user=self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        if not selectors.customer_list_for_user(user=self.request.user).filter(pk=customer.pk).exists():
            raise NotFound()
        serializer.instance = services.complaint_register(actor=self.request.user, customer=customer, **data)

    def _act(self, request, func, kwargs):
        complaint = self.get_object()
        data = ComplaintActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = func(complaint=complaint, actor=request.user, **kwargs(data.validated_data))
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(request=ComplaintActionSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._act(request, services.complaint_answer, kwargs=lambda d: {"answer": d["text"]})

    @extend_schema(request=ComplaintActionSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, services.complaint_resolve, kwargs=lambda d: {"resolution": d["text"]})

    @extend_schema(request=ComplaintActionSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        return self._act(
            request,
            services.complaint_follow_up,
            kwargs=lambda d: {"satisfaction": d.get("satisfaction", 0), "note": d["text"]},
        )


class GradingRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SalesViewSet):
    serializer_class = GradingRunSerializer
    write_roles = SUPERVISORS

    def get_queryset(self):
        return selectors.grading_run_list()

    @extend_schema(request=None, responses={201: GradingRunSerializer})
    def create(self, request):
        run = grading_run(actor=request.user)
        return Response(GradingRunSerializer(run).data, status=201)


class CustomerImportViewSet(mixins.RetrieveModelMixin, SalesViewSet):
    serializer_class = CustomerImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return CustomerImport.objects.none()
        return CustomerImport.objects.filter(uploaded_by=self.request.user)

    @extend_schema(request=ImportUploadSerializer, responses={201: CustomerImportSerializer})
    def create(self, request):
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = imports.customer_import_preview(actor=request.user, upload=data.validated_data["file"])
        return Response(CustomerImportSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImportCommitSerializer, responses=CustomerImportSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        record = get_object_or_404(self.get_queryset(), pk=pk)
        data = ImportCommitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = imports.customer_import_commit(
            customer_import=record, actor=request.user, only_good_rows=data.validated_data["only_good_rows"]
        )
        return Response(CustomerImportSerializer(record).data)


router = Router()
router.register("customers", CustomerViewSet, basename="customer")
router.register("crm/directory", DirectoryViewSet, basename="crm-directory")
router.register("crm/pool", LeadPoolViewSet, basename="crm-pool")
router.register("crm/conflicts", ConflictViewSet, basename="crm-conflict")
router.register("crm/reassignments", ReassignmentViewSet, basename="crm-reassignment")
router.register("crm/stages", StageViewSet, basename="crm-stage")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("activities", ActivityViewSet, basename="activity")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("crm/grading-runs", GradingRunViewSet, basename="crm-grading-run")
router.register("crm/imports", CustomerImportViewSet, basename="crm-import")

from django.urls import path  # noqa: E402

from salesops.crm.calldesk_api import urlpatterns as calldesk_urls  # noqa: E402

urlpatterns = [
    path("crm/leads/register/", LeadRegisterView.as_view(), name="crm-lead-register"),
    path("crm/ownership-check/", OwnershipCheckView.as_view(), name="crm-ownership-check"),
    path("crm/pipeline/", PipelineView.as_view(), name="crm-pipeline"),
    *calldesk_urls,
    *router.urls,
]
