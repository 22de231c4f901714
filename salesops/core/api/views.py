from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core.api.errors import error_body
from salesops.core.throttling import LoginThrottle


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token: `Authorization: Token <token>`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenInput,
        responses={200: inline_serializer("TokenOutput", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        throttle = LoginThrottle(request, data.validated_data["username"])
        if throttle.blocked():
            return Response(
                error_body("throttled", _("Too many failed attempts. Try again in a few minutes.")),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        user = authenticate(request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None:
            throttle.failed()
            return Response(
                error_body("invalid_credentials", _("The username or password is not correct.")),
                status=status.HTTP_400_BAD_REQUEST,
            )
        throttle.reset()
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
