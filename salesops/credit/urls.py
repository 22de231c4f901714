from django.urls import path

from salesops.credit import views

urlpatterns = [
    path("credit/", views.credit_file_list, name="credit-files"),
    path("credit/open/", views.credit_file_open, name="credit-file-open"),
    path("credit/<int:pk>/", views.credit_file_detail, name="credit-file-detail"),
    path("credit/<int:pk>/edit/", views.credit_file_edit, name="credit-file-edit"),
    path("credit/<int:pk>/apply-on-account/", views.credit_file_apply_on_account, name="credit-file-apply"),
    path("credit/<int:pk>/review/", views.credit_review_new, name="credit-review-new"),
    path("credit/<int:pk>/limit/", views.limit_request_new, name="credit-limit-request-new"),
    path("credit/<int:pk>/statement/", views.statement_create_for_customer, name="credit-statement-new"),
    path("credit/reviews/", views.credit_review_list, name="credit-reviews"),
    path("credit/limit-changes/", views.limit_request_list, name="credit-limit-requests"),
    path("credit/limit-changes/<int:pk>/", views.limit_request_detail, name="credit-limit-request"),
    path("credit/limit-changes/<int:pk>/<str:verb>/", views.limit_request_action, name="credit-limit-request-action"),
    path("receipts/", views.receipt_list, name="credit-receipts"),
    path("receipts/new/", views.receipt_new, name="credit-receipt-new"),
    path("receipts/<int:pk>/", views.receipt_detail, name="credit-receipt-detail"),
    path("receipts/<int:pk>/reverse/", views.receipt_reverse, name="credit-receipt-reverse"),
    path("receipts/<int:pk>/<str:verb>/", views.receipt_action, name="credit-receipt-action"),
    path("receivables/ageing/", views.ageing_page, name="credit-ageing"),
    path("receivables/ar-pack/", views.ar_pack, name="credit-ar-pack"),
    path("statements/", views.statement_list, name="credit-statements"),
    path("statements/run/", views.statement_run_start, name="credit-statement-run"),
    path("statements/run/<int:pk>/", views.statement_run_progress, name="credit-statement-run-progress"),
    path("statements/<int:pk>/", views.statement_detail, name="credit-statement-detail"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="credit-statement-pdf"),
    path("statements/<int:pk>/<str:verb>/", views.statement_action, name="credit-statement-action"),
    path("reconciliations/", views.reconciliation_list, name="credit-reconciliations"),
    path("reconciliations/open/", views.reconciliation_open, name="credit-reconciliation-open"),
    path("reconciliations/<int:pk>/", views.reconciliation_detail, name="credit-reconciliation-detail"),
]
