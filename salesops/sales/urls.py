from django.urls import path

from salesops.sales import views

urlpatterns = [
    path("sales/orders/", views.order_list, name="sales-orders"),
    path("sales/orders/new/", views.order_new, name="sales-order-new"),
    path("sales/orders/credit/", views.order_credit, name="sales-order-credit"),
    path("sales/orders/<int:pk>/", views.order_detail, name="sales-order"),
    path("sales/orders/<int:pk>/edit/", views.order_edit, name="sales-order-edit"),
    path("sales/orders/<int:pk>/submit/", views.order_submit, name="sales-order-submit"),
    path("sales/orders/<int:pk>/cancel/", views.order_cancel, name="sales-order-cancel"),
    path("sales/orders/<int:pk>/ship/", views.order_ship, name="sales-order-ship"),
    path("sales/orders/<int:pk>/invoice/", views.order_invoice, name="sales-order-invoice"),
    path("sales/orders/<int:pk>/return/", views.order_return, name="sales-order-return"),
    path("sales/ship/", views.ship_list, name="sales-ship"),
    path("sales/quotes/", views.quote_list, name="sales-quotes"),
    path("sales/quotes/new/", views.quote_new, name="sales-quote-new"),
    path("sales/quotes/<int:pk>/", views.quote_detail, name="sales-quote"),
    path("sales/quotes/<int:pk>/edit/", views.quote_edit, name="sales-quote-edit"),
    path("sales/quotes/<int:pk>/submit/", views.quote_submit, name="sales-quote-submit"),
    path("sales/quotes/<int:pk>/order/", views.quote_order, name="sales-quote-order"),
    path("sales/contracts/", views.contract_list, name="sales-contracts"),
    path("sales/contracts/new/", views.contract_new, name="sales-contract-new"),
    path("sales/contracts/<int:pk>/", views.contract_detail, name="sales-contract"),
    path("sales/contracts/<int:pk>/submit/", views.contract_submit, name="sales-contract-submit"),
    path("sales/contracts/<int:pk>/change/", views.contract_change, name="sales-contract-change"),
    path("sales/contract-changes/<int:pk>/", views.contract_change_detail, name="sales-contract-change-detail"),
    path("sales/deliveries/<int:pk>/", views.delivery_detail, name="sales-delivery"),
    path("sales/deliveries/<int:pk>/confirm/", views.delivery_confirm, name="sales-delivery-confirm"),
    path("sales/invoices/", views.invoice_list, name="sales-invoices"),
    path("sales/invoices/<int:pk>/", views.invoice_detail, name="sales-invoice"),
    path("sales/<str:kind>/<int:pk>/pdf/", views.document_pdf_view, name="sales-pdf"),
]
