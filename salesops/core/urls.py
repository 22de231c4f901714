from django.urls import path

from salesops.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("language/", views.set_language, name="set-language"),
    path("account/", views.account, name="account"),
    path("account/tokens/new/", views.account_token_new, name="account-token-new"),
    path("account/tokens/<str:token_key>/revoke/", views.account_token_revoke, name="account-token-revoke"),
    path("notifications/", views.notifications, name="notifications"),
    path("admin-area/company/", views.company_edit, name="company"),
    path("org/", views.org_tree, name="org-tree"),
    path("org/new/", views.org_unit_edit, name="org-unit-new"),
    path("org/<int:pk>/", views.org_unit_edit, name="org-unit-edit"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user-new"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/tokens/revoke/", views.user_tokens_revoke, name="user-tokens-revoke"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/days/", views.calendar_day_save, name="calendar-day-new"),
    path("calendar/days/<int:pk>/", views.calendar_day_save, name="calendar-day-edit"),
    path("calendar/days/<int:pk>/delete/", views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/seed/", views.calendar_seed, name="calendar-seed"),
]
