import pytest

from app_a.filters import EmpresaFilterSet
from app_a.models import Empresa

pytestmark = pytest.mark.django_db


def filtrar(**parametros):
    return EmpresaFilterSet(parametros, queryset=Empresa.objects.all())


def test_combined_filters_must_all_match(crear_empresa):
    buscada = crear_empresa(tipo="SRL", departamento="BENI")
    crear_empresa(tipo="SRL", departamento="PANDO")
    crear_empresa(tipo="SA", departamento="BENI")

    assert list(filtrar(tipo="SRL", departamento="BENI").qs) == [buscada]


def test_no_parameters_keep_every_empresa(crear_empresa):
    crear_empresa()
    crear_empresa(estado=Empresa.Estado.INACTIVA)

    assert filtrar().qs.count() == 2


@pytest.mark.parametrize("campo", ["estado", "departamento", "tipo"])
def test_unknown_value_is_an_error_on_that_field(campo):
    filtros = filtrar(**{campo: "DESCONOCIDO"})

    assert not filtros.is_valid()
    assert set(filtros.errors) == {campo}
