from django.urls import path

from salesops.planning import views

urlpatterns = [
    path("planning/forecasts/", views.forecast_list, name="planning-forecasts"),
    path("planning/forecasts/<int:pk>/", views.forecast_detail, name="planning-forecast-detail"),
    path("planning/forecasts/<int:pk>/override/", views.forecast_override, name="planning-forecast-override"),
    path("planning/forecasts/<int:pk>/compile/", views.forecast_compile, name="planning-forecast-compile"),
    path("planning/forecasts/<int:pk>/submit/", views.forecast_submit, name="planning-forecast-submit"),
    path("planning/my-forecast/", views.my_inputs, name="planning-my-inputs"),
    path("planning/accuracy/", views.accuracy, name="planning-accuracy"),
    path("planning/sop/", views.sop_list, name="planning-sop"),
    path("planning/sop/<int:pk>/", views.sop_detail, name="planning-sop-detail"),
    path("planning/sop/<int:pk>/refresh/", views.sop_refresh, name="planning-sop-refresh"),
    path("planning/sop/<int:pk>/close/", views.sop_close, name="planning-sop-close"),
    path("planning/aggregate/", views.aggregate_list, name="planning-aggregate"),
    path("planning/aggregate/<int:pk>/", views.aggregate_detail, name="planning-aggregate-detail"),
    path("planning/mps/", views.mps_list, name="planning-mps"),
    path("planning/mps/<int:pk>/", views.mps_detail, name="planning-mps-detail"),
    path("planning/production-plans/", views.plan_list, name="planning-plans"),
    path("planning/production-plans/<int:pk>/", views.plan_detail, name="planning-plan-detail"),
    path("planning/production-plans/<int:pk>/issue/", views.plan_issue, name="planning-plan-issue"),
    path("planning/production-plans/<int:pk>/acknowledge/", views.plan_acknowledge, name="planning-plan-ack"),
    path("planning/plan-weeks/<int:pk>/close/", views.bucket_close, name="planning-bucket-close"),
    path("planning/production-report/", views.production_report, name="planning-production-report"),
    path("planning/fulfilment/", views.fulfilment, name="planning-fulfilment"),
    path("planning/mrp/", views.mrp_list, name="planning-mrp"),
    path("planning/mrp/<int:pk>/", views.mrp_detail, name="planning-mrp-detail"),
    path("planning/planned-purchases/", views.planned_purchases, name="planning-planned-purchases"),
    path("planning/planned-orders/<int:pk>/convert/", views.planned_convert, name="planning-planned-convert"),
]
