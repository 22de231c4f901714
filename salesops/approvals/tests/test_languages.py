"""Approvals do not depend on language: a requester working in one language and an approver in
the other approve, reject and return every registered document type in one step, through the
web and the API; versions and snapshots are the same in every language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from salesops.approvals.models import ApprovalRequest, ApprovalTask
from salesops.approvals.registry import get_document_type, registered_document_types
from salesops.approvals.tests.documents import MAKERS, submitted

pytestmark = pytest.mark.django_db

OUTCOME = {"approve": "approved", "reject": "rejected", "return": "returned"}
LANGUAGE_COOKIE = "salesops_language"


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def _submitted_in(language: str, doc_type: str, org) -> ApprovalRequest:
    _, requester = MAKERS[doc_type]
    _speaks(org[requester], language)
    with translation.override(language):
        return submitted(doc_type, org)


def test_every_registered_document_type_has_a_maker_here():
    assert set(registered_document_types()) == set(MAKERS)


def test_every_registered_document_type_declares_its_facts():
    assert sorted(key for key, doc_type in registered_document_types().items() if doc_type.facts is None) == []


@pytest.mark.parametrize("doc_type", sorted(MAKERS))
def test_version_and_snapshot_are_the_same_in_every_language(org, doc_type):
    request = _submitted_in("en", doc_type, org)
    doc_type_ = get_document_type(doc_type)
    document = doc_type_.load(request.object_id)
    seen = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            seen[language] = (doc_type_.document_version(document), doc_type_.summary(document))
    assert seen["en"] == seen["zh-hans"]
    assert seen["en"][0] == request.version


def _decide_on_the_web(client, task, approver, language, decision):
    client.force_login(approver)
    client.cookies[LANGUAGE_COOKIE] = language
    url = reverse("approval-task", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="facts"' in page.content.decode()
    return client.post(url, {"decision": decision, "comment": "请修改 please change"})


def _decide_through_the_api(api, task, approver, language, decision):
    client = api(approver)
    url = f"/api/v1/approvals/tasks/{task.pk}/"
    detail = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert detail.status_code == 200
    assert detail.json()["facts"]["doc_type"] == task.request.doc_type
    return client.post(
        f"{url}decide/", {"decision": decision, "comment": "请修改 please change"}, HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("decision", sorted(OUTCOME))
@pytest.mark.parametrize("doc_type", sorted(MAKERS))
def test_an_approver_in_chinese_decides_what_a_requester_in_english_sent(org, client, api, doc_type, decision, channel):
    request = _submitted_in("en", doc_type, org)
    approver = org["gm"]
    _speaks(approver, "zh-hans")
    task = request.tasks.get(status=ApprovalTask.Status.OPEN)

    if channel == "web":
        response = _decide_on_the_web(client, task, approver, "zh-hans", decision)
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        response = _decide_through_the_api(api, task, approver, "zh-hans", decision)
        assert response.status_code == 200, response.json()

    request.refresh_from_db()
    task.refresh_from_db()
    assert (request.status, task.status, task.decided_by) == (OUTCOME[decision], OUTCOME[decision], approver)


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("doc_type", sorted(MAKERS))
def test_an_approver_in_english_approves_what_a_requester_in_chinese_sent(org, client, api, doc_type, channel):
    request = _submitted_in("zh-hans", doc_type, org)
    approver = org["gm"]
    _speaks(approver, "en")
    task = request.tasks.get(status=ApprovalTask.Status.OPEN)
    if channel == "web":
        assert _decide_on_the_web(client, task, approver, "en", "approve").status_code == 302
    else:
        assert _decide_through_the_api(api, task, approver, "en", "approve").status_code == 200
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_discounted_order_goes_through_the_seeded_chain_one_step_per_approver(org, client):
    from salesops.approvals.tests.documents import make_discounted_order

    for username, language in [("rep1", "en"), ("supervisor1", "zh-hans"), ("manager", "en"), ("director", "zh-hans")]:
        _speaks(org[username], language)
    with translation.override("en"):
        order = make_discounted_order(org)
    request = ApprovalRequest.objects.get(doc_type="special_discount_order", object_id=str(order.pk))
    for username in ["supervisor1", "manager", "director"]:
        task = request.tasks.get(status=ApprovalTask.Status.OPEN)
        assert task.assignee == org[username]
        response = _decide_on_the_web(client, task, org[username], org[username].language, "approve")
        assert response.status_code == 302
    request.refresh_from_db()
    order.refresh_from_db()
    assert (request.status, order.status) == ("approved", "confirmed")


def test_pending_requests_with_an_old_version_are_made_decidable_again(org):
    from salesops.approvals.services import approval_refingerprint_pending
    from salesops.core.audit import history_for

    request = _submitted_in("en", "special_discount_order", org)
    current = request.version
    ApprovalRequest.objects.filter(pk=request.pk).update(version="made-from-labels", snapshot={"payment": "现款"})
    assert approval_refingerprint_pending() == 1
    request.refresh_from_db()
    assert request.version == current and request.snapshot["payment"] == "credit"
    assert history_for(request).first().changes == {"version": [None, current]}
    assert approval_refingerprint_pending() == 0  # nothing left to do


def test_notifications_and_emails_are_in_the_recipients_language(
    org, client, mailoutbox, django_capture_on_commit_callbacks
):
    from salesops.core.models import Notification

    _speaks(org["gm"], "zh-hans")
    org["rep1"].email = "rep1@example.com"
    org["rep1"].save(update_fields=["email"])
    request = _submitted_in("en", "special_discount_order", org)  # sent by a rep working in English
    told = Notification.objects.get(user=org["gm"])
    assert told.title == f"待审批：{request.title}"

    task = request.tasks.get(status=ApprovalTask.Status.OPEN)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):  # decided in Chinese
        response = _decide_on_the_web(client, task, org["gm"], "zh-hans", "return")
    assert response.status_code == 302
    answer = Notification.objects.get(user=org["rep1"])
    assert "returned for changes" in answer.title and "退回" not in answer.title
    assert [mail.subject for mail in mailoutbox] == [answer.title]
