from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from salesops.core.models import AuditEvent, CalendarDay, Company, NumberSequence, OrgUnit, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline]
    list_display = ["username", "full_name", "org_unit", "manager", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("salesops", {"fields": ["full_name", "phone", "org_unit", "manager", "language"]}),
    ]


admin.site.register(Company)
admin.site.register(OrgUnit, list_display=["name", "code", "kind", "parent", "path"])
admin.site.register(CalendarDay, list_display=["date", "is_working_day", "name"])
admin.site.register(NumberSequence, list_display=["key", "last_value"])
admin.site.register(AuditEvent, list_display=["at", "action", "object_repr", "actor"])
