from django.urls import path

from salesops.targets import views

urlpatterns = [
    path("targets/scorecard/", views.scorecard_page, name="targets-scorecard"),
    path("targets/kpis/", views.kpi_page, name="targets-kpis"),
    path("targets/kpis/<slug:code>/documents/", views.kpi_documents, name="targets-kpi-documents"),
    path("targets/dashboard/", views.dashboard, name="targets-dashboard"),
    path("targets/plans/", views.plan_list, name="targets-plans"),
    path("targets/plans/<int:pk>/", views.plan_detail, name="targets-plan"),
    path("targets/plans/<int:pk>/submit/", views.plan_submit, name="targets-plan-submit"),
    path("targets/plans/<int:pk>/revise/", views.plan_revise, name="targets-plan-revise"),
    path("targets/plans/<int:pk>/split/", views.plan_split, name="targets-plan-split"),
    path("targets/plans/<int:pk>/months/", views.plan_months, name="targets-plan-months"),
    path("targets/commissions/", views.commission_home, name="targets-commissions"),
    path("targets/commissions/runs/<int:pk>/", views.commission_run_detail, name="targets-commission-run"),
    path(
        "targets/commissions/runs/<int:pk>/submit/", views.commission_run_submit, name="targets-commission-run-submit"
    ),
    path("targets/commissions/statements/<int:pk>/", views.statement_detail, name="targets-statement"),
    path("targets/claims/", views.claim_list, name="targets-claims"),
    path("targets/claims/<int:pk>/", views.claim_detail, name="targets-claim"),
    path("targets/claims/<int:pk>/cancel/", views.claim_cancel, name="targets-claim-cancel"),
    path("targets/budgets/", views.budget_page, name="targets-budgets"),
    path("targets/profit-plans/", views.profit_plan_list, name="targets-profit-plans"),
    path("targets/profit-plans/mine/", views.profit_plan_edit, name="targets-profit-plan-edit"),
    path("targets/profit-plans/<int:pk>/", views.profit_plan_detail, name="targets-profit-plan"),
    path("targets/reviews/", views.review_list, name="targets-reviews"),
    path("targets/reviews/<int:pk>/", views.review_detail, name="targets-review"),
    path("targets/reviews/<int:pk>/refresh/", views.review_refresh, name="targets-review-refresh"),
    path("targets/reviews/<int:pk>/pdf/", views.review_pdf, name="targets-review-pdf"),
    path("targets/reviews/<int:pk>/xlsx/", views.review_xlsx, name="targets-review-xlsx"),
    path("targets/review-actions/<int:pk>/", views.review_action, name="targets-review-action"),
]
