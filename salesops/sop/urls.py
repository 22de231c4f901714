from django.urls import path

from salesops.sop import views

urlpatterns = [
    path("sop/my/", views.my_deadlines, name="sop-my"),
    path("sop/obligations/", views.obligation_list, name="sop-obligations"),
    path("sop/compliance/", views.compliance, name="sop-compliance"),
    path("sop/rules/", views.rule_list, name="sop-rules"),
    path("sop/rules/new/", views.rule_edit, name="sop-rule-new"),
    path("sop/rules/<int:pk>/", views.rule_edit, name="sop-rule-edit"),
    path("sop/clock/", views.clock_page, name="sop-clock"),
    path("sop/clock/run/", views.clock_run_now, name="sop-clock-run"),
    path("sop/daily-reports/", views.daily_report_list, name="sop-reports"),
    path("sop/daily-reports/new/", views.daily_report_new, name="sop-report-new"),
    path("sop/daily-reports/<int:pk>/", views.daily_report_detail, name="sop-report-detail"),
    path("sop/daily-reports/<int:pk>/review/", views.daily_report_review, name="sop-report-review"),
]
