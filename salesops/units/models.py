"""Unique-unit sales (销控): units sold once and rooms booked by date or hour.

Sold units: a project (楼盘) has buildings, a building floors and units (apartments, parking
spaces, shops) with area, orientation, list price and a status. A purchase starts as a hold of
one unit for one customer, becomes a reservation (认购) when its deposit is paid, and a purchase
contract (签约) with a payment schedule; the unit is sold when the schedule is paid. Later
customers queue on a waitlist (轮侯). Refunds and changes (退认购, 退房, 换房) go through approval.

A unit is never sold twice: every decision about a unit locks its row first, and the database
refuses a second active purchase of one unit (a partial unique index on `Reservation.unit`).

Booked rooms: a venue (hotel, KTV) has room types with a rate per night or per hour, rooms,
group blocks and bookings; a booking is decided under a lock of its room type's row, allowed up
to the rooms in service plus the overbooking limit of each date.

Every amount the customer owes is a receivable of the money flow (see `units.money`); what is
paid is what receipts allocated to it, with their dates.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core.models import OrgUnit
from salesops.core.state import StateMachine
from salesops.crm.models import Customer

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
MAX_PRICE = Decimal("999999999.99")
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)]
MONEY_OR_ZERO = [MinValueValidator(ZERO), MaxValueValidator(MAX_PRICE)]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


# --- projects, buildings, units ------------------------------------------------------------------
class Project(models.Model):
    """A development sold unit by unit from one sales office (售楼处). The project's policy
    numbers (how long a hold lasts, the days to sign, the standard deposit, the share of the
    deposit kept when a buyer withdraws) live here, one place each."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    team = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="unit_projects", verbose_name=_("sales office")
    )
    hold_hours = models.PositiveIntegerField(
        _("hold lasts (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text=_("A unit held for a customer is released when its deposit is not paid within this time."),
    )
    sign_within_days = models.PositiveIntegerField(
        _("sign within (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("Days from the reservation to the signing of the contract."),
    )
    deposit_amount = models.DecimalField(
        _("standard deposit"), default=Decimal("20000.00"), validators=POSITIVE_MONEY, **MONEY
    )
    forfeit_percent = models.DecimalField(
        _("deposit kept when the buyer withdraws (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=PERCENT,
    )
    contract_penalty_percent = models.DecimalField(
        # xgettext:no-python-format
        _("penalty when the buyer cancels a contract (% of price)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=PERCENT,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("project"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    floors = models.PositiveIntegerField(
        _("floors"), validators=[MinValueValidator(1), MaxValueValidator(200)], default=1
    )
    position = models.PositiveIntegerField(_("order"), default=10)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["project", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="units_building_code_unique")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        APARTMENT = "apartment", _("Apartment")
        PARKING = "parking", _("Parking space")
        SHOP = "shop", _("Shop")
        OFFICE = "office", _("Office")

    class Orientation(models.TextChoices):
        N = "N", _("North")
        S = "S", _("South")
        E = "E", _("East")
        W = "W", _("West")
        NS = "NS", _("North–south")
        EW = "EW", _("East–west")
        SE = "SE", _("South-east")
        SW = "SW", _("South-west")
        NE = "NE", _("North-east")
        NW = "NW", _("North-west")

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("unit", "Available")
        HELD = "held", pgettext_lazy("unit", "Held")
        RESERVED = "reserved", pgettext_lazy("unit", "Reserved")
        SIGNED = "signed", pgettext_lazy("unit", "Signed")
        SOLD = "sold", pgettext_lazy("unit", "Sold")
        BLOCKED = "blocked", pgettext_lazy("unit", "Blocked")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="units", verbose_name=_("project"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    code = models.CharField(pgettext_lazy("property", "unit"), max_length=30)
    floor = models.IntegerField(_("floor"), validators=[MinValueValidator(-10), MaxValueValidator(200)])
    stack = models.PositiveIntegerField(
        _("position on the floor"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.APARTMENT)
    layout = models.CharField(_("layout"), max_length=40, blank=True, help_text=_("E.g. 3 rooms, 2 halls"))
    area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99999.99"))],
    )
    orientation = models.CharField(_("orientation"), max_length=2, choices=Orientation.choices, blank=True)
    list_price = models.DecimalField(_("list price"), validators=POSITIVE_MONEY, **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)

    class Meta:
        verbose_name = pgettext_lazy("property", "unit")
        verbose_name_plural = _("units")
        ordering = ["project", "building", "-floor", "stack"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="units_unit_code_unique"),
            models.UniqueConstraint(fields=["building", "floor", "stack"], name="units_unit_place_unique"),
        ]
        indexes = [models.Index(fields=["project", "status"], name="units_unit_project_status")]

    def __str__(self) -> str:
        return self.code

    @property
    def price_per_m2(self) -> Decimal:
        return (self.list_price / self.area).quantize(Decimal("0.01")) if self.area else ZERO


UNIT_FLOW = StateMachine(
    {
        Unit.Status.AVAILABLE: {Unit.Status.HELD, Unit.Status.BLOCKED},
        Unit.Status.HELD: {Unit.Status.AVAILABLE, Unit.Status.RESERVED},
        Unit.Status.RESERVED: {Unit.Status.SIGNED, Unit.Status.AVAILABLE},
        Unit.Status.SIGNED: {Unit.Status.SOLD, Unit.Status.AVAILABLE},
        Unit.Status.SOLD: {Unit.Status.AVAILABLE},
        Unit.Status.BLOCKED: {Unit.Status.AVAILABLE},
    }
)


# --- purchases -------------------------------------------------------------------------------------
class Reservation(models.Model):
    """One customer's purchase of one unit, from the hold to the signed contract (认购).

    held: the unit is kept for the customer until `hold_expires_at`, waiting for the deposit;
    reserved: the deposit is paid, the contract is to be signed by `sign_by`;
    signed: the purchase contract is signed (the contract carries on from there);
    lapsed: the hold ran out without a deposit; cancelled: refunded or withdrawn (退认购, 退房)."""

    class Status(models.TextChoices):
        HELD = "held", pgettext_lazy("reservation", "Held")
        RESERVED = "reserved", pgettext_lazy("reservation", "Reserved")
        SIGNED = "signed", pgettext_lazy("reservation", "Contract signed")
        LAPSED = "lapsed", pgettext_lazy("reservation", "Hold lapsed")
        CANCELLED = "cancelled", pgettext_lazy("reservation", "Cancelled")

    ACTIVE = (Status.HELD, Status.RESERVED, Status.SIGNED)

    number = models.CharField(_("number"), max_length=30, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reservations")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reservations", verbose_name=pgettext_lazy("property", "unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="unit_reservations", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="unit_reservations",
        verbose_name=_("sales consultant"),
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HELD)
    price = models.DecimalField(_("price"), validators=POSITIVE_MONEY, **MONEY)
    deposit_amount = models.DecimalField(_("deposit"), validators=POSITIVE_MONEY, **MONEY)
    held_at = models.DateTimeField(pgettext_lazy("hold", "held at"))
    hold_expires_at = models.DateTimeField(_("hold expires at"))
    reserved_at = models.DateTimeField(_("reserved at"), null=True, blank=True)
    sign_by = models.DateField(_("sign by"), null=True, blank=True)
    bank = models.CharField(_("mortgage bank"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    waitlist_entry = models.OneToOneField(
        "WaitlistEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reservation",
        verbose_name=_("from the waitlist"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # empty when the system made the hold (the first in line on the waitlist)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-held_at", "-id"]
        constraints = [
            # the database's own guarantee that a unit is never sold twice
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["held", "reserved", "signed"]),
                name="units_one_active_purchase_per_unit",
            ),
            models.CheckConstraint(condition=Q(deposit_amount__lte=models.F("price")), name="units_deposit_in_price"),
        ]
        indexes = [
            models.Index(fields=["status", "hold_expires_at"], name="units_reservation_hold"),
            models.Index(fields=["consultant", "status"], name="units_reservation_consultant"),
            models.Index(fields=["team", "status"], name="units_reservation_team"),
        ]

    def __str__(self) -> str:
        return self.number


RESERVATION_FLOW = StateMachine(
    {
        Reservation.Status.HELD: {
            Reservation.Status.RESERVED,
            Reservation.Status.LAPSED,
            Reservation.Status.CANCELLED,
        },
        Reservation.Status.RESERVED: {Reservation.Status.SIGNED, Reservation.Status.CANCELLED},
        Reservation.Status.SIGNED: {Reservation.Status.CANCELLED},
    }
)


class WaitlistEntry(models.Model):
    """A customer queued for a unit that is taken (轮侯); the first in line is given a hold
    when the unit comes free."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PROMOTED = "promoted", _("Given a hold")
        CANCELLED = "cancelled", _("Left the waitlist")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="waitlist", verbose_name=pgettext_lazy("property", "unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="unit_waitlist", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales consultant")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    joined_at = models.DateTimeField(_("joined at"))
    promoted_at = models.DateTimeField(_("given a hold at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["unit", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "customer"], condition=Q(status="waiting"), name="units_waitlist_once_per_customer"
            )
        ]
        indexes = [models.Index(fields=["unit", "status", "joined_at"], name="units_waitlist_queue")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.customer}"


WAITLIST_FLOW = StateMachine(
    {WaitlistEntry.Status.WAITING: {WaitlistEntry.Status.PROMOTED, WaitlistEntry.Status.CANCELLED}}
)


class PurchaseContract(models.Model):
    """The purchase contract (签约): price, payment method, down payment, loan and bank, and
    the sales manager's review checklist; signed when reviewed and the down payment is paid."""

    class Method(models.TextChoices):
        FULL = "full", _("Full payment")
        INSTALMENTS = "instalments", _("Instalments")
        MORTGAGE = "mortgage", _("Mortgage")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed, ready to sign")
        SIGNED = "signed", pgettext_lazy("contract", "Signed")
        COMPLETED = "completed", _("Paid in full: sold")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    reservation = models.OneToOneField(
        Reservation, on_delete=models.PROTECT, related_name="contract", verbose_name=_("reservation")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="contracts", verbose_name=pgettext_lazy("property", "unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="unit_contracts", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales consultant")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    price = models.DecimalField(_("contract price"), validators=POSITIVE_MONEY, **MONEY)
    method = models.CharField(_("payment method"), max_length=20, choices=Method.choices)
    down_payment = models.DecimalField(_("down payment"), validators=POSITIVE_MONEY, **MONEY)
    loan_amount = models.DecimalField(_("loan amount"), default=ZERO, validators=MONEY_OR_ZERO, **MONEY)
    bank = models.CharField(_("mortgage bank"), max_length=100, blank=True)
    loan_years = models.PositiveIntegerField(
        _("loan term (years)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    loan_expected_on = models.DateField(_("loan expected by"), null=True, blank=True)
    special_discount = models.CharField(_("special discount"), max_length=200, blank=True)
    # the sales manager's review before signing (签约审核)
    check_customer = models.BooleanField(_("buyer's name, address, ID number and phone checked"), default=False)
    check_discount = models.BooleanField(_("special discount and its calculation checked"), default=False)
    check_amounts = models.BooleanField(_("unit price, total, down payment and loan amount checked"), default=False)
    check_loan_date = models.BooleanField(_("date the loan arrives checked"), default=False)
    check_deposit_receipt = models.BooleanField(_("deposit receipt checked"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("paid in full at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    CHECKS = ("check_customer", "check_discount", "check_amounts", "check_loan_date", "check_deposit_receipt")

    class Meta:
        verbose_name = _("purchase contract")
        verbose_name_plural = _("purchase contracts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(down_payment__lte=models.F("price")), name="units_contract_down_payment_in_price"
            ),
            models.CheckConstraint(
                condition=Q(loan_amount__lte=models.F("price") - models.F("down_payment")),
                name="units_contract_loan_within_balance",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "status"], name="units_contract_consultant")]

    def __str__(self) -> str:
        return self.number


CONTRACT_FLOW = StateMachine(
    {
        PurchaseContract.Status.DRAFT: {PurchaseContract.Status.REVIEWED, PurchaseContract.Status.CANCELLED},
        PurchaseContract.Status.REVIEWED: {
            PurchaseContract.Status.SIGNED,
            PurchaseContract.Status.DRAFT,
            PurchaseContract.Status.CANCELLED,
        },
        PurchaseContract.Status.SIGNED: {PurchaseContract.Status.COMPLETED, PurchaseContract.Status.CANCELLED},
        PurchaseContract.Status.COMPLETED: {PurchaseContract.Status.CANCELLED},
    }
)


class PaymentItem(models.Model):
    """One amount of a purchase's payment schedule with its due date: the deposit, the down
    payment, an instalment, the mortgage loan or the balance. It becomes a receivable of the
    money flow (`invoice`) when it can be collected; what is paid is what receipts allocated to
    that receivable."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        DOWN_PAYMENT = "down_payment", _("Down payment")
        INSTALMENT = "instalment", _("Instalment")
        LOAN = "loan", _("Mortgage loan")
        BALANCE = "balance", pgettext_lazy("payment schedule", "Balance")

    reservation = models.ForeignKey(
        Reservation, on_delete=models.PROTECT, related_name="payment_items", verbose_name=_("reservation")
    )
    contract = models.ForeignKey(
        PurchaseContract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_items",
        verbose_name=_("contract"),
    )
    position = models.PositiveIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), validators=POSITIVE_MONEY, **MONEY)
    invoice = models.OneToOneField(
        "sales.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_payment_item",
        verbose_name=_("receivable"),
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("payment schedule line")
        verbose_name_plural = _("payment schedule")
        ordering = ["reservation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "position"], name="units_payment_item_position"),
        ]
        indexes = [models.Index(fields=["due_date", "cancelled"], name="units_payment_item_due")]

    def __str__(self) -> str:
        return f"{self.reservation_id}/{self.position}"

    @property
    def paid_amount(self) -> Decimal:
        """Paid on the receivable (by receipts, or closed by a credit note when cancelled)."""
        return self.invoice.paid_amount if self.invoice_id else ZERO

    @property
    def open_amount(self) -> Decimal:
        if self.cancelled:
            return ZERO
        return self.invoice.total - self.invoice.paid_amount if self.invoice_id else self.amount


class Mortgage(models.Model):
    """The buyer's mortgage (按揭): applied at the bank, approved, funds arrived. The funds
    arrive only with the receipt of the loan (finance records the bank's transfer)."""

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("Preparing documents")
        APPLIED = "applied", _("Applied at the bank")
        APPROVED = "approved", _("Approved by the bank")
        FUNDS_ARRIVED = "funds_arrived", _("Funds arrived")
        REJECTED = "rejected", _("Refused by the bank")

    contract = models.OneToOneField(
        PurchaseContract, on_delete=models.PROTECT, related_name="mortgage", verbose_name=_("contract")
    )
    bank = models.CharField(_("bank"), max_length=100)
    amount = models.DecimalField(_("loan amount"), validators=POSITIVE_MONEY, **MONEY)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARING)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_amount = models.DecimalField(
        _("approved amount"), null=True, blank=True, validators=POSITIVE_MONEY, **MONEY
    )
    funds_arrived_on = models.DateField(_("funds arrived on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mortgage")
        verbose_name_plural = _("mortgages")

    def __str__(self) -> str:
        return f"{self.contract} · {self.bank}"


MORTGAGE_FLOW = StateMachine(
    {
        Mortgage.Stage.PREPARING: {Mortgage.Stage.APPLIED},
        Mortgage.Stage.APPLIED: {Mortgage.Stage.APPROVED, Mortgage.Stage.REJECTED},
        Mortgage.Stage.APPROVED: {Mortgage.Stage.FUNDS_ARRIVED, Mortgage.Stage.REJECTED},
        Mortgage.Stage.REJECTED: {Mortgage.Stage.APPLIED},
    }
)


class UnitChange(models.Model):
    """A refund or change of a purchase, decided by approval: 退认购 (cancel a reservation),
    退房 (cancel a contract) or 换房 (move the purchase to another unit). The amounts kept and
    refunded follow the project's rule for the reason given and are fixed when requested."""

    class Kind(models.TextChoices):
        CANCEL_RESERVATION = "cancel_reservation", _("Cancel the reservation")
        CANCEL_CONTRACT = "cancel_contract", _("Cancel the contract")
        TRANSFER = "transfer", _("Change to another unit")

    class Reason(models.TextChoices):
        BUYER_WITHDRAWS = "buyer_withdraws", _("The buyer withdraws")
        LOAN_REFUSED = "loan_refused", _("The bank refused the loan")
        SELLER = "seller", _("On the seller's side")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        DONE = "done", _("Approved and carried out")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=30, unique=True)
    reservation = models.ForeignKey(
        Reservation, on_delete=models.PROTECT, related_name="changes", verbose_name=_("reservation")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    note = models.TextField(_("explanation"), blank=True)
    target_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("new unit")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    paid_amount = models.DecimalField(_("paid so far"), default=ZERO, **MONEY)
    kept_amount = models.DecimalField(_("kept"), default=ZERO, **MONEY)
    refund_amount = models.DecimalField(_("to refund"), default=ZERO, **MONEY)
    credit_note = models.OneToOneField(
        "sales.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    refund_document = models.OneToOneField(
        "sales.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    refund_paid_on = models.DateField(_("refund paid on"), null=True, blank=True)
    refund_reference = models.CharField(_("refund bank reference"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund or change")
        verbose_name_plural = _("refunds and changes")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation"], condition=Q(status="pending"), name="units_one_pending_change"
            ),
            models.CheckConstraint(
                condition=Q(kept_amount__gte=0, refund_amount__gte=0), name="units_change_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


CHANGE_FLOW = StateMachine(
    {
        UnitChange.Status.PENDING: {
            UnitChange.Status.DONE,
            UnitChange.Status.REJECTED,
            UnitChange.Status.WITHDRAWN,
        }
    }
)


class PriceChange(models.Model):
    """A change of list prices (调价) of some units of one project; applied when approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPLIED = "applied", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=30, unique=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="price_changes", verbose_name=_("project")
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("price change")
        verbose_name_plural = _("price changes")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.number


PRICE_CHANGE_FLOW = StateMachine(
    {
        PriceChange.Status.PENDING: {
            PriceChange.Status.APPLIED,
            PriceChange.Status.REJECTED,
            PriceChange.Status.WITHDRAWN,
        }
    }
)


class PriceChangeLine(models.Model):
    price_change = models.ForeignKey(PriceChange, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("property", "unit")
    )
    old_price = models.DecimalField(_("old price"), **MONEY)
    new_price = models.DecimalField(_("new price"), validators=POSITIVE_MONEY, **MONEY)

    class Meta:
        ordering = ["price_change", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["price_change", "unit"], name="units_price_line_once")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.old_price} → {self.new_price}"


# --- the customer's document file (档案) -------------------------------------------------------------
class RequiredDocument(models.Model):
    """A paper the purchase file must hold at a stage (policy as data, seeded from the manual)."""

    class Stage(models.TextChoices):
        RESERVATION = "reservation", _("Reservation")
        CONTRACT = "contract", _("Contract")
        MORTGAGE = "mortgage", _("Mortgage")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    position = models.PositiveIntegerField(_("order"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["stage", "position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils import translation

        language = (translation.get_language() or "en").lower()
        return self.name_zh if language.startswith("zh") and self.name_zh else self.name_en


class FileItem(models.Model):
    """A paper received into the purchase file."""

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="file_items")
    document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("paper file", "document"),
    )
    received_on = models.DateField(pgettext_lazy("paper file", "received on"))
    copies = models.PositiveIntegerField(
        _("copies"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("file item")
        verbose_name_plural = _("file items")
        ordering = ["reservation", "document__stage", "document__position"]
        constraints = [models.UniqueConstraint(fields=["reservation", "document"], name="units_file_item_once")]

    def __str__(self) -> str:
        return f"{self.reservation_id}: {self.document_id}"


class FileLoan(models.Model):
    """The lending log of the paper file (借阅): who took it, why, until when, when it came back."""

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="file_loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("borrower")
    )
    purpose = models.CharField(pgettext_lazy("loan", "purpose"), max_length=200)
    lent_at = models.DateTimeField(_("lent at"))
    due_back = models.DateField(_("due back"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lent by")
    )

    class Meta:
        verbose_name = _("file loan")
        verbose_name_plural = _("file loans")
        ordering = ["-lent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation"], condition=Q(returned_at__isnull=True), name="units_file_lent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reservation_id} → {self.borrower_id}"


# --- bookable rooms ------------------------------------------------------------------------------
class Venue(models.Model):
    class Kind(models.TextChoices):
        HOTEL = "hotel", _("Hotel")
        KTV = "ktv", _("KTV")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales office"))
    check_in_time = models.TimeField(_("check-in from"), default=datetime.time(14, 0))
    check_out_time = models.TimeField(_("check-out by"), default=datetime.time(12, 0))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RoomType(models.Model):
    """Rooms sold alike, with their rate per night (hotel) or per hour (KTV) and the rules of
    overbooking, cancellation and no-show (policy numbers, one place each)."""

    class Per(models.TextChoices):
        NIGHT = "night", _("per night")
        HOUR = "hour", _("per hour")

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="room_types", verbose_name=_("venue"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    per = models.CharField(_("sold"), max_length=10, choices=Per.choices)
    rate = models.DecimalField(_("rate"), validators=POSITIVE_MONEY, **MONEY)
    overbooking_limit = models.PositiveIntegerField(
        _("overbooking allowed (rooms)"), default=0, validators=[MaxValueValidator(100)]
    )
    free_cancel_hours = models.PositiveIntegerField(
        _("free cancellation until (hours before arrival)"), default=24, validators=[MaxValueValidator(24 * 30)]
    )
    cancel_fee_percent = models.DecimalField(
        # xgettext:no-python-format
        _("late cancellation fee (% of the first night or hour)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=PERCENT,
    )
    no_show_after_minutes = models.PositiveIntegerField(
        _("no-show after (minutes past arrival)"), default=360, validators=[MaxValueValidator(24 * 60)]
    )
    no_show_fee_percent = models.DecimalField(
        # xgettext:no-python-format
        _("no-show fee (% of the first night or hour)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("room type")
        verbose_name_plural = _("room types")
        ordering = ["venue", "code"]
        constraints = [models.UniqueConstraint(fields=["venue", "code"], name="units_room_type_code_unique")]

    def __str__(self) -> str:
        return f"{self.venue.code} {self.name}"


class OverbookingLimit(models.Model):
    """The overbooking limit of one room type on one date, overriding the room type's own."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="overbooking_days")
    date = models.DateField(_("date"))
    limit = models.PositiveIntegerField(_("overbooking allowed (rooms)"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("overbooking limit")
        verbose_name_plural = _("overbooking limits")
        ordering = ["room_type", "date"]
        constraints = [models.UniqueConstraint(fields=["room_type", "date"], name="units_overbooking_once")]

    def __str__(self) -> str:
        return f"{self.room_type_id} {self.date}: {self.limit}"


class Room(models.Model):
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("room type"))
    number = models.CharField(_("room"), max_length=20)
    floor = models.IntegerField(_("floor"), default=1, validators=[MinValueValidator(-5), MaxValueValidator(200)])
    in_service = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["room_type", "number"]
        constraints = [models.UniqueConstraint(fields=["room_type", "number"], name="units_room_number_unique")]

    def __str__(self) -> str:
        return self.number


class GroupBlock(models.Model):
    """Rooms of one type kept for a group (团队) over some nights; the rooms not taken up by
    the release time return to sale."""

    class Status(models.TextChoices):
        HELD = "held", pgettext_lazy("block", "Held")
        RELEASED = "released", _("Released")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    room_type = models.ForeignKey(
        RoomType, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("room type")
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("group"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sales consultant")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    rooms = models.PositiveIntegerField(_("rooms"), validators=[MaxValueValidator(500)])
    release_at = models.DateTimeField(_("release unused rooms at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group block")
        verbose_name_plural = _("group blocks")
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="units_block_span")]

    def __str__(self) -> str:
        return self.number


BLOCK_FLOW = StateMachine({GroupBlock.Status.HELD: {GroupBlock.Status.RELEASED, GroupBlock.Status.CANCELLED}})


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Booked")
        CHECKED_IN = "checked_in", pgettext_lazy("hotel", "Checked in")
        CHECKED_OUT = "checked_out", _("Checked out")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")
        WALKED = "walked", _("Walked to another venue")

    ACTIVE = (Status.CONFIRMED, Status.CHECKED_IN)

    number = models.CharField(_("number"), max_length=30, unique=True)
    room_type = models.ForeignKey(
        RoomType, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room type")
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("guest"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    block = models.ForeignKey(
        GroupBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("group")
    )
    starts_at = models.DateTimeField(_("arrival"))
    ends_at = models.DateTimeField(_("departure"))
    guests = models.PositiveIntegerField(
        _("guests"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    rate = models.DecimalField(_("rate"), validators=POSITIVE_MONEY, **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("room")
    )
    checked_in_at = models.DateTimeField(pgettext_lazy("hotel", "checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(pgettext_lazy("hotel", "checked out at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    walked_to = models.CharField(_("walked to"), max_length=200, blank=True)
    charge = models.OneToOneField(
        "sales.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("charge")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="units_booking_span")
        ]
        indexes = [
            models.Index(fields=["room_type", "status", "starts_at"], name="units_booking_type_start"),
            models.Index(fields=["status", "starts_at"], name="units_booking_status_start"),
        ]

    def __str__(self) -> str:
        return self.number


BOOKING_FLOW = StateMachine(
    {
        Booking.Status.CONFIRMED: {
            Booking.Status.CHECKED_IN,
            Booking.Status.CANCELLED,
            Booking.Status.NO_SHOW,
            Booking.Status.WALKED,
        },
        Booking.Status.CHECKED_IN: {Booking.Status.CHECKED_OUT},
    }
)
