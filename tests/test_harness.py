"""harness.ComposeStack: the ``docker compose`` command behind each Stack method.

No Docker engine here: a fake runner records every command line and answers
as ``docker compose`` would. The end-to-end tests run the same interface on
a real engine wherever one answers.
"""

import json
import subprocess

import pytest
from harness import (
    COMPOSE_FILE,
    PROGRAMS,
    PROYECTOS_TEST_ENV,
    PROYECTOS_WORKERS,
    ROOT,
    ComposeStack,
    StackError,
)


class FakeDocker:
    """Records command lines; answers each with ``stdout`` and exit code 0."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.environments: list[dict | None] = []
        self.stdout = ""

    def __call__(self, argv, **kwargs) -> subprocess.CompletedProcess:
        self.calls.append(argv)
        self.environments.append(kwargs.get("env"))
        return subprocess.CompletedProcess(argv, 0, self.stdout, "")

    def compose_args(self) -> list[list[str]]:
        """What followed ``docker compose <project and files>`` in each call."""
        return [call[10:] for call in self.calls]


@pytest.fixture
def docker():
    return FakeDocker()


@pytest.fixture
def compose(tmp_path, docker):
    stack = ComposeStack(
        tmp_path, project="sap-e2e-test", gateway_port=18000, run=docker
    )
    stack.prepare()
    docker.calls.clear()
    yield stack
    stack.close()


def test_every_command_targets_the_repository_compose_file_under_its_own_project(
    compose, docker
):
    compose.kill("empresas")

    assert docker.calls[0][:10] == [
        "docker",
        "compose",
        "--project-directory",
        str(ROOT),
        "--project-name",
        "sap-e2e-test",
        "--file",
        str(COMPOSE_FILE),
        "--file",
        str(compose.override),
    ]


@pytest.mark.parametrize(
    ("action", "name", "expected"),
    [
        ("kill", "empresas", ["kill", "--signal", "SIGKILL", "service_empresas"]),
        ("stop", "auth", ["stop", "--timeout", "15", "service_auth"]),
        ("pause", "programacion", ["pause", "service_programacion"]),
        ("resume", "programacion", ["unpause", "service_programacion"]),
        ("stop", "redis", ["stop", "--timeout", "15", "redis"]),
        ("kill", "gateway", ["kill", "--signal", "SIGKILL", "gateway"]),
    ],
)
def test_each_action_is_one_compose_command_on_the_named_service(
    compose, docker, action, name, expected
):
    getattr(compose, action)(name)

    assert docker.compose_args() == [expected]


def test_starting_a_service_has_the_gateway_resolve_the_names_again(compose, docker):
    compose.start("empresas", wait=False)

    assert docker.compose_args() == [
        ["start", "service_empresas"],
        ["exec", "-T", "gateway", "nginx", "-s", "reload"],
    ]


def test_starting_redis_leaves_the_gateway_alone(compose, docker):
    compose.start("redis", wait=False)

    assert docker.compose_args() == [["start", "redis"]]


def test_paused_state_follows_pause_resume_and_kill(compose):
    compose.pause("programacion")
    paused = compose.is_paused("programacion")
    compose.resume("programacion")
    resumed = compose.is_paused("programacion")
    compose.pause("empresas")
    compose.kill("empresas")

    assert (paused, resumed, compose.is_paused("empresas")) == (True, False, False)


def test_is_running_reads_the_running_services_from_compose_ps(compose, docker):
    docker.stdout = "gateway\nredis\nservice_auth\nservice_proyectos\n"

    assert compose.is_running("empresas") is False
    assert compose.is_running("proyectos") is True
    assert docker.compose_args()[0] == ["ps", "--status", "running", "--services"]


def test_override_runs_proyectos_like_the_local_stack_and_never_restarts(compose):
    override = json.loads(compose.override.read_text())

    services = override["services"]
    assert {services[name].get("restart") for name in services} == {"no"}
    assert len(services) == len(PROGRAMS)
    environment = services["service_proyectos"]["environment"]
    assert environment["GUNICORN_WORKERS"] == str(PROYECTOS_WORKERS)
    assert PROYECTOS_TEST_ENV.items() <= environment.items()


def test_only_the_gateway_port_is_published(compose):
    assert compose.port("gateway") == 18000
    assert compose.gateway_url("/health/") == "http://127.0.0.1:18000/health/"
    with pytest.raises(StackError, match="gateway's port only"):
        compose.port("empresas")


def test_close_unpauses_keeps_every_log_then_removes_project_and_volumes(
    compose, docker, tmp_path
):
    compose.pause("programacion")
    docker.stdout = "a log line\n"

    compose.close()
    compose.close()

    commands = docker.compose_args()
    assert commands[1] == ["unpause", "service_programacion"]
    logs = [args[-1] for args in commands if args[0] == "logs"]
    assert len(logs) == len(PROGRAMS)
    assert commands[-1] == ["down", "--volumes", "--remove-orphans"]
    assert (tmp_path / "logs" / "empresas.log").read_text() == "a log line\n"


def test_compose_gets_secrets_made_up_for_the_session(tmp_path, docker):
    stack = ComposeStack(tmp_path, gateway_port=18000, run=docker)
    stack.prepare()
    stack.close()

    environment = docker.environments[0]
    for name in ("DJANGO_SECRET_KEY", "AUTH_DB_PASSWORD", "PROYECTOS_DB_PASSWORD"):
        assert environment[name]
    assert environment["SAP_COMPOSE_PORT"] == "18000"
    assert (tmp_path / "keys" / "jwt_public.pem").exists()
