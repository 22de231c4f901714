"""The approval flow: submit, multi-step decisions, reject, return, withdraw, conflicts,
snapshot and edits, delegation, reminders and escalation."""

import datetime

import pytest
from django.core import mail

from salesops.approvals import selectors, services, visits
from salesops.approvals.exceptions import (
    ApprovalAlreadyPending,
    ApprovalNotPending,
    NotApprover,
    SelfApproval,
)
from salesops.approvals.models import ApprovalRequest, ApprovalTask, VisitRequest
from salesops.approvals.tests.factories import (
    MONDAY_10,
    SHANGHAI,
    TEST_DOC,
    make_amount_doc,
    make_rule,
    submit_visit,
)
from salesops.core import services as core
from salesops.core.audit import history_for
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import CalendarDay, Notification
from salesops.sop.models import Obligation, SopRule

S = ApprovalRequest.Status
T = ApprovalTask.Status


def _tasks(request):
    return list(request.tasks.order_by("position").values_list("assignee__username", "status"))


@pytest.fixture
def chain3(org, test_doc):
    """amount ≥ 100000: supervisor → department manager → sales director."""
    return make_rule(
        actor=org["admin"],
        steps=["supervisor", "department_manager", "sales_director"],
        conditions=[{"field": "amount", "operator": ">=", "value": "100000"}],
    )


@pytest.fixture
def working_hours(db):
    """The SOP rule counts the answer time in working hours (the default is calendar hours)."""
    SopRule.objects.filter(code="approval-24h").update(schedule="after 24 working-hours")


def _submit(org, amount="150000", rep="rep1", now=None):
    doc = make_amount_doc(rep=org[rep], amount=amount)
    return doc, services.approval_submit(document=doc, doc_type=TEST_DOC, actor=org[rep], now=now)


class TestSubmit:
    def test_no_matching_rule_means_no_approval(self, org, chain3):
        doc, request = _submit(org, amount="99999")
        assert request is None
        assert not ApprovalRequest.objects.exists()

    def test_first_step_opens_with_24_calendar_hours_to_answer(self, org, chain3):
        """二十四小时内: a request from Wednesday 23:16 is due Thursday 23:16, not Monday."""
        wednesday = datetime.datetime(2026, 3, 4, 23, 16, tzinfo=SHANGHAI)
        _doc, request = _submit(org, now=wednesday)
        first = request.tasks.get(position=1)
        assert first.due_at == datetime.datetime(2026, 3, 5, 23, 16, tzinfo=SHANGHAI)
        assert first.remind_at == datetime.datetime(2026, 3, 5, 19, 16, tzinfo=SHANGHAI)
        obligation = Obligation.objects.get(rule__code="approval-24h", person=org["supervisor1"])
        assert (obligation.open_at, obligation.due_at) == (wednesday, first.due_at)

    def test_first_step_opens_with_a_working_hours_deadline(self, org, chain3, working_hours):
        _doc, request = _submit(org, now=MONDAY_10)
        assert _tasks(request) == [("supervisor1", T.OPEN), ("manager", T.WAITING), ("director", T.WAITING)]
        first = request.tasks.get(position=1)
        # 24 working hours from Monday 10:00 (09:00–18:00): 8 + 9 + 7 → Wednesday 16:00
        assert first.due_at == datetime.datetime(2026, 3, 4, 16, 0, tzinfo=SHANGHAI)
        assert first.remind_at == datetime.datetime(2026, 3, 4, 12, 0, tzinfo=SHANGHAI)
        assert Notification.objects.filter(user=org["supervisor1"], kind="approval").count() == 1

    def test_snapshot_keeps_the_document_as_submitted(self, org, chain3):
        _doc, request = _submit(org)
        assert request.snapshot == {"amount": "150000", "grade": "C"}
        assert request.values == {"amount": "150000", "grade": "C", "key_account": False}
        assert request.requester == org["rep1"]

    def test_a_document_cannot_be_pending_twice(self, org, chain3):
        doc, _request = _submit(org)
        with pytest.raises(ApprovalAlreadyPending):
            services.approval_submit(document=doc, doc_type=TEST_DOC, actor=org["rep1"])
        assert ApprovalRequest.objects.count() == 1


class TestDecide:
    def test_steps_decide_in_order_and_the_last_approves(self, org, chain3):
        _doc, request = _submit(org)
        for username in ["supervisor1", "manager", "director"]:
            task = request.tasks.get(status=T.OPEN)
            assert task.assignee.username == username
            services.approval_decide(task=task, actor=org[username], decision="approve", comment="")
        request.refresh_from_db()
        assert request.status == S.APPROVED
        assert _tasks(request) == [("supervisor1", T.APPROVED), ("manager", T.APPROVED), ("director", T.APPROVED)]
        assert Notification.objects.filter(user=org["rep1"], title__contains="approved").count() == 1

    def test_a_later_approver_cannot_decide_before_their_turn(self, org, chain3):
        _doc, request = _submit(org)
        waiting = request.tasks.get(position=2)
        with pytest.raises(ApprovalNotPending):
            services.approval_decide(task=waiting, actor=org["manager"], decision="approve")
        assert _tasks(request)[1] == ("manager", T.WAITING)

    def test_rejection_ends_the_request(self, org, chain3):
        _doc, request = _submit(org)
        services.approval_decide(task=request.tasks.get(position=1), actor=org["supervisor1"], decision="approve")
        services.approval_decide(
            task=request.tasks.get(position=2), actor=org["manager"], decision="reject", comment="Price too low"
        )
        request.refresh_from_db()
        assert request.status == S.REJECTED
        assert _tasks(request) == [("supervisor1", T.APPROVED), ("manager", T.REJECTED), ("director", T.CANCELLED)]
        rejected = request.tasks.get(position=2)
        assert (rejected.decision, rejected.comment, rejected.decided_by) == ("reject", "Price too low", org["manager"])

    def test_return_for_changes(self, org, test_doc):
        make_rule(actor=org["admin"], steps=["supervisor"])
        visit, request = submit_visit(rep=org["rep1"])  # the visit request's own rules: supervisor
        services.approval_decide(
            task=request.tasks.get(), actor=org["supervisor1"], decision="return", comment="Add the agenda"
        )
        request.refresh_from_db()
        visit.refresh_from_db()
        assert request.status == S.RETURNED
        assert visit.status == VisitRequest.Status.RETURNED

    def test_reject_and_return_need_a_comment(self, org, chain3):
        _doc, request = _submit(org)
        task = request.tasks.get(position=1)
        with pytest.raises(ValidationFailed) as caught:
            services.approval_decide(task=task, actor=org["supervisor1"], decision="reject", comment=" ")
        assert "comment" in caught.value.fields
        assert request.tasks.get(position=1).status == T.OPEN

    def test_no_one_approves_their_own_request(self, org, chain3):
        _doc, request = _submit(org)
        task = request.tasks.get(position=1)
        with pytest.raises(SelfApproval):
            services.approval_decide(task=task, actor=org["rep1"], decision="approve")
        task.refresh_from_db()
        assert (task.status, task.decided_at) == (T.OPEN, None)

    def test_someone_else_cannot_decide(self, org, chain3):
        _doc, request = _submit(org)
        with pytest.raises(NotApprover):
            services.approval_decide(task=request.tasks.get(position=1), actor=org["supervisor2"], decision="approve")
        assert request.tasks.get(position=1).status == T.OPEN

    def test_decision_on_a_request_no_longer_pending_is_a_conflict(self, org, chain3):
        _doc, request = _submit(org)
        task = request.tasks.get(position=1)
        services.approval_decide(task=task, actor=org["supervisor1"], decision="reject", comment="No")
        with pytest.raises(ApprovalNotPending) as caught:
            services.approval_decide(task=task, actor=org["supervisor1"], decision="approve")
        assert (caught.value.code, caught.value.status) == ("approval_not_pending", 409)
        task.refresh_from_db()
        assert (task.decision, task.comment) == ("reject", "No")


class TestWithdrawAndEdits:
    def test_requester_withdraws_before_the_first_decision(self, org, chain3):
        _doc, request = _submit(org)
        services.approval_withdraw(request=request, actor=org["rep1"])
        request.refresh_from_db()
        assert request.status == S.WITHDRAWN
        assert {status for _user, status in _tasks(request)} == {T.CANCELLED}

    def test_withdraw_after_a_decision_is_refused(self, org, chain3):
        _doc, request = _submit(org)
        services.approval_decide(task=request.tasks.get(position=1), actor=org["supervisor1"], decision="approve")
        with pytest.raises(services.ApprovalAlreadyDecided):
            services.approval_withdraw(request=request, actor=org["rep1"])
        request.refresh_from_db()
        assert request.status == S.PENDING

    def test_only_the_requester_withdraws(self, org, chain3):
        _doc, request = _submit(org)
        with pytest.raises(NotApprover):
            services.approval_withdraw(request=request, actor=org["supervisor1"])
        request.refresh_from_db()
        assert request.status == S.PENDING

    def test_an_edit_after_submission_cancels_the_request(self, org):
        visit, request = submit_visit(rep=org["rep1"], purpose="Quarterly review")
        visit.refresh_from_db()
        assert visit.status == VisitRequest.Status.PENDING
        visits.visit_request_update(visit=visit, data={"purpose": "Contract talks"}, actor=org["rep1"])
        request.refresh_from_db()
        visit.refresh_from_db()
        assert request.status == S.CANCELLED
        assert visit.status == VisitRequest.Status.DRAFT
        assert request.snapshot["purpose"] == "Quarterly review"  # what the approver saw stays

    def test_an_unchanged_save_keeps_the_request(self, org):
        visit, request = submit_visit(rep=org["rep1"], purpose="Quarterly review")
        assert services.approval_check_unchanged(document=visit, doc_type=visits.DOC_TYPE) is True
        request.refresh_from_db()
        assert request.status == S.PENDING

    def test_approved_documents_are_locked(self, org):
        visit, request = submit_visit(rep=org["rep1"])
        services.approval_decide(task=request.tasks.get(), actor=org["supervisor1"], decision="approve")
        visit.refresh_from_db()
        state = services.approval_state_for(document=visit, doc_type=visits.DOC_TYPE)
        assert (state.status, state.locked) == (S.APPROVED, True)
        from salesops.approvals.exceptions import ApprovalLocked

        with pytest.raises(ApprovalLocked):
            visits.visit_request_update(visit=visit, data={"purpose": "Other"}, actor=org["rep1"])
        visit.refresh_from_db()
        assert visit.purpose == "Annual review"


class TestVisitRequestRules:
    def test_key_account_goes_to_the_sales_director(self, org):
        visit, request = submit_visit(rep=org["rep1"], key_account=True)
        assert _tasks(request) == [("director", T.OPEN)]

    def test_other_customers_go_to_the_direct_supervisor(self, org):
        visit, request = submit_visit(rep=org["rep3"])
        assert _tasks(request) == [("supervisor2", T.OPEN)]

    def test_approval_marks_the_visit_approved(self, org):
        visit, request = submit_visit(rep=org["rep1"], key_account=True)
        services.approval_decide(task=request.tasks.get(), actor=org["director"], decision="approve", comment="Go")
        visit.refresh_from_db()
        assert visit.status == VisitRequest.Status.APPROVED


class TestDelegation:
    def test_tasks_of_an_away_approver_go_to_the_delegate(self, org, chain3):
        services.delegation_create(
            from_user=org["supervisor1"],
            to_user=org["supervisor2"],
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 3, 6),
            actor=org["supervisor1"],
        )
        _doc, request = _submit(org, now=MONDAY_10)
        task = request.tasks.get(position=1)
        assert (task.assignee, task.on_behalf_of) == (org["supervisor2"], org["supervisor1"])
        services.approval_decide(task=task, actor=org["supervisor2"], decision="approve", now=MONDAY_10)
        task.refresh_from_db()
        assert (task.decided_by, task.on_behalf_of, task.status) == (org["supervisor2"], org["supervisor1"], T.APPROVED)

    def test_a_delegate_can_decide_an_already_open_task(self, org, chain3):
        _doc, request = _submit(org, now=MONDAY_10)
        today = MONDAY_10.date()
        services.delegation_create(
            from_user=org["supervisor1"],
            to_user=org["supervisor2"],
            starts_on=today,
            ends_on=today,
            actor=org["supervisor1"],
        )
        task = request.tasks.get(position=1)
        services.approval_decide(task=task, actor=org["supervisor2"], decision="approve", now=MONDAY_10)
        task.refresh_from_db()
        assert (task.assignee, task.decided_by, task.on_behalf_of) == (
            org["supervisor1"],
            org["supervisor2"],
            org["supervisor1"],
        )

    def test_outside_the_dates_the_delegate_cannot_decide(self, org, chain3):
        services.delegation_create(
            from_user=org["supervisor1"],
            to_user=org["supervisor2"],
            starts_on=datetime.date(2026, 4, 1),
            ends_on=datetime.date(2026, 4, 2),
            actor=org["supervisor1"],
        )
        _doc, request = _submit(org, now=MONDAY_10)
        task = request.tasks.get(position=1)
        assert task.assignee == org["supervisor1"]
        with pytest.raises(NotApprover):
            services.approval_decide(task=task, actor=org["supervisor2"], decision="approve", now=MONDAY_10)

    def test_delegating_to_yourself_is_refused(self, org):
        with pytest.raises(ValidationFailed) as caught:
            services.delegation_create(
                from_user=org["manager"],
                to_user=org["manager"],
                starts_on=datetime.date(2026, 3, 1),
                ends_on=datetime.date(2026, 3, 2),
                actor=org["manager"],
            )
        assert "to_user" in caught.value.fields


class TestDeadlines:
    """Submitted Monday 10:00 → remind Wednesday 12:00, deadline Wednesday 16:00."""

    @pytest.fixture
    def pending(self, org, chain3, working_hours):
        core.user_update(user=org["supervisor1"], data={"email": "s1@example.cn"}, actor=org["admin"])
        core.user_update(user=org["manager"], data={"email": "m@example.cn"}, actor=org["admin"])
        _doc, request = _submit(org, now=MONDAY_10)
        Notification.objects.all().delete()
        return request

    def _run(self, when, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            return services.approval_deadlines_run(now=when)

    def test_nothing_before_the_reminder_point(self, pending, django_capture_on_commit_callbacks):
        when = datetime.datetime(2026, 3, 4, 11, 59, tzinfo=SHANGHAI)
        assert self._run(when, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 0}

    def test_reminder_once(self, org, pending, django_capture_on_commit_callbacks):
        when = datetime.datetime(2026, 3, 4, 12, 30, tzinfo=SHANGHAI)
        assert self._run(when, django_capture_on_commit_callbacks) == {"reminded": 1, "escalated": 0}
        assert self._run(when, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 0}
        task = pending.tasks.get(position=1)
        assert task.reminded_at == when
        assert Notification.objects.filter(user=org["supervisor1"], kind="approval_reminder").count() == 1
        assert [m.to for m in mail.outbox] == [["s1@example.cn"]]

    def test_escalation_to_the_approvers_manager_once(self, org, pending, django_capture_on_commit_callbacks):
        self._run(datetime.datetime(2026, 3, 4, 12, 30, tzinfo=SHANGHAI), django_capture_on_commit_callbacks)
        late = datetime.datetime(2026, 3, 4, 16, 5, tzinfo=SHANGHAI)
        assert self._run(late, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 1}
        assert self._run(late, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 0}
        task = pending.tasks.get(position=1)
        assert (task.assignee, task.escalated_from, task.escalated_at) == (org["manager"], org["supervisor1"], late)
        assert Notification.objects.filter(user=org["manager"], kind="approval_escalation").count() == 1
        assert sorted(m.to[0] for m in mail.outbox) == ["m@example.cn", "s1@example.cn", "s1@example.cn"]
        # the escalation target decides; the original approver may still decide too
        services.approval_decide(task=task, actor=org["manager"], decision="approve", now=late)
        assert pending.tasks.get(position=2).status == T.OPEN

    def test_catching_up_after_downtime(self, org, pending, django_capture_on_commit_callbacks):
        # the worker was down from Monday to Friday: one escalation, no stale reminder
        friday = datetime.datetime(2026, 3, 6, 9, 30, tzinfo=SHANGHAI)
        assert self._run(friday, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 1}
        assert self._run(friday + datetime.timedelta(minutes=5), django_capture_on_commit_callbacks) == {
            "reminded": 0,
            "escalated": 0,
        }
        assert Notification.objects.filter(kind="approval_reminder").count() == 0

    def test_unanswered_escalations_keep_going_up_to_the_top(self, org, pending, django_capture_on_commit_callbacks):
        """supervisor1 → manager → director → general manager, each with a fresh 24 working
        hours counted on the company calendar (Friday 6 March is a holiday here)."""
        CalendarDay.objects.update_or_create(
            date=datetime.date(2026, 3, 6), defaults={"is_working_day": False, "name": "Test holiday"}
        )
        task = pending.tasks.get(position=1)

        def at(day, hour, minute):
            return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)

        def run(when):
            return self._run(when, django_capture_on_commit_callbacks)

        # level 1: Wednesday 16:05 → the manager, answer by Tuesday 13:05 (Thursday, Monday
        # and part of Tuesday: the holiday and the weekend do not count), reminder Tuesday 09:05
        assert run(at(4, 16, 5)) == {"reminded": 0, "escalated": 1}
        task.refresh_from_db()
        assert (task.assignee, task.escalated_from, task.escalation_level) == (org["manager"], org["supervisor1"], 1)
        assert (task.due_at, task.remind_at, task.reminded_at) == (at(10, 13, 5), at(10, 9, 5), None)
        assert run(at(4, 16, 10)) == {"reminded": 0, "escalated": 0}
        assert run(at(10, 9, 10)) == {"reminded": 1, "escalated": 0}
        assert run(at(10, 13, 4)) == {"reminded": 0, "escalated": 0}

        # level 2: still no answer at Tuesday 13:06 → the director, answer by Friday 13 10:06
        assert run(at(10, 13, 6)) == {"reminded": 0, "escalated": 1}
        task.refresh_from_db()
        assert (task.assignee, task.escalation_level, task.due_at) == (org["director"], 2, at(13, 10, 6))

        # level 3: still nothing at 10:12 → the general manager, answer by Tuesday 17 16:12
        assert run(at(13, 10, 12)) == {"reminded": 0, "escalated": 1}
        task.refresh_from_db()
        assert (task.assignee, task.escalation_level, task.due_at) == (org["gm"], 3, at(17, 16, 12))
        assert not task.escalation_ended

        # nobody above the general manager: recorded once, then the job leaves the task alone
        assert run(at(17, 16, 12)) == {"reminded": 0, "escalated": 1}
        assert run(at(20, 9, 0)) == {"reminded": 0, "escalated": 0}
        task.refresh_from_db()
        assert (task.assignee, task.escalation_level, task.escalation_ended) == (org["gm"], 4, True)

        history = list(
            task.escalations.order_by("level").values_list(
                "level", "from_user__username", "to_user__username", "missed_due_at", "due_at"
            )
        )
        assert history == [
            (1, "supervisor1", "manager", at(4, 16, 0), at(10, 13, 5)),
            (2, "manager", "director", at(10, 13, 5), at(13, 10, 6)),
            (3, "director", "gm", at(13, 10, 6), at(17, 16, 12)),
            (4, "gm", None, at(17, 16, 12), None),
        ]
        for username in ("manager", "director", "gm"):
            assert Notification.objects.filter(user=org[username], kind="approval_escalation").count() >= 1
        assert Notification.objects.filter(user=org["rep1"], kind="approval_escalation").count() == 1
        notes = [e.note for e in history_for(pending) if "escalated" in e.changes]
        assert len(notes) == 4

        # everyone it passed still sees it and may answer; the director answers in their own name
        for username in ("supervisor1", "manager", "director", "gm"):
            assert task in selectors.inbox_for_user(user=org[username], day=datetime.date(2026, 3, 20))
        services.approval_decide(task=task, actor=org["director"], decision="approve", now=at(20, 9, 30))
        task.refresh_from_db()
        assert (task.status, task.decided_by, task.on_behalf_of) == (T.APPROVED, org["director"], None)
        assert pending.tasks.get(position=2).status == T.OPEN
        with pytest.raises(ApprovalNotPending):
            services.approval_decide(task=task, actor=org["gm"], decision="approve", now=at(20, 9, 31))

    def test_escalation_passes_over_people_who_left(self, org, pending, django_capture_on_commit_callbacks):
        core.user_update(user=org["manager"], data={"is_active": False}, actor=org["admin"])
        late = datetime.datetime(2026, 3, 4, 16, 5, tzinfo=SHANGHAI)
        assert self._run(late, django_capture_on_commit_callbacks) == {"reminded": 0, "escalated": 1}
        task = pending.tasks.get(position=1)
        assert (task.assignee, task.escalated_from) == (org["director"], org["supervisor1"])

    def test_periodic_job_is_registered(self):
        from salesops.core.periodic import periodic_jobs

        job = next(job for job in periodic_jobs() if job.name == "approvals.deadlines")
        assert job.every == datetime.timedelta(minutes=5)
