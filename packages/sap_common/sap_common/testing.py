"""pytest fixtures for the services that verify tokens (A, B and C).

Load them with ``pytest_plugins = ["sap_common.testing"]`` in a conftest.
Tokens are signed with the development private key, as auth would sign them,
so the services' real authentication class verifies them.
"""

import time
import uuid
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from sap_common.settings import read_key


def make_access_token(
    *,
    user_id: int = 1,
    username: str = "tecnico",
    is_staff: bool = False,
    lifetime_seconds: int = 300,
    private_key: str | None = None,
    **claims,
) -> str:
    """Sign an access token the way service_auth does."""
    jwt_conf = settings.SIMPLE_JWT
    now = int(time.time())
    payload = {
        "token_type": "access",
        "user_id": str(user_id),
        "username": username,
        "is_staff": is_staff,
        "aud": jwt_conf["AUDIENCE"],
        "iss": jwt_conf["ISSUER"],
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    key = private_key or read_key("JWT_PRIVATE_KEY")
    return jwt.encode(payload, key, algorithm="RS256")


def other_private_key(tmp_path: Path) -> str:
    """A private key that auth never used: tokens signed with it must fail."""
    from sap_common.keys import PRIVATE_NAME, generate_key_pair

    generate_key_pair(tmp_path)
    return (tmp_path / PRIVATE_NAME).read_text()


@pytest.fixture
def api_client():
    """An API client with no credentials."""
    return APIClient()


@pytest.fixture
def token_for():
    """Factory: ``token_for(username="ana", user_id=7)`` returns a signed token."""
    return make_access_token


@pytest.fixture
def auth_client(token_for):
    """An API client that sends a valid bearer token for user ``tecnico`` (id 1)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for()}")
    return client
