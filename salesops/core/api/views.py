from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from salesops.core import accounts
from salesops.core.api.errors import error_body


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown once, send it as `Authorization: Token <token>`.")
    token_key = serializers.CharField(help_text="The token's public prefix, to list and revoke it.")
    expiry = serializers.DateTimeField(allow_null=True)


class TokenListItem(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


def _issued(request, user, *, status_code: int):
    token, secret = accounts.api_token_issue(user=user, request=request)
    return Response(
        TokenOutput({"token": secret, "token_key": token.token_key, "expiry": token.expiry}).data, status=status_code
    )


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (`Authorization: Token <token>`).
    Tokens expire (API_TOKEN_TTL), are revoked when the password changes, and only their
    digest is stored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenInput, responses={200: TokenOutput}, auth=[])
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None and getattr(request, "login_throttled", False):  # set by accounts.ThrottledModelBackend
            return Response(
                error_body("throttled", _("Too many failed attempts. Try again in a few minutes.")),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                error_body("invalid_credentials", _("The username or password is not correct.")),
                status=status.HTTP_400_BAD_REQUEST,
            )
        accounts.login_event_record(request=request, kind=accounts.Kind.LOGIN, username=username, user=user)
        return _issued(request, user, status_code=status.HTTP_200_OK)


class TokenListView(APIView):
    """The signed-in user's API tokens that still work; POST issues another one (for a new
    device or script) and shows its secret once."""

    @extend_schema(responses={200: TokenListItem(many=True)})
    def get(self, request):
        tokens = accounts.api_token_list_for_user(user=request.user)
        return Response(TokenListItem(tokens, many=True).data)

    @extend_schema(request=None, responses={201: TokenOutput})
    def post(self, request):
        return _issued(request, request.user, status_code=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    """Revoke one of the signed-in user's API tokens by its public prefix."""

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def delete(self, request, token_key: str):
        if not accounts.api_token_revoke(user=request.user, token_key=token_key, request=request):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevokeAllTokensView(APIView):
    """Revoke every API token of the signed-in user (the one making this call included)."""

    @extend_schema(
        request=None,
        responses={200: inline_serializer("RevokedTokens", {"revoked": serializers.IntegerField()})},
    )
    def post(self, request):
        return Response({"revoked": accounts.api_tokens_revoke_all(user=request.user, request=request)})
