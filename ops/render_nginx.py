"""Render nginx/nginx.conf for a local run: replace ``${SAP_*}`` and nothing else.

The same template is mounted into the official nginx image under Docker
Compose, whose envsubst replaces only variables defined in the environment.
This renderer follows the same rule for ``SAP_`` names, so nginx's own
``$variables`` pass through untouched, and it refuses to write a file with a
placeholder left unset.

Usage: ``python ops/render_nginx.py OUTPUT`` with the values in the
environment, or ``render()`` from Python with a mapping.
"""

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "nginx" / "nginx.conf"
PLACEHOLDER = re.compile(r"\$\{(SAP_[A-Z0-9_]+)\}")


class MissingValues(KeyError):
    """The template names placeholders that have no value."""


def placeholders(text: str) -> set[str]:
    """The ``SAP_`` names that ``text`` uses as placeholders."""
    return set(PLACEHOLDER.findall(text))


def render(values: Mapping[str, str], template: Path = TEMPLATE) -> str:
    """Return the template with every ``${SAP_*}`` replaced from ``values``."""
    text = template.read_text()
    missing = sorted(name for name in placeholders(text) if not values.get(name))
    if missing:
        raise MissingValues(", ".join(missing))
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the config")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args()
    try:
        text = render(os.environ, args.template)
    except MissingValues as exc:
        sys.stderr.write(f"render_nginx: set these variables: {exc.args[0]}\n")
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
