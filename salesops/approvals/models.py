"""Approval rules (policy as data), the requests and tasks they create, delegations, and the
one document type this area owns: the key-account visit request.

A rule says: for this document type, when these conditions hold, these approvers decide in
this order. Approvers are roles relative to the requester (their direct supervisor, the head
of their region or department, …) or named people; `rules.resolve_chain` turns them into users
at submission time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core import bounded, bounds
from salesops.core.models import OrgUnit
from salesops.core.state import StateMachine


class ApproverKind(models.TextChoices):
    SUPERVISOR = "supervisor", _("Direct supervisor")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    SALES_DIRECTOR = "sales_director", _("Sales director")
    GENERAL_MANAGER = "general_manager", _("General manager")
    FINANCE = "finance", _("Finance")
    USER = "user", _("Named person")


class ApprovalRule(models.Model):
    doc_type = models.CharField(_("document type"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("order"), default=10)
    # [{"field": "amount", "operator": ">=", "value": "100000"}, …]; all must hold.
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    deadline_hours = models.PositiveIntegerField(
        _("answer within (working hours)"), default=24, validators=bounds.HOURS
    )
    reminder_hours = models.PositiveIntegerField(
        _("remind before deadline (working hours)"), default=4, validators=bounds.HOURS
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = bounded.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["doc_type", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the Chinese name for Chinese readers, when given."""
        chinese = (translation.get_language() or "").lower().startswith("zh")
        return self.name_zh if chinese and self.name_zh else self.name


class ApprovalStep(models.Model):
    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("order"), default=1)
    approver = models.CharField(_("approver"), max_length=30, choices=ApproverKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("named person"),
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["rule", "position", "pk"]

    def __str__(self) -> str:
        return self.user.display_name if self.user_id else self.get_approver_display()


class ApprovalRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    doc_type = models.CharField(_("document type"), max_length=50)
    object_id = models.CharField(max_length=64)
    title = models.CharField(_("document"), max_length=200)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approval_requests",
        verbose_name=_("requester"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("org", "unit"),
    )
    rule = models.ForeignKey(ApprovalRule, null=True, on_delete=models.SET_NULL, related_name="+")
    rule_name = models.CharField(_("rule"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    snapshot = models.JSONField(_("document as submitted"), default=dict)
    values = models.JSONField(default=dict)
    version = models.CharField(max_length=64)
    deadline_hours = models.PositiveIntegerField(default=24, validators=bounds.HOURS)
    reminder_hours = models.PositiveIntegerField(default=4, validators=bounds.HOURS)
    submitted_at = bounded.DateTimeField(_("submitted"))
    closed_at = bounded.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["doc_type", "object_id", "-submitted_at"], name="approvals_request_document"),
            models.Index(fields=["requester", "-submitted_at"], name="approvals_request_requester"),
        ]

    def __str__(self) -> str:
        return self.title


REQUEST_FLOW = StateMachine(
    {
        ApprovalRequest.Status.PENDING: {
            ApprovalRequest.Status.APPROVED,
            ApprovalRequest.Status.REJECTED,
            ApprovalRequest.Status.RETURNED,
            ApprovalRequest.Status.WITHDRAWN,
            ApprovalRequest.Status.CANCELLED,
        },
    }
)


class ApprovalTask(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for earlier steps")
        OPEN = "open", _("Waiting for decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")
        CANCELLED = "cancelled", _("Cancelled")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RETURN = "return", _("Return for changes")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(_("step"))
    approver_kind = models.CharField(_("approver"), max_length=30, choices=ApproverKind.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_tasks", verbose_name=_("approver")
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    escalated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_approval_tasks",
        verbose_name=_("escalated from"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    opened_at = bounded.DateTimeField(null=True, blank=True)
    due_at = bounded.DateTimeField(_("answer by"), null=True, blank=True)
    remind_at = bounded.DateTimeField(null=True, blank=True)
    reminded_at = bounded.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = bounded.DateTimeField(_("escalated"), null=True, blank=True)
    # How many times the task went one level up; once nobody is above the holder, the
    # deadline job leaves it alone (`escalation_ended`), everything recorded in ApprovalEscalation.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalation_ended = models.BooleanField(_("top of the hierarchy reached"), default=False)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    comment = bounded.TextField(_("comment"), blank=True)
    decided_at = bounded.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["request", "position"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="approvals_task_inbox"),
            models.Index(fields=["escalated_from", "status"], name="approvals_task_escalated"),
            models.Index(fields=["status", "remind_at"], name="approvals_task_remind"),
            models.Index(fields=["status", "due_at"], name="approvals_task_due"),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.position}"


class ApprovalEscalation(models.Model):
    """One step up the hierarchy of a task nobody answered in time: from whom, to whom (empty
    when nobody is above), when, and the new deadline."""

    task = models.ForeignKey(ApprovalTask, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField(_("level"))
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("late approver")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_escalations_received",
        verbose_name=_("escalated to"),
    )
    at = bounded.DateTimeField(_("escalated"))
    missed_due_at = bounded.DateTimeField(_("missed deadline"))
    due_at = bounded.DateTimeField(_("new deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["task", "level"]
        constraints = [models.UniqueConstraint(fields=["task", "level"], name="approvals_escalation_level")]
        indexes = [models.Index(fields=["from_user", "task"], name="approvals_escalation_from")]

    def __str__(self) -> str:
        return f"{self.task} · {self.level}"


TASK_FLOW = StateMachine(
    {
        ApprovalTask.Status.WAITING: {ApprovalTask.Status.OPEN, ApprovalTask.Status.CANCELLED},
        ApprovalTask.Status.OPEN: {
            ApprovalTask.Status.APPROVED,
            ApprovalTask.Status.REJECTED,
            ApprovalTask.Status.RETURNED,
            ApprovalTask.Status.CANCELLED,
        },
    }
)


class Delegation(models.Model):
    """While `from_user` is away (start…end inclusive), their approvals go to `to_user`."""

    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegations_given",
        verbose_name=pgettext_lazy("delegation", "from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=pgettext_lazy("delegation", "to"),
    )
    starts_on = bounded.DateField(_("from date"))
    ends_on = bounded.DateField(_("to date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="approvals_delegation_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user}"


class VisitRequest(models.Model):
    """A rep's request to visit a customer; key accounts need the sales director's approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETURNED = "returned", _("Returned for changes")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.PROTECT, related_name="visit_requests", verbose_name=_("customer")
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_requests", verbose_name=_("rep")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    planned_date = bounded.DateField(_("planned date"))
    purpose = models.CharField(_("purpose"), max_length=300)
    expected_outcome = bounded.TextField(_("expected outcome"), blank=True)
    key_account = models.BooleanField(_("key account"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = bounded.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit request")
        verbose_name_plural = _("visit requests")
        ordering = ["-planned_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.customer}"
