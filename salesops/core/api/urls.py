from django.urls import path

from salesops.core.api import endpoints
from salesops.core.api.routers import RootRouter
from salesops.core.api.views import ObtainTokenView

router = RootRouter()
router.register("company", endpoints.CompanyViewSet, basename="company")
router.register("org-units", endpoints.OrgUnitViewSet, basename="org-unit")
router.register("users", endpoints.UserViewSet, basename="user")
router.register("calendar", endpoints.CalendarDayViewSet, basename="calendar-day")
router.register("notifications", endpoints.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", endpoints.MeView.as_view(), name="api-me"),
    *router.urls,
]
