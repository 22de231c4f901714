"""What the approvers of a credit limit change read (see `salesops.approvals.facts`): the
request, the customer's credit figures now with the last 12 months of payment behaviour, and
the latest credit review."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.approvals.facts import HIDDEN, CreditFacts, Derived, DocumentFacts, Facts, credit_facts, money
from salesops.credit.models import CreditFile


class LimitRequestCreditFacts(CreditFacts):
    def to_representation(self, limit_request):
        return super().to_representation(credit_facts(limit_request.credit_file.customer))


class ReviewFacts(Facts):
    review_date = serializers.DateField(label=_("Review date"), read_only=True)
    grade = serializers.ChoiceField(choices=CreditFile.Grade.choices, label=_("Credit grade"), read_only=True)
    average_days_to_pay = serializers.DecimalField(
        max_digits=7, decimal_places=1, label=_("Average days to pay"), read_only=True
    )
    overdue_incidents = serializers.IntegerField(label=_("Invoices paid late or overdue"), read_only=True)
    max_exposure = money(_("Highest balance owed"))
    conclusion = serializers.CharField(label=_("Conclusion"), read_only=True)


class LatestReviewFacts(ReviewFacts):
    def get_attribute(self, limit_request):
        return limit_request.credit_file.reviews.order_by("-review_date", "-pk").first()


class LimitRequestFacts(DocumentFacts):
    number = serializers.CharField(label=_("Number"), read_only=True)
    customer_id = serializers.IntegerField(source="credit_file.customer_id", read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="credit_file.customer.name", label=_("Customer"), read_only=True)
    current_limit = money(_("Current limit"))
    requested_limit = money(_("Requested limit"))
    increase = Derived(lambda r: r.requested_limit - r.current_limit, label=_("Increase"))
    current_terms_days = serializers.IntegerField(label=_("Current terms (days)"), read_only=True)
    requested_terms_days = serializers.IntegerField(label=_("Requested terms (days)"), read_only=True)
    reason = serializers.CharField(label=_("Reason"), read_only=True)
    credit = LimitRequestCreditFacts(source="*", read_only=True, label=_("Credit now"))
    latest_review = LatestReviewFacts(source="*", read_only=True, allow_null=True, label=_("Latest credit review"))
