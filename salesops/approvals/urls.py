from django.urls import path

from salesops.approvals import views

urlpatterns = [
    path("approvals/", views.inbox, name="approvals-inbox"),
    path("approvals/mine/", views.my_requests, name="approvals-mine"),
    path("approvals/tasks/<int:pk>/", views.task_detail, name="approval-task"),
    path("approvals/requests/<int:pk>/", views.request_detail, name="approval-request"),
    path("approvals/requests/<int:pk>/withdraw/", views.request_withdraw, name="approval-withdraw"),
    path("approvals/rules/", views.rule_list, name="approvals-rules"),
    path("approvals/rules/new/", views.rule_edit, name="approvals-rule-new"),
    path("approvals/rules/<int:pk>/", views.rule_edit, name="approvals-rule-edit"),
    path("approvals/rules/<int:pk>/delete/", views.rule_delete, name="approvals-rule-delete"),
    path("approvals/delegations/", views.delegations, name="approvals-delegations"),
    path("approvals/delegations/<int:pk>/end/", views.delegation_end, name="approvals-delegation-end"),
    path("visit-requests/", views.visit_request_list, name="visit-requests"),
    path("visit-requests/new/", views.visit_request_edit, name="visit-request-new"),
    path("visit-requests/<int:pk>/", views.visit_request_detail, name="visit-request-detail"),
    path("visit-requests/<int:pk>/edit/", views.visit_request_edit, name="visit-request-edit"),
    path("visit-requests/<int:pk>/submit/", views.visit_request_submit, name="visit-request-submit"),
]
