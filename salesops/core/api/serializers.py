from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core import bounds
from salesops.core.api.base import ModelSerializer
from salesops.core.api.fields import DateField
from salesops.core.models import CalendarDay, Company, Notification, OrgUnit, User
from salesops.core.roles import Role


class CompanySerializer(ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "legal_name", "tax_id", "time_zone", "currency", "work_start", "work_end"]


class OrgUnitSerializer(ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "head", "path", "active"]
        read_only_fields = ["path"]


class UserSerializer(ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, help_text=_("Role codes")
    )
    password = serializers.CharField(write_only=True, required=False, min_length=10)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "phone",
            "org_unit",
            "manager",
            "language",
            "is_active",
            "roles",
            "password",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(a.role for a in instance.role_assignments.all())
        return data


class MeSerializer(ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "org_unit", "manager", "language", "roles"]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.roles)


class CalendarDaySerializer(ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "is_working_day", "name"]


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "kind", "created_at", "read_at"]


class CalendarCheckInput(serializers.Serializer):
    date = DateField()
    add_days = serializers.IntegerField(
        required=False, default=0, min_value=-bounds.DAYS_MAX, max_value=bounds.DAYS_MAX
    )


class CalendarCheckSerializer(serializers.Serializer):
    date = serializers.DateField()
    is_working_day = serializers.BooleanField()
    add_days = serializers.IntegerField()
    result = serializers.DateField()
