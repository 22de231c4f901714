from django.urls import path

from salesops.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("language/", views.set_language, name="set-language"),
    path("notifications/", views.notifications, name="notifications"),
    path("admin-area/company/", views.company_edit, name="company"),
    path("org/", views.org_tree, name="org-tree"),
    path("org/new/", views.org_unit_edit, name="org-unit-new"),
    path("org/<int:pk>/", views.org_unit_edit, name="org-unit-edit"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user-new"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/days/", views.calendar_day_save, name="calendar-day-new"),
    path("calendar/days/<int:pk>/", views.calendar_day_save, name="calendar-day-edit"),
    path("calendar/days/<int:pk>/delete/", views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/seed/", views.calendar_seed, name="calendar-seed"),
]
