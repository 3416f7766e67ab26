"""sap_common.wait_for_db, the containers' entrypoint: a bounded wait."""

import pytest

from sap_common.wait_for_db import database_label, parse_args, wait_until_ready


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FlakyDatabase:
    """Refuses ``failures`` connections, then accepts."""

    def __init__(self, failures: int):
        self.failures = failures
        self.calls = 0

    def connect(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionRefusedError(f"refused #{self.calls}")


def wait(database, fake, timeout=10.0, interval=2.0):
    retries = []
    ready = wait_until_ready(
        database.connect,
        (ConnectionRefusedError,),
        timeout=timeout,
        interval=interval,
        on_retry=lambda attempt, left, error: retries.append((attempt, left, error)),
        clock=fake.clock,
        sleep=fake.sleep,
    )
    return ready, retries


def test_ready_database_is_used_at_once():
    fake = FakeTime()

    ready, retries = wait(FlakyDatabase(0), fake)

    assert ready
    assert retries == []
    assert fake.slept == []


def test_database_that_comes_up_is_waited_for():
    fake = FakeTime()
    database = FlakyDatabase(3)

    ready, retries = wait(database, fake)

    assert ready
    assert database.calls == 4
    assert [attempt for attempt, _, _ in retries] == [1, 2, 3]
    assert fake.slept == [2.0, 2.0, 2.0]


def test_wait_gives_up_at_the_deadline_with_the_last_error():
    fake = FakeTime()

    ready, retries = wait(FlakyDatabase(1000), fake, timeout=5.0, interval=2.0)

    assert not ready
    # Never sleeps past the deadline: 2 + 2 + 1 seconds, then one last try.
    assert fake.slept == [2.0, 2.0, 1.0]
    assert fake.now == 105.0
    last_attempt, seconds_left, error = retries[-1]
    assert (last_attempt, seconds_left) == (4, 0.0)
    assert str(error) == "refused #4"


def test_unexpected_errors_are_not_retried():
    def broken():
        raise ValueError("bad settings")

    with pytest.raises(ValueError):
        wait_until_ready(
            broken,
            (ConnectionRefusedError,),
            timeout=5,
            interval=1,
            on_retry=lambda *args: None,
        )


def test_label_names_the_database_but_not_its_password():
    label = database_label(
        {"HOST": "db_auth", "PORT": 5432, "NAME": "auth", "PASSWORD": "s3cret"}
    )

    assert label == "db_auth:5432/auth"


def test_command_after_the_separator_is_kept_whole():
    args = parse_args(["--migrate", "--", "gunicorn", "--config", "x.py", "app.wsgi"])

    assert args.migrate
    assert args.command == ["gunicorn", "--config", "x.py", "app.wsgi"]


def test_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_WAIT_SECONDS", "7")

    assert parse_args([]).timeout == 7.0
