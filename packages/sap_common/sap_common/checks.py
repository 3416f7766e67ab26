"""System checks that stop ``migrate`` (and so every start) on unusable keys.

The settings only read the keys; a file that holds something other than a
PEM key would otherwise pass start-up and turn every authenticated request
into a 500. ``make up``, Compose and Kubernetes all migrate before gunicorn
starts, so these checks run first everywhere.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core import checks

__all__ = ["jwt_keys_check"]

# Which variable names each key, for the message an operator reads.
_VARIABLES = {
    "SIGNING_KEY": "JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE)",
    "VERIFYING_KEY": "JWT_PUBLIC_KEY (or JWT_PUBLIC_KEY_FILE)",
}


def _load(setting: str, pem: str):
    loader = (
        serialization.load_pem_private_key
        if setting == "SIGNING_KEY"
        else serialization.load_pem_public_key
    )
    kwargs = {"password": None} if setting == "SIGNING_KEY" else {}
    try:
        key = loader(pem.encode(), **kwargs)
    except (ValueError, TypeError):
        return None
    expected = rsa.RSAPrivateKey if setting == "SIGNING_KEY" else rsa.RSAPublicKey
    return key if isinstance(key, expected) else None


@checks.register(checks.Tags.security)
def jwt_keys_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every configured JWT key is an RSA PEM key, and the pair belongs together."""
    jwt = getattr(settings, "SIMPLE_JWT", {})
    errors: list[checks.CheckMessage] = []
    loaded = {}
    for setting, variable in _VARIABLES.items():
        pem = jwt.get(setting)
        if not pem:
            continue
        loaded[setting] = _load(setting, pem)
        if loaded[setting] is None:
            errors.append(
                checks.Error(
                    f"{variable} is not an unencrypted RSA key in PEM format.",
                    hint="Generate a pair with `python -m sap_common.keys DIR`.",
                    id="sap.E001",
                )
            )
    private, public = loaded.get("SIGNING_KEY"), loaded.get("VERIFYING_KEY")
    mismatched = (
        private is not None
        and public is not None
        and private.public_key().public_numbers() != public.public_numbers()
    )
    if mismatched:
        errors.append(
            checks.Error(
                "JWT_PUBLIC_KEY is not the public half of JWT_PRIVATE_KEY: "
                "no service could verify the tokens signed here.",
                id="sap.E002",
            )
        )
    return errors
