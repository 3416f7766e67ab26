import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from app_b import last_known
from app_b.last_known import CacheGuard, KeptCopy, forget, recall, remember

GUARDADA = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EMPRESA = {"id": 7, "razon_social": "Constructora Illimani S.R.L."}


def _despues(segundos: float) -> datetime:
    return GUARDADA + timedelta(seconds=segundos)


class CacheQueAnota:
    """A working cache that notes the timeout of every ``set``."""

    def __init__(self) -> None:
        self.datos = {}
        self.timeouts = []

    def set(self, key, value, timeout):
        self.datos[key] = value
        self.timeouts.append(timeout)

    def get(self, key):
        return self.datos.get(key)

    def delete(self, key):
        self.datos.pop(key, None)


class TestCopias:
    def test_recalls_what_was_remembered_and_when(self):
        remember("empresas", 7, EMPRESA, now=GUARDADA)

        copia = recall("empresas", 7, now=_despues(90))

        assert copia == KeptCopy(EMPRESA, GUARDADA)
        assert copia.age_seconds(_despues(90)) == 90

    def test_nothing_remembered_is_no_copy(self):
        assert recall("empresas", 7) is None

    @pytest.mark.parametrize(
        ("dependencia", "clave"),
        [("empresas", 8), ("programacion", 7)],
        ids=["otro_id", "otra_dependencia"],
    )
    def test_each_dependency_and_id_keeps_its_own_copy(self, dependencia, clave):
        remember("empresas", 7, EMPRESA, now=GUARDADA)

        assert recall(dependencia, clave, now=GUARDADA) is None

    def test_a_newer_answer_replaces_the_copy(self):
        remember("empresas", 7, EMPRESA, now=GUARDADA)
        remember("empresas", 7, EMPRESA | {"estado": "INACTIVA"}, now=_despues(60))

        copia = recall("empresas", 7, now=_despues(61))

        assert copia.data["estado"] == "INACTIVA"
        assert copia.saved_at == _despues(60)

    def test_forget_drops_the_copy(self):
        remember("empresas", 7, EMPRESA, now=GUARDADA)

        forget("empresas", 7)

        assert recall("empresas", 7, now=GUARDADA) is None

    def test_uses_the_current_time_by_default(self, reloj):
        remember("empresas", 7, EMPRESA)
        reloj.avanzar(30)

        copia = recall("empresas", 7)

        assert copia.saved_at == reloj.ahora - timedelta(seconds=30)
        assert copia.age_seconds(reloj.ahora) == 30

    @pytest.mark.parametrize(
        ("segundos", "edad"), [(59.9, 59), (0, 0), (-5, 0)], ids=str
    )
    def test_age_is_whole_seconds_and_never_negative(self, segundos, edad):
        assert KeptCopy(EMPRESA, GUARDADA).age_seconds(_despues(segundos)) == edad

    def test_an_entry_of_another_shape_is_no_copy(self):
        cache.set(f"{last_known.KEY_PREFIX}:empresas:7", EMPRESA)

        assert recall("empresas", 7, now=GUARDADA) is None


class TestVigencia:
    def test_a_copy_older_than_the_ttl_is_not_recalled(self, settings):
        settings.LKG_TTL_SECONDS = 3600
        remember("empresas", 7, EMPRESA, now=GUARDADA)

        assert recall("empresas", 7, now=_despues(3600)) is not None
        assert recall("empresas", 7, now=_despues(3601)) is None

    def test_the_cache_entry_expires_with_the_ttl(self, settings, monkeypatch):
        settings.LKG_TTL_SECONDS = 1234
        anotada = CacheQueAnota()
        monkeypatch.setattr(last_known, "cache", anotada)

        remember("programacion", 3, {"meses": []}, now=GUARDADA)

        assert anotada.timeouts == [1234]

    def test_keys_carry_the_service_name(self, monkeypatch):
        anotada = CacheQueAnota()
        monkeypatch.setattr(last_known, "cache", anotada)

        remember("programacion", 3, {}, now=GUARDADA)

        assert list(anotada.datos) == ["proyectos:lkg:programacion:3"]


class TestCacheCaida:
    def test_every_operation_counts_as_no_copy_without_raising(self, cache_caida):
        remember("empresas", 7, EMPRESA)
        forget("empresas", 7)

        assert recall("empresas", 7) is None
        assert cache_caida.operaciones == 1

    def test_an_outage_is_logged_once_with_its_fields(
        self, cache_caida, monkeypatch, caplog
    ):
        ahora = [0.0]
        monkeypatch.setattr(
            last_known, "guard", CacheGuard(clock=lambda: ahora[0], pause_seconds=5)
        )

        with caplog.at_level(logging.INFO, logger="app_b.last_known"):
            for _ in range(3):
                recall("empresas", 7)
                ahora[0] += 6

        (aviso,) = caplog.records
        assert aviso.levelno == logging.WARNING
        assert (aviso.dependency, aviso.operation, aviso.error) == (
            "empresas",
            "get",
            "ConnectionError",
        )
        assert cache_caida.operaciones == 3

    def test_the_cache_is_left_alone_during_the_pause(self, cache_caida, monkeypatch):
        ahora = [0.0]
        monkeypatch.setattr(
            last_known, "guard", CacheGuard(clock=lambda: ahora[0], pause_seconds=5)
        )
        recall("empresas", 7)

        ahora[0] = 4.9
        remember("empresas", 7, EMPRESA)
        recall("empresas", 7)
        assert cache_caida.operaciones == 1

        ahora[0] = 5.0
        recall("empresas", 7)
        assert cache_caida.operaciones == 2

    def test_a_cache_back_after_the_pause_is_used_and_said_so(
        self, cache_caida, monkeypatch, caplog
    ):
        ahora = [0.0]
        monkeypatch.setattr(
            last_known, "guard", CacheGuard(clock=lambda: ahora[0], pause_seconds=5)
        )
        recall("empresas", 7)
        monkeypatch.setattr(last_known, "cache", cache)
        ahora[0] = 5.0
        caplog.clear()

        with caplog.at_level(logging.INFO, logger="app_b.last_known"):
            remember("empresas", 7, EMPRESA, now=GUARDADA)
            copia = recall("empresas", 7, now=GUARDADA)

        assert copia.data == EMPRESA
        assert [r.getMessage() for r in caplog.records] == [
            "kept-copy cache reachable again"
        ]
