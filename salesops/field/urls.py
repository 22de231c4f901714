from django.urls import path

from salesops.field import views

urlpatterns = [
    path("field/today/", views.today, name="field-today"),
    path("field/cycles/", views.cycle_list, name="field-cycles"),
    path("field/cycles/<int:pk>/", views.cycle_detail, name="field-cycle-detail"),
    path("field/cycles/<int:pk>/move/", views.cycle_move, name="field-cycle-move"),
    path("field/cycles/<int:pk>/publish/", views.cycle_publish, name="field-cycle-publish"),
    path("field/cycles/<int:pk>/replan/", views.cycle_replan, name="field-cycle-replan"),
    path("field/plan-runs/<int:pk>/", views.plan_run, name="field-plan-run"),
    path("field/visits/", views.visit_list, name="field-visits"),
    path("field/visits/<int:pk>/", views.visit_detail, name="field-visit-detail"),
    path("field/visits/<int:pk>/photos/", views.visit_photo, name="field-visit-photo"),
    path("field/visits/<int:pk>/photos/<int:photo_pk>/", views.visit_photo_file, name="field-visit-photo-file"),
    path("field/performance/", views.performance, name="field-performance"),
    path("field/distribution/", views.distribution, name="field-distribution"),
    path("field/checks/", views.check_list, name="field-checks"),
    path("field/outlets/", views.outlet_list, name="field-outlets"),
    path("field/outlets/<int:pk>/", views.outlet_detail, name="field-outlet-detail"),
    path("field/visits.ics", views.calendar_feed, name="field-ics"),
]
