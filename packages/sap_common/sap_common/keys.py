"""Generate the RS256 key pair that auth signs with and the others verify with.

``python -m sap_common.keys DIR`` writes ``DIR/jwt_private.pem`` (mode 600) and
``DIR/jwt_public.pem`` unless both already exist. ``make up`` runs it once for
development; production generates its pair the same way and hands the public
half to the verifying services.
"""

import argparse
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

logger = logging.getLogger(__name__)

PRIVATE_NAME = "jwt_private.pem"
PUBLIC_NAME = "jwt_public.pem"
# 3072 bits keeps RSA above the 128-bit security level NIST recommends past 2030.
KEY_BITS = 3072


def generate_key_pair(directory: Path) -> bool:
    """Write a new pair into ``directory``; return False if one is already there."""
    private_path = directory / PRIVATE_NAME
    public_path = directory / PUBLIC_NAME
    if private_path.exists() and public_path.exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if generate_key_pair(args.directory):
        logger.info("JWT key pair written to %s", args.directory)
    else:
        logger.info("JWT key pair already present in %s", args.directory)


if __name__ == "__main__":
    main()
