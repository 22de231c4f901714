"""Writes of the approval engine: submit, decide, withdraw, cancel on edit, deadlines
(reminders and escalation), rules and delegations.

Concurrency: every change to a request first locks its row (`select_for_update`), then
re-reads the task; two approvers deciding at once are serialised and the second one finds
the request no longer pending (`approval_not_pending`, nothing changed). Side effects
(e-mail) run on commit.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.approvals.exceptions import (
    ApprovalAlreadyPending,
    ApprovalDocumentChanged,
    ApprovalNotPending,
    NoApprover,
    NotApprover,
    SelfApproval,
)
from salesops.approvals.models import (
    REQUEST_FLOW,
    TASK_FLOW,
    ApprovalEscalation,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStep,
    ApprovalTask,
    Delegation,
)
from salesops.approvals.registry import DocumentType, document_type_choices, get_document_type
from salesops.approvals.rules import matching_rule, normalise_conditions, resolve_chain, unheld_approvers
from salesops.core import formatting
from salesops.core.audit import audit_record, model_create, model_delete, model_update
from salesops.core.exceptions import Conflict, ValidationFailed
from salesops.core.models import AuditEvent, User
from salesops.core.services import lazy_message, notify
from salesops.sop import hooks as sop

Status = ApprovalRequest.Status
TaskStatus = ApprovalTask.Status
Decision = ApprovalTask.Decision
ANSWER_RULE = "approval-24h"


def _doc_type(doc_type: str | DocumentType) -> DocumentType:
    if isinstance(doc_type, DocumentType):
        return doc_type
    found = get_document_type(doc_type)
    if found is None:
        raise ValidationFailed(_("Unknown document type: %(key)s") % {"key": doc_type})
    return found


def _json_safe(data) -> dict:
    def default(value):
        if isinstance(value, Decimal):
            return str(value)
        return str(value)

    return json.loads(json.dumps(data, default=default, ensure_ascii=False))


def _task_url(task: ApprovalTask) -> str:
    return reverse("approval-task", args=[task.pk])


def _request_url(request: ApprovalRequest) -> str:
    return reverse("approval-request", args=[request.pk])


def _tell(*, user: User, title, body, url: str, kind: str) -> None:
    """In-app notification now, e-mail after commit (never sent for a rolled-back change)."""
    notify(user=user, title=title, body=body, url=url, kind=kind)
    if user.email:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, text = str(title), str(body)
        address = user.email
        transaction.on_commit(
            lambda: send_mail(subject, f"{text}\n\n{url}", settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
        )


def _transition(request: ApprovalRequest, target: str, *, actor, now, note: str = "") -> None:
    REQUEST_FLOW.check(request.status, target)
    before = request.status
    request.status = target
    request.closed_at = now
    request.save(update_fields=["status", "closed_at"])
    audit_record(
        instance=request,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, target]},
        note=note,
    )


def _close_remaining(request: ApprovalRequest) -> None:
    request.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]).update(status=TaskStatus.CANCELLED)


def delegate_for(user: User, day: datetime.date) -> User | None:
    """Whom `user`'s approvals go to on `day`, or None when they are not away."""
    delegation = (
        Delegation.objects.filter(from_user=user, active=True, starts_on__lte=day, ends_on__gte=day)
        .select_related("to_user")
        .order_by("pk")
        .first()
    )
    if delegation and delegation.to_user.is_active:
        return delegation.to_user
    return None


def _answer_by(task: ApprovalTask, request: ApprovalRequest, now) -> None:
    """The chain's hours counted the way the SOP rule "approval-24h" counts them (calendar
    hours, as the manuals' 24 小时 mean, unless the rule says working hours)."""
    task.due_at = sop.deadline(ANSWER_RULE, now, amount=request.deadline_hours)
    task.remind_at = sop.deadline(ANSWER_RULE, now, amount=max(request.deadline_hours - request.reminder_hours, 0))


def _answer_reference(task: ApprovalTask) -> str:
    """One obligation per holder of the task: escalation hands it on with a fresh deadline."""
    return f"approval-task:{task.pk}:{task.escalation_level}"


def _answer_start(task: ApprovalTask, now) -> None:
    sop.start(
        rule=ANSWER_RULE,
        person=task.assignee,
        started_at=now,
        reference=_answer_reference(task),
        url=_task_url(task),
        due_at=task.due_at,
    )


def _open_task(task: ApprovalTask, request: ApprovalRequest, *, now) -> None:
    TASK_FLOW.check(task.status, TaskStatus.OPEN)
    delegate = delegate_for(task.assignee, timezone.localdate(now))
    if delegate is not None and delegate.pk != request.requester_id:
        task.on_behalf_of, task.assignee = task.assignee, delegate
    task.status = TaskStatus.OPEN
    task.opened_at = now
    _answer_by(task, request, now)
    task.save()
    _answer_start(task, now)
    body = lazy_message(
        gettext_lazy("%(who)s asks for your approval of %(doc)s. Answer by %(due)s."),
        who=request.requester.display_name,
        doc=request.title,
        due=formatting.datetime_lazy(task.due_at),
    )
    _tell(
        user=task.assignee,
        title=lazy_message(gettext_lazy("Approval needed: %(doc)s"), doc=request.title),
        body=body,
        url=_task_url(task),
        kind="approval",
    )


# --- submit ---------------------------------------------------------------------------------------
@transaction.atomic
def approval_submit(*, document, doc_type: str | DocumentType, actor, now=None) -> ApprovalRequest | None:
    """Send a document for approval. None when no active rule matches: no approval is needed
    and the caller proceeds."""
    dt = _doc_type(doc_type)
    now = now or timezone.now()
    object_id = str(document.pk)
    if ApprovalRequest.objects.filter(doc_type=dt.key, object_id=object_id, status=Status.PENDING).exists():
        raise ApprovalAlreadyPending()
    values = _json_safe(dt.values(document))
    rule = matching_rule(dt.key, values)
    if rule is None:
        return None
    requester = dt.requester(document) or actor
    chain = resolve_chain(rule.steps.all(), requester)
    if not chain:
        raise NoApprover()
    request = ApprovalRequest(
        doc_type=dt.key,
        object_id=object_id,
        title=str(dt.title(document))[:200],
        requester=requester,
        unit=requester.org_unit,
        rule=rule,
        rule_name=rule.name,
        snapshot=_json_safe(dt.summary(document)),
        values=values,
        version=dt.document_version(document),
        deadline_hours=rule.deadline_hours,
        reminder_hours=rule.reminder_hours,
        submitted_at=now,
    )
    model_create(instance=request, actor=actor)
    first, *waiting = (
        ApprovalTask(request=request, position=index, approver_kind=kind, assignee=person)
        for index, (kind, person) in enumerate(chain, start=1)
    )
    _open_task(first, request, now=now)  # written open, not written and then opened
    ApprovalTask.objects.bulk_create(waiting)
    return request


# --- decide ---------------------------------------------------------------------------------------
def _past_holders(task: ApprovalTask) -> set[int]:
    """Everyone a task was escalated away from (they may still answer it)."""
    if not task.escalation_level:
        return set()
    return set(task.escalations.values_list("from_user_id", flat=True))


def _holders(task: ApprovalTask) -> set[int]:
    """Who may decide a task in their own name: its assignee, the approver it was first
    assigned to, and everyone it was escalated away from."""
    return {pk for pk in (task.assignee_id, task.escalated_from_id, *_past_holders(task)) if pk}


def can_decide(task: ApprovalTask, user: User, day: datetime.date) -> bool:
    holders = _holders(task)
    if user.pk in holders:
        return True
    return Delegation.objects.filter(
        from_user_id__in=holders, to_user=user, active=True, starts_on__lte=day, ends_on__gte=day
    ).exists()


@transaction.atomic
def approval_decide(*, task: ApprovalTask, actor, decision: str, comment: str = "", now=None) -> ApprovalRequest:
    now = now or timezone.now()
    comment = (comment or "").strip()
    if decision not in Decision.values:
        raise ValidationFailed(fields={"decision": [_("Choose approve, reject or return.")]})
    if decision != Decision.APPROVE and not comment:
        raise ValidationFailed(fields={"comment": [_("Say why, so the requester knows what to change.")]})
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",)).select_related("requester").get(pk=task.request_id)
    )
    task = (
        ApprovalTask.objects.select_for_update(of=("self",))
        .select_related("assignee", "escalated_from")
        .get(pk=task.pk)
    )
    if request.status != Status.PENDING or task.status != TaskStatus.OPEN:
        raise ApprovalNotPending()
    if actor.pk == request.requester_id:
        raise SelfApproval()
    if not can_decide(task, actor, timezone.localdate(now)):
        raise NotApprover()
    dt = get_document_type(request.doc_type)
    document = dt.load(request.object_id) if dt else None
    if dt is not None and document is not None and dt.document_version(document) != request.version:
        raise ApprovalDocumentChanged()

    target = {
        Decision.APPROVE: TaskStatus.APPROVED,
        Decision.REJECT: TaskStatus.REJECTED,
        Decision.RETURN: TaskStatus.RETURNED,
    }[decision]
    TASK_FLOW.check(task.status, target)
    if actor.pk not in _holders(task):
        task.on_behalf_of = task.assignee
    task.status, task.decision, task.comment = target, decision, comment
    task.decided_at, task.decided_by = now, actor
    task.save(update_fields=["status", "decision", "comment", "decided_at", "decided_by", "on_behalf_of"])
    sop.done(
        event="approval_answered",
        person=task.assignee,
        occurred_at=now,
        reference=_answer_reference(task),
        url=_task_url(task),
        actor=actor,
    )
    audit_record(
        instance=request,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={"step": [task.position, task.position], "decision": [None, decision]},
        note=comment,
    )

    if decision == Decision.APPROVE:
        following = request.tasks.filter(status=TaskStatus.WAITING).select_related("assignee").order_by("position")
        next_task = following.first()
        if next_task is not None:
            _open_task(next_task, request, now=now)
            return request
        _transition(request, Status.APPROVED, actor=actor, now=now, note=comment)
        if dt and document is not None:
            dt.on_approved(document, request)
        outcome = gettext_lazy("approved")
    else:
        _close_remaining(request)
        final = Status.REJECTED if decision == Decision.REJECT else Status.RETURNED
        _transition(request, final, actor=actor, now=now, note=comment)
        if dt and document is not None:
            (dt.on_rejected if decision == Decision.REJECT else dt.on_returned)(document, request)
        outcome = gettext_lazy("rejected") if decision == Decision.REJECT else gettext_lazy("returned for changes")
    _tell(
        user=request.requester,
        title=lazy_message(gettext_lazy("%(doc)s was %(outcome)s"), doc=request.title, outcome=outcome),
        body=lazy_message(gettext_lazy("%(who)s: %(comment)s"), who=actor.display_name, comment=comment or "—"),
        url=_request_url(request),
        kind="approval",
    )
    return request


# --- withdraw and cancel -------------------------------------------------------------------------
class ApprovalAlreadyDecided(Conflict):
    code = "approval_already_decided"


@transaction.atomic
def approval_withdraw(*, request: ApprovalRequest, actor, now=None) -> ApprovalRequest:
    now = now or timezone.now()
    request = ApprovalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.requester_id != actor.pk:
        raise NotApprover(_("Only the requester can withdraw the request."))
    if request.status != Status.PENDING:
        raise ApprovalNotPending()
    if request.tasks.filter(decided_at__isnull=False).exists():
        raise ApprovalAlreadyDecided(_("A decision has already been taken; the request can no longer be withdrawn."))
    return _cancel(request, Status.WITHDRAWN, actor=actor, now=now, note=gettext_lazy("Withdrawn by the requester."))


def _cancel(request: ApprovalRequest, status: str, *, actor, now, note: str) -> ApprovalRequest:
    open_tasks = list(request.tasks.filter(status=TaskStatus.OPEN).select_related("assignee"))
    _close_remaining(request)
    _transition(request, status, actor=actor, now=now, note=note)
    dt = get_document_type(request.doc_type)
    document = dt.load(request.object_id) if dt else None
    if dt and document is not None:
        dt.on_cancelled(document, request)
    for task in open_tasks:
        sop.cancel(reference=_answer_reference(task), actor=actor)
        notify(
            user=task.assignee,
            title=lazy_message(gettext_lazy("No longer needed: %(doc)s"), doc=request.title),
            body=note,
            url=_request_url(request),
            kind="approval",
        )
    return request


def pending_request_for(*, document, doc_type: str | DocumentType) -> ApprovalRequest | None:
    dt = _doc_type(doc_type)
    return ApprovalRequest.objects.filter(doc_type=dt.key, object_id=str(document.pk), status=Status.PENDING).first()


@transaction.atomic
def approval_cancel(*, document, doc_type: str | DocumentType, actor=None, note: str, now=None) -> bool:
    """Cancel the pending request of a document that no longer needs it (e.g. an order the
    customer's payment released); the approvers are told. Returns whether one was pending."""
    request = pending_request_for(document=document, doc_type=doc_type)
    if request is None:
        return False
    request = ApprovalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status != Status.PENDING:
        return False
    _cancel(request, Status.CANCELLED, actor=actor, now=now or timezone.now(), note=note)
    return True


@transaction.atomic
def approval_check_unchanged(*, document, doc_type: str | DocumentType, actor=None, now=None) -> bool:
    """Call after a document was edited. When it no longer matches what was submitted, the
    pending request is cancelled (it must be submitted again); returns whether it is unchanged."""
    dt = _doc_type(doc_type)
    request = pending_request_for(document=document, doc_type=dt)
    if request is None:
        return True
    request = ApprovalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status != Status.PENDING or dt.document_version(document) == request.version:
        return True
    _cancel(
        request,
        Status.CANCELLED,
        actor=actor,
        now=now or timezone.now(),
        note=gettext_lazy("The document was changed after submission; it must be submitted again."),
    )
    return False


def approval_refingerprint_pending(*, now=None) -> int:
    """Give the pending requests whose stored version no longer matches their document the
    version and snapshot of today's document types. For requests submitted before versions
    were made from stored values only (a version then held translated labels, so an approver
    in another language found every document "changed"): a pending document cannot be edited
    without its request being cancelled, so its current state is what was submitted. Each
    request is locked and the change recorded; returns how many were updated."""
    updated = 0
    for pk in ApprovalRequest.objects.filter(status=Status.PENDING).values_list("pk", flat=True):
        updated += _refingerprint(pk, now or timezone.now())
    return updated


@transaction.atomic
def _refingerprint(pk: int, now) -> int:
    request = ApprovalRequest.objects.select_for_update(of=("self",)).filter(pk=pk, status=Status.PENDING).first()
    dt = get_document_type(request.doc_type) if request else None
    document = dt.load(request.object_id) if dt else None
    if document is None:
        return 0
    version = dt.document_version(document)
    if version == request.version:
        return 0
    request.version, request.snapshot = version, _json_safe(dt.summary(document))
    request.save(update_fields=["version", "snapshot"])
    audit_record(
        instance=request,
        action=AuditEvent.Action.UPDATE,
        changes={"version": [None, version]},
        note=_("Version made again from the document's stored values."),
    )
    return 1


@dataclass(frozen=True)
class ApprovalState:
    status: str  # "none" or an ApprovalRequest.Status
    request: ApprovalRequest | None

    @property
    def locked(self) -> bool:
        """Approved documents are locked: changing them needs a new approval."""
        return self.status == Status.APPROVED

    @property
    def pending(self) -> bool:
        return self.status == Status.PENDING


def approval_state_for(*, document, doc_type: str | DocumentType) -> ApprovalState:
    """The latest approval of a document: none, pending, approved, rejected, returned, …"""
    dt = _doc_type(doc_type)
    request = (
        ApprovalRequest.objects.filter(doc_type=dt.key, object_id=str(document.pk))
        .order_by("-submitted_at", "-pk")
        .first()
    )
    return ApprovalState(status=request.status if request else "none", request=request)


# --- deadlines: reminders and escalation ---------------------------------------------------------------
def approval_deadlines_run(*, now=None) -> dict[str, int]:
    """Remind approvers before the deadline and escalate past it, one level up the hierarchy
    at a time: a task still unanswered at the new deadline goes up again (manager → director →
    general manager) until someone answers or nobody is above.

    Every reminder and escalation is recorded on the task in the same transaction as its
    notification, so running twice sends nothing twice; after downtime each overdue task goes
    up one level (the new holder gets a full answering time from the moment they are told),
    with no stale reminder."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    due = ApprovalTask.objects.filter(status=TaskStatus.OPEN, escalation_ended=False, due_at__lte=now)
    pks = list(due.values_list("pk", flat=True))
    for pk in pks:
        counts["escalated"] += _escalate(pk, now)
    remind = ApprovalTask.objects.filter(
        status=TaskStatus.OPEN, reminded_at__isnull=True, remind_at__lte=now, due_at__gt=now
    )
    for pk in list(remind.values_list("pk", flat=True)):
        counts["reminded"] += _remind(pk, now)
    return counts


@transaction.atomic
def _remind(pk: int, now) -> int:
    task = (
        ApprovalTask.objects.select_for_update(of=("self",))
        .select_related("request", "assignee")
        .filter(pk=pk, status=TaskStatus.OPEN, reminded_at__isnull=True)
        .first()
    )
    if task is None:
        return 0
    task.reminded_at = now
    task.save(update_fields=["reminded_at"])
    audit_record(
        instance=task.request,
        action=AuditEvent.Action.UPDATE,
        changes={"reminded": [None, task.assignee.pk]},
        note=_("Reminder sent to %(who)s.") % {"who": task.assignee.display_name},
    )
    _tell(
        user=task.assignee,
        title=lazy_message(gettext_lazy("Reminder: approval of %(doc)s is due"), doc=task.request.title),
        body=lazy_message(
            gettext_lazy("Please decide by %(due)s."), due=formatting.datetime_lazy(task.due_at)
        ),
        url=_task_url(task),
        kind="approval_reminder",
    )
    return 1


def _escalation_target(start: User, *, skip: set[int]) -> User | None:
    """The first active person above `start` (following managers) who is not in `skip` (the
    requester, people who already let this task pass). None at the top of the hierarchy."""
    seen = {start.pk}
    person = start.manager
    while person is not None and person.pk not in seen:
        if person.is_active and person.pk not in skip:
            return person
        seen.add(person.pk)
        person = person.manager
    return None


@transaction.atomic
def _escalate(pk: int, now) -> int:
    task = (
        ApprovalTask.objects.select_for_update(of=("self",))
        .select_related("request__requester", "assignee__manager", "on_behalf_of__manager")
        .filter(pk=pk, status=TaskStatus.OPEN, escalation_ended=False, due_at__lte=now)
        .first()
    )
    if task is None:
        return 0
    request = task.request
    late = task.assignee
    # A delegate's task goes up the hierarchy of the person they stood in for.
    start = task.on_behalf_of if task.escalation_level == 0 and task.on_behalf_of_id else late
    skip = {request.requester_id, late.pk, *_past_holders(task)}
    target = _escalation_target(start, skip=skip)
    missed = task.due_at
    task.escalation_level += 1
    task.escalated_at = now
    fields = ["escalation_level", "escalated_at"]
    if target is not None:
        task.escalated_from = task.escalated_from or start
        task.assignee, task.on_behalf_of = target, None
        _answer_by(task, request, now)
        task.reminded_at = None
        fields += ["escalated_from", "assignee", "on_behalf_of", "due_at", "remind_at", "reminded_at"]
    else:
        task.escalation_ended = True
        fields.append("escalation_ended")
    task.save(update_fields=fields)
    if target is not None:
        _answer_start(task, now)
    ApprovalEscalation.objects.create(
        task=task,
        level=task.escalation_level,
        from_user=late,
        to_user=target,
        at=now,
        missed_due_at=missed,
        due_at=task.due_at if target is not None else None,
    )
    title = lazy_message(gettext_lazy("Overdue approval: %(doc)s"), doc=request.title)
    if target is not None:
        note = _("Not decided in time by %(late)s; escalated to %(who)s (level %(level)d).") % {
            "late": late.display_name,
            "who": target.display_name,
            "level": task.escalation_level,
        }
        body = lazy_message(
            gettext_lazy("%(late)s did not decide by the deadline; it is now with %(who)s. Answer by %(due)s."),
            late=late.display_name,
            who=target.display_name,
            due=formatting.datetime_lazy(task.due_at),
        )
        told = [target, late]
    else:
        note = lazy_message(
            gettext_lazy("Not decided in time by %(late)s; nobody is above them, the request waits for an answer."),
            late=late.display_name,
        )
        body = note
        told = [late, request.requester]
    audit_record(
        instance=request,
        action=AuditEvent.Action.UPDATE,
        changes={"escalated": [late.pk, getattr(target, "pk", None)], "level": [None, task.escalation_level]},
        note=note,
    )
    for person in told:
        _tell(user=person, title=title, body=body, url=_task_url(task), kind="approval_escalation")
    return 1


# --- rules ---------------------------------------------------------------------------------------------
RULE_FIELDS = ["doc_type", "name", "name_zh", "position", "conditions", "deadline_hours", "reminder_hours", "active"]


def _validate_rule(data: dict) -> tuple[list[dict], list[dict]]:
    problems: dict[str, list[str]] = {}
    keys = {key for key, _label in document_type_choices()}
    if data.get("doc_type") not in keys:
        problems["doc_type"] = [_("Unknown document type: %(key)s") % {"key": data.get("doc_type")}]
    conditions, condition_problems = normalise_conditions(
        list(data.get("conditions") or []), get_document_type(data.get("doc_type") or "")
    )
    if condition_problems:
        problems["conditions"] = condition_problems
    steps = list(data.get("steps") or [])
    step_problems = [_("Name at least one approver.")] if not steps else unheld_approvers(steps)
    if step_problems:
        problems["steps"] = step_problems
    deadline = data.get("deadline_hours", 24)
    if deadline is not None and (deadline < 1 or deadline > 24 * 30):
        problems["deadline_hours"] = [_("Give between 1 and 720 working hours.")]
    reminder = data.get("reminder_hours", 4)
    if reminder is not None and deadline is not None and reminder >= deadline:
        problems["reminder_hours"] = [_("The reminder must come before the deadline.")]
    if problems:
        raise ValidationFailed(fields=problems)
    return conditions, steps


def _save_steps(rule: ApprovalRule, steps: list[dict]) -> None:
    rule.steps.all().delete()
    for index, step in enumerate(steps, start=1):
        ApprovalStep.objects.create(rule=rule, position=index, approver=step["approver"], user=step.get("user"))


def _steps_repr(rule: ApprovalRule) -> list[str]:
    return [s.user.username if s.user_id else s.approver for s in rule.steps.select_related("user")]


@transaction.atomic
def approval_rule_create(*, actor, steps: list[dict], **data) -> ApprovalRule:
    conditions, steps = _validate_rule({**data, "steps": steps})
    rule = ApprovalRule(**{key: value for key, value in data.items() if key in RULE_FIELDS})
    rule.conditions = conditions
    model_create(instance=rule, actor=actor)
    _save_steps(rule, steps)
    audit_record(
        instance=rule, action=AuditEvent.Action.UPDATE, actor=actor, changes={"steps": [None, _steps_repr(rule)]}
    )
    return rule


@transaction.atomic
def approval_rule_update(*, rule: ApprovalRule, data: dict, actor) -> ApprovalRule:
    merged = {name: getattr(rule, name) for name in RULE_FIELDS}
    merged.update({key: value for key, value in data.items() if key in RULE_FIELDS})
    steps = data.get("steps")
    if steps is None:
        steps = [{"approver": s.approver, "user": s.user} for s in rule.steps.select_related("user")]
    conditions, steps = _validate_rule({**merged, "steps": steps})
    merged["conditions"] = conditions
    rule, _changed = model_update(instance=rule, fields=RULE_FIELDS, data=merged, actor=actor)
    if "steps" in data:
        before = _steps_repr(rule)
        _save_steps(rule, steps)
        after = _steps_repr(rule)
        if before != after:
            audit_record(
                instance=rule, action=AuditEvent.Action.UPDATE, actor=actor, changes={"steps": [before, after]}
            )
    return rule


@transaction.atomic
def approval_rule_delete(*, rule: ApprovalRule, actor) -> None:
    model_delete(instance=rule, actor=actor)


# --- delegations ---------------------------------------------------------------------------------------
@transaction.atomic
def delegation_create(*, from_user, to_user, starts_on, ends_on, actor, note: str = "") -> Delegation:
    problems = {}
    if to_user is None or not to_user.is_active:
        problems["to_user"] = [_("Choose an active person.")]
    elif to_user.pk == from_user.pk:
        problems["to_user"] = [_("You cannot delegate to yourself.")]
    if starts_on and ends_on and ends_on < starts_on:
        problems["ends_on"] = [_("The end date is before the start date.")]
    if problems:
        raise ValidationFailed(fields=problems)
    delegation = Delegation(from_user=from_user, to_user=to_user, starts_on=starts_on, ends_on=ends_on, note=note)
    return model_create(instance=delegation, actor=actor)


@transaction.atomic
def delegation_end(*, delegation: Delegation, actor) -> Delegation:
    delegation, _changed = model_update(instance=delegation, fields=["active"], data={"active": False}, actor=actor)
    return delegation
