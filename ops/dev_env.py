"""Write a development .env the first time, with a fresh secret and key paths.

An existing .env is never touched: it may hold an operator's own values.
"""

import logging
import secrets
import sys
from pathlib import Path

logger = logging.getLogger("dev_env")

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    target = ROOT / ".env"
    if target.exists():
        return 0
    keys = ROOT / "var" / "keys"
    target.write_text(
        "# Development values written by `make up`; see .env.example for all.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"JWT_PRIVATE_KEY_FILE={keys / 'jwt_private.pem'}\n"
        f"JWT_PUBLIC_KEY_FILE={keys / 'jwt_public.pem'}\n"
        "DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1\n"
        "DJANGO_CSRF_TRUSTED_ORIGINS=http://localhost:8000,http://127.0.0.1:8000\n"
        "DJANGO_SECURE_COOKIES=false\n"
    )
    target.chmod(0o600)
    logger.info("Wrote %s with development secrets.", target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
