"""sap_common's start-up check of the JWT keys, on the service that holds both."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sap_common.checks import jwt_keys_check


def _otra_clave_publica() -> str:
    clave = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        clave.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )


def _clave_privada_ec() -> str:
    clave = ec.generate_private_key(ec.SECP256R1())
    return clave.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def test_the_configured_pair_passes(settings):
    assert jwt_keys_check() == []


@pytest.mark.parametrize(
    ("setting", "valor", "variable"),
    [
        ("VERIFYING_KEY", "no es una clave", "JWT_PUBLIC_KEY"),
        ("SIGNING_KEY", "no es una clave", "JWT_PRIVATE_KEY"),
        ("SIGNING_KEY", _clave_privada_ec(), "JWT_PRIVATE_KEY"),
    ],
    ids=["publica_ilegible", "privada_ilegible", "privada_no_rsa"],
)
def test_an_unusable_key_is_an_error_naming_its_variable(
    settings, setting, valor, variable
):
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, setting: valor}

    errores = jwt_keys_check()

    assert [e.id for e in errores] == ["sap.E001"]
    assert errores[0].msg.startswith(variable)


def test_the_private_key_itself_in_place_of_the_public_one_is_an_error(settings):
    settings.SIMPLE_JWT = {
        **settings.SIMPLE_JWT,
        "VERIFYING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
    }

    assert [e.id for e in jwt_keys_check()] == ["sap.E001"]


def test_a_public_key_of_another_pair_is_an_error(settings):
    settings.SIMPLE_JWT = {
        **settings.SIMPLE_JWT,
        "VERIFYING_KEY": _otra_clave_publica(),
    }

    assert [e.id for e in jwt_keys_check()] == ["sap.E002"]
