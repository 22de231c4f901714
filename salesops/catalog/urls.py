from django.urls import path

from salesops.catalog import views

urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_edit, name="product-new"),
    path("products/import/", views.import_upload, name="product-import"),
    path("products/import/<int:pk>/", views.import_preview, name="product-import-preview"),
    path("products/import/<int:pk>/commit/", views.import_commit, name="product-import-commit"),
    path("products/export/<str:kind>.<str:fmt>", views.export, name="product-export"),
    path("products/families/", views.family_tree, name="product-families"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/submit/", views.product_submit, name="product-submit"),
    path("products/<int:pk>/barcodes/", views.barcode_add, name="product-barcode-add"),
    path("products/<int:pk>/packaging/", views.packaging_add, name="product-packaging-add"),
    path("products/<int:pk>/bom/", views.bom_line_add, name="product-bom-add"),
    path("prices/lists/", views.price_list_list, name="price-lists"),
    path("prices/lists/<int:pk>/", views.price_list_detail, name="price-list-detail"),
    path("prices/changes/", views.price_change_list, name="price-changes"),
    path("prices/changes/new/", views.price_change_new, name="price-change-new"),
    path("prices/changes/<int:pk>/", views.price_change_detail, name="price-change-detail"),
    path("prices/changes/<int:pk>/<str:action>/", views.price_change_action, name="price-change-action"),
    path("prices/history/", views.price_history, name="price-history"),
]
