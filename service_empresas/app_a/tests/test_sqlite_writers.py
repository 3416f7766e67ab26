"""Workers that write one SQLite file at once take turns instead of failing.

``make up`` runs every service on SQLite with several gunicorn workers. This
checks the database settings that ``sap_common.settings.database_settings``
gives such a file, on a real file, with two connections in two threads, as
two workers would be.
"""

import threading

import pytest
from django.db import transaction
from django.db.utils import ConnectionHandler

from sap_common.settings import database_settings

# The file is the test's own; the mark only lets pytest-django open it.
pytestmark = pytest.mark.django_db

# Long enough that the other writer has read too, when it can.
OTHER_WRITER_WAIT_SECONDS = 0.3


@pytest.fixture
def conexiones(tmp_path, monkeypatch):
    """A handler of its own on a fresh SQLite file; atomic blocks use it."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    handler = ConnectionHandler(database_settings(tmp_path))
    monkeypatch.setattr(
        transaction, "get_connection", lambda using=None: handler[using or "default"]
    )
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE fila (id INTEGER PRIMARY KEY, autor TEXT)")
    yield handler
    handler.close_all()


def test_two_writers_that_read_first_both_commit(conexiones):
    leyeron = [threading.Event(), threading.Event()]
    errores = []

    def escribir(numero: int) -> None:
        otro = leyeron[1 - numero]
        try:
            # What a request does: read (a rule, a duplicate check), then write.
            with transaction.atomic(), conexiones["default"].cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM fila")
                leyeron[numero].set()
                otro.wait(timeout=OTHER_WRITER_WAIT_SECONDS)
                cursor.execute("INSERT INTO fila (autor) VALUES (%s)", [numero])
        except Exception as exc:  # noqa: BLE001 - the test reports what failed
            errores.append(exc)
        finally:
            conexiones.close_all()

    hilos = [threading.Thread(target=escribir, args=(n,)) for n in (0, 1)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(timeout=30)

    assert errores == []
    with conexiones["default"].cursor() as cursor:
        cursor.execute("SELECT autor FROM fila ORDER BY autor")
        assert cursor.fetchall() == [("0",), ("1",)]
