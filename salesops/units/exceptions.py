"""Typed errors of unit sales, each with a stable code the API returns."""

from django.utils.translation import gettext_lazy as _

from salesops.core.exceptions import ApplicationError, Conflict, ValidationFailed


class UnitNotAvailable(Conflict):
    code = "unit_not_available"
    default_message = _("This unit is no longer available: another customer holds or bought it.")


class AlreadyOnWaitlist(Conflict):
    code = "already_on_waitlist"
    default_message = _("This customer is already on the waitlist of this unit.")


class UnitIsFree(Conflict):
    code = "unit_is_free"
    default_message = _("The unit is available: hold it for the customer instead of joining the waitlist.")


class DepositNotPaid(Conflict):
    code = "deposit_not_paid"
    default_message = _("The deposit has not been paid yet.")


class DownPaymentNotPaid(Conflict):
    code = "down_payment_not_paid"
    default_message = _("The contract is signed only when the down payment is paid in full.")


class ReviewIncomplete(ValidationFailed):
    code = "review_incomplete"
    default_message = _("Every point of the review must be checked before the contract can be signed.")


class OwnReview(ApplicationError):
    code = "own_review"
    status = 403
    default_message = _("The consultant of the sale cannot review their own contract.")


class ScheduleMismatch(ValidationFailed):
    code = "schedule_mismatch"
    default_message = _("The payment schedule does not add up to the contract price.")


class NothingDue(Conflict):
    code = "nothing_due"
    default_message = _("Nothing is open on this line of the schedule.")


class ChangePending(Conflict):
    code = "change_pending"
    default_message = _("A refund or change of this purchase is already waiting for approval.")


class ChangeNotAllowed(Conflict):
    code = "change_not_allowed"
    default_message = _("This refund or change is not possible at the purchase's current stage.")


class ApprovalRuleMissing(Conflict):
    code = "approval_rule_missing"
    default_message = _("No approval rule covers this request; ask the administrator to restore it.")


class RefundAlreadyPaid(Conflict):
    code = "refund_already_paid"
    default_message = _("This refund has already been paid.")


class NoRoomAvailable(Conflict):
    code = "no_room_available"
    default_message = _("No room of this type is free for these dates, even within the overbooking limit.")


class NoRoomFree(Conflict):
    code = "no_room_free"
    default_message = _("Every room of this type is occupied now: walk the guest to another venue or wait.")


class FileAlreadyLent(Conflict):
    code = "file_already_lent"
    default_message = _("The paper file is already lent out; it must come back first.")
