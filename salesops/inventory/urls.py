from django.urls import path

from salesops.inventory import views

urlpatterns = [
    path("stock/", views.stock_list, name="stock"),
    path("stock/moves/", views.move_list, name="stock-moves"),
    path("stock/suppliers/", views.supplier_list, name="suppliers"),
    path("stock/purchase-orders/", views.purchase_order_list, name="purchase-orders"),
    path("stock/purchase-orders/new/", views.purchase_order_new, name="purchase-order-new"),
    path("stock/purchase-orders/<int:pk>/", views.purchase_order_detail, name="purchase-order-detail"),
    path("stock/documents/", views.stock_document_list, name="stock-documents"),
    path("stock/documents/new/", views.stock_document_new, name="stock-document-new"),
    path("stock/transfers/", views.transfer_list, name="transfers"),
    path("stock/transfers/new/", views.transfer_new, name="transfer-new"),
    path("stock/transfers/<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("stock/transfers/<int:pk>/<str:action>/", views.transfer_action, name="transfer-action"),
    path("stock/replenishment/", views.replenishment_list, name="replenishments"),
    path("stock/replenishment/new/", views.replenishment_new, name="replenishment-new"),
    path("stock/replenishment/<int:pk>/", views.replenishment_detail, name="replenishment-detail"),
    path("stock/replenishment/<int:pk>/<str:action>/", views.replenishment_action, name="replenishment-action"),
    path("stock/stocktakes/", views.stocktake_list, name="stocktakes"),
    path("stock/stocktakes/new/", views.stocktake_new, name="stocktake-new"),
    path("stock/stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake-detail"),
    path("stock/stocktakes/<int:pk>/sheet/", views.stocktake_sheet, name="stocktake-sheet"),
    path("stock/stocktakes/<int:pk>/import/", views.stocktake_import, name="stocktake-import"),
    path("stock/stocktakes/<int:pk>/do/<str:action>/", views.stocktake_action, name="stocktake-action"),
    path("stock/reorder-warnings/", views.reorder_warning_list, name="reorder-warnings"),
    path("stock/slow-moving/", views.slow_moving, name="slow-moving"),
    path("stock/value/", views.stock_value, name="stock-value"),
]
