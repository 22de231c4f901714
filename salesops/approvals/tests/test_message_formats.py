"""The answer-due time in approval notifications comes from the one formatting helper, written
in each recipient's language and the company's time zone, whoever sent it."""

import datetime

import pytest
from django.utils import translation

from salesops.approvals.tests.factories import SHANGHAI
from salesops.approvals.tests.test_services import _submit, chain3  # noqa: F401 (fixture)
from salesops.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "due"), [("en", "5 Mar 2026 23:16"), ("zh-hans", "2026年3月5日 23:16")])
def test_the_answer_due_time_is_in_the_approvers_language(org, chain3, language, due):  # noqa: F811
    org["supervisor1"].language = language
    org["supervisor1"].save(update_fields=["language"])
    with translation.override("en"):
        _submit(org, now=datetime.datetime(2026, 3, 4, 23, 16, tzinfo=SHANGHAI))
    notice = Notification.objects.get(user=org["supervisor1"], kind="approval")
    assert due in notice.body
