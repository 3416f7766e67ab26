"""``.env.example`` names every variable that SAP reads from the environment.

Read by the settings (django-environ), by the images' gunicorn settings and
by Compose's interpolation: an operator who copies the file sees them all.
"""

import re

import pytest
from deploy_model import ROOT

ENV_EXAMPLE = ROOT / ".env.example"
# env.str("X"...), env.bool("X"...), env("X"...) in the settings.
SETTINGS_READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"")
# os.environ.get("X"...) and os.environ["X"] in the images' gunicorn settings.
ENVIRON_READ = re.compile(r"environ(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]+)\"")
# ${X}, ${X:-default}, ${X:?message} in docker-compose.yml.
COMPOSE_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]+)")


def _listed() -> set[str]:
    pattern = re.compile(r"^#? ?([A-Z][A-Z0-9_]+)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


def _settings_sources():
    for folder in [ROOT / "packages", *ROOT.glob("service_*")]:
        for path in folder.rglob("*.py"):
            if "tests" not in path.parts and ".venv" not in path.parts:
                yield path


def _read_by(pattern, paths) -> set[str]:
    names = set()
    for path in paths:
        names.update(pattern.findall(path.read_text()))
    return names


@pytest.mark.parametrize(
    ("reader", "pattern", "paths"),
    [
        ("the services' settings", SETTINGS_READ, list(_settings_sources())),
        (
            "the images' gunicorn settings",
            ENVIRON_READ,
            [ROOT / "deploy" / "docker" / "gunicorn.conf.py"],
        ),
        ("docker-compose.yml", COMPOSE_READ, [ROOT / "docker-compose.yml"]),
    ],
)
def test_every_variable_read_is_listed(reader, pattern, paths):
    read = _read_by(pattern, paths)

    assert read, f"found no variable read by {reader}: the pattern is stale"
    assert read - _listed() == set(), f"read by {reader}, missing from .env.example"
