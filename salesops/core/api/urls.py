from django.urls import path

from salesops.core.api import endpoints
from salesops.core.api.routers import RootRouter
from salesops.core.api.views import ObtainTokenView, RevokeAllTokensView, TokenListView, TokenRevokeView

router = RootRouter()
router.register("company", endpoints.CompanyViewSet, basename="company")
router.register("org-units", endpoints.OrgUnitViewSet, basename="org-unit")
router.register("users", endpoints.UserViewSet, basename="user")
router.register("calendar", endpoints.CalendarDayViewSet, basename="calendar-day")
router.register("notifications", endpoints.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/revoke-all/", RevokeAllTokensView.as_view(), name="api-tokens-revoke-all"),
    path("auth/tokens/<str:token_key>/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("me/", endpoints.MeView.as_view(), name="api-me"),
    *router.urls,
]
