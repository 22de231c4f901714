"""API shapes of unit sales: model serializers for what is read, plain ones for each action's input.
Input serializers bound every number and date; the services check the rules."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core.api.base import ModelSerializer
from salesops.credit.models import Receipt
from salesops.units.contracts import MAX_INSTALMENTS
from salesops.units.models import (
    Booking,
    Building,
    GroupBlock,
    Mortgage,
    PaymentItem,
    PriceChange,
    PriceChangeLine,
    Project,
    PurchaseContract,
    Reservation,
    RoomType,
    Unit,
    UnitChange,
    Venue,
    WaitlistEntry,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = {"min_value": Decimal("0.01"), "max_value": Decimal("999999999.99"), **MONEY}


class ProjectSerializer(ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "city",
            "address",
            "team",
            "hold_hours",
            "sign_within_days",
            "deposit_amount",
            "forfeit_percent",
            "contract_penalty_percent",
            "active",
        ]


class BuildingSerializer(ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "project", "code", "name", "floors", "position"]


class BuildingCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    floors = serializers.IntegerField(min_value=1, max_value=200)
    units_per_floor = serializers.IntegerField(min_value=1, max_value=99)
    area = serializers.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("99999.99"), max_digits=8, decimal_places=2
    )
    price_per_m2 = serializers.DecimalField(**POSITIVE)
    floor_premium = serializers.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("99999.99"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    kind = serializers.ChoiceField(choices=Unit.Kind.choices, default=Unit.Kind.APARTMENT)
    layout = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    orientation = serializers.ChoiceField(
        choices=Unit.Orientation.choices, required=False, allow_blank=True, default=""
    )


class UnitSerializer(ModelSerializer):
    building_name = serializers.CharField(source="building.name", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "project",
            "building",
            "building_name",
            "code",
            "floor",
            "stack",
            "kind",
            "layout",
            "area",
            "orientation",
            "list_price",
            "status",
        ]
        read_only_fields = ["project", "building", "code", "floor", "stack", "list_price", "status"]


class UnitUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Unit.Kind.choices, required=False)
    layout = serializers.CharField(max_length=40, required=False, allow_blank=True)
    area = serializers.DecimalField(
        min_value=Decimal("0.01"), max_value=Decimal("99999.99"), max_digits=8, decimal_places=2, required=False
    )
    orientation = serializers.ChoiceField(choices=Unit.Orientation.choices, required=False, allow_blank=True)


class UnitHoldSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    deposit_amount = serializers.DecimalField(required=False, allow_null=True, **POSITIVE)
    waitlist = serializers.BooleanField(default=False, help_text=_("Join the waitlist when the unit is taken."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WaitlistJoinSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UnitBlockSerializer(serializers.Serializer):
    blocked = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PaymentItemSerializer(ModelSerializer):
    receivable = serializers.CharField(source="invoice.number", default=None, read_only=True)
    paid_amount = serializers.DecimalField(read_only=True, **MONEY)
    open_amount = serializers.DecimalField(read_only=True, **MONEY)
    reservation_number = serializers.CharField(source="reservation.number", read_only=True)
    unit = serializers.CharField(source="reservation.unit.code", read_only=True)

    class Meta:
        model = PaymentItem
        fields = [
            "id",
            "reservation",
            "reservation_number",
            "unit",
            "contract",
            "position",
            "kind",
            "due_date",
            "amount",
            "receivable",
            "paid_amount",
            "open_amount",
            "cancelled",
        ]


class ReservationSerializer(ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Reservation
        fields = [
            "id",
            "number",
            "project",
            "unit",
            "unit_code",
            "customer",
            "customer_name",
            "consultant",
            "team",
            "status",
            "price",
            "deposit_amount",
            "held_at",
            "hold_expires_at",
            "reserved_at",
            "sign_by",
            "bank",
            "note",
            "waitlist_entry",
            "closed_at",
        ]


class WaitlistEntrySerializer(ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    position = serializers.SerializerMethodField()

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "unit",
            "unit_code",
            "customer",
            "customer_name",
            "consultant",
            "status",
            "joined_at",
            "promoted_at",
            "position",
            "note",
        ]

    def get_position(self, entry) -> int | None:
        from salesops.units.services import waitlist_position

        return waitlist_position(entry)


class UnitPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**POSITIVE)
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Receipt.Method.choices, default=Receipt.Method.BANK_TRANSFER)
    bank_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class UnitInstalmentSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    amount = serializers.DecimalField(**POSITIVE)


class PurchaseContractTermsSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PurchaseContract.Method.choices)
    price = serializers.DecimalField(required=False, **POSITIVE)
    down_payment = serializers.DecimalField(**POSITIVE)
    loan_amount = serializers.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("999999999.99"), default=Decimal("0.00"), **MONEY
    )
    bank = serializers.CharField(max_length=100, required=False, allow_blank=True)
    loan_years = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True)
    loan_expected_on = serializers.DateField(required=False, allow_null=True)
    special_discount = serializers.CharField(max_length=200, required=False, allow_blank=True)
    instalments = UnitInstalmentSerializer(many=True, required=False, max_length=MAX_INSTALMENTS)


class PurchaseContractCreateSerializer(PurchaseContractTermsSerializer):
    reservation = serializers.IntegerField()


class MortgageSerializer(ModelSerializer):
    class Meta:
        model = Mortgage
        fields = [
            "id",
            "bank",
            "amount",
            "stage",
            "applied_on",
            "approved_on",
            "approved_amount",
            "funds_arrived_on",
            "note",
        ]


class PurchaseContractSerializer(ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    schedule = PaymentItemSerializer(source="payment_items", many=True, read_only=True)
    mortgage = MortgageSerializer(read_only=True, default=None)

    class Meta:
        model = PurchaseContract
        fields = [
            "id",
            "number",
            "reservation",
            "unit",
            "unit_code",
            "customer",
            "customer_name",
            "consultant",
            "status",
            "price",
            "method",
            "down_payment",
            "loan_amount",
            "bank",
            "loan_years",
            "loan_expected_on",
            "special_discount",
            *PurchaseContract.CHECKS,
            "reviewed_by",
            "reviewed_at",
            "signed_on",
            "completed_at",
            "schedule",
            "mortgage",
        ]


class ContractReviewSerializer(serializers.Serializer):
    check_customer = serializers.BooleanField(default=False)
    check_discount = serializers.BooleanField(default=False)
    check_amounts = serializers.BooleanField(default=False)
    check_loan_date = serializers.BooleanField(default=False)
    check_deposit_receipt = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ContractSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(required=False)


class MortgageStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=[(value, label) for value, label in Mortgage.Stage.choices if value != Mortgage.Stage.FUNDS_ARRIVED]
    )
    on = serializers.DateField(required=False)
    approved_amount = serializers.DecimalField(required=False, allow_null=True, **POSITIVE)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UnitChangeSerializer(ModelSerializer):
    class Meta:
        model = UnitChange
        fields = [
            "id",
            "number",
            "reservation",
            "kind",
            "reason",
            "note",
            "target_unit",
            "status",
            "paid_amount",
            "kept_amount",
            "refund_amount",
            "credit_note",
            "refund_document",
            "refund_paid_on",
            "refund_reference",
            "requested_by",
            "requested_at",
            "decided_at",
        ]


class UnitChangeCreateSerializer(serializers.Serializer):
    reservation = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=UnitChange.Kind.choices)
    reason = serializers.ChoiceField(choices=UnitChange.Reason.choices)
    target_unit = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RefundPaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Receipt.Method.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class UnitPriceChangeLineSerializer(ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = PriceChangeLine
        fields = ["unit", "unit_code", "old_price", "new_price"]


class UnitPriceChangeSerializer(ModelSerializer):
    lines = UnitPriceChangeLineSerializer(many=True, read_only=True)

    class Meta:
        model = PriceChange
        fields = ["id", "number", "project", "reason", "status", "requested_by", "requested_at", "applied_at", "lines"]


class UnitPriceLineSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    new_price = serializers.DecimalField(**POSITIVE)


class UnitPriceChangeCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)
    lines = UnitPriceLineSerializer(many=True, min_length=1, max_length=500)


class FileItemCreateSerializer(serializers.Serializer):
    document = serializers.SlugField(max_length=40, help_text=_("The code of a required document."))
    received_on = serializers.DateField(required=False)
    copies = serializers.IntegerField(min_value=1, max_value=20, default=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FileLendSerializer(serializers.Serializer):
    borrower = serializers.IntegerField()
    purpose = serializers.CharField(max_length=200)
    due_back = serializers.DateField()


class VenueSerializer(ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "code", "name", "kind", "team", "check_in_time", "check_out_time", "active"]


class RoomTypeSerializer(ModelSerializer):
    rooms = serializers.SerializerMethodField()

    class Meta:
        model = RoomType
        fields = [
            "id",
            "venue",
            "code",
            "name",
            "per",
            "rate",
            "overbooking_limit",
            "free_cancel_hours",
            "cancel_fee_percent",
            "no_show_after_minutes",
            "no_show_fee_percent",
            "rooms",
        ]

    def get_rooms(self, room_type) -> int:
        return room_type.rooms.filter(in_service=True).count()


class BookingSerializer(ModelSerializer):
    room_number = serializers.CharField(source="room.number", default=None, read_only=True)
    charge_number = serializers.CharField(source="charge.number", default=None, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "number",
            "room_type",
            "customer",
            "consultant",
            "block",
            "starts_at",
            "ends_at",
            "guests",
            "rate",
            "status",
            "room",
            "room_number",
            "checked_in_at",
            "checked_out_at",
            "walked_to",
            "charge",
            "charge_number",
            "note",
        ]


class BookingCreateSerializer(serializers.Serializer):
    room_type = serializers.IntegerField()
    customer = serializers.IntegerField()
    arrival = serializers.CharField(
        max_length=40,
        help_text=_("A date (YYYY-MM-DD) for rooms by the night; a time on the hour for rooms by the hour."),
    )
    length = serializers.IntegerField(min_value=1, max_value=30, help_text=_("Nights or hours."))
    guests = serializers.IntegerField(min_value=1, max_value=50, default=1)
    block = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BookingActionSerializer(serializers.Serializer):
    room = serializers.IntegerField(required=False, allow_null=True)
    walked_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GroupBlockSerializer(ModelSerializer):
    class Meta:
        model = GroupBlock
        fields = [
            "id",
            "number",
            "room_type",
            "customer",
            "consultant",
            "starts_at",
            "ends_at",
            "rooms",
            "release_at",
            "status",
        ]


class GroupBlockCreateSerializer(serializers.Serializer):
    room_type = serializers.IntegerField()
    customer = serializers.IntegerField()
    arrival = serializers.CharField(max_length=40)
    length = serializers.IntegerField(min_value=1, max_value=30)
    rooms = serializers.IntegerField(min_value=1, max_value=500)
    release_at = serializers.DateTimeField()
