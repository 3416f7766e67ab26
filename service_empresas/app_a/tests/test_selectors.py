import pytest
from django.http import Http404

from app_a.models import Empresa
from app_a.selectors import empresa_listar, empresa_obtener

pytestmark = pytest.mark.django_db


class TestEmpresaListar:
    def test_lists_every_estado_by_razon_social(self, crear_empresa):
        crear_empresa(razon_social="Zeta", estado=Empresa.Estado.INACTIVA)
        crear_empresa(razon_social="Alfa")
        crear_empresa(razon_social="Mu", estado=Empresa.Estado.INHABILITADA)

        assert [e.razon_social for e in empresa_listar()] == ["Alfa", "Mu", "Zeta"]

    def test_breaks_ties_in_razon_social_by_id(self, crear_empresa):
        segunda = crear_empresa(razon_social="Igual")
        primera = Empresa.objects.create(
            nit="1", razon_social="Igual", tipo="SA", creado_por="x"
        )

        assert list(empresa_listar()) == [segunda, primera]


class TestEmpresaObtener:
    def test_returns_the_empresa_in_one_query(
        self, crear_empresa, django_assert_num_queries
    ):
        empresa = crear_empresa()

        with django_assert_num_queries(1):
            obtenida = empresa_obtener(empresa_id=empresa.pk)

        assert obtenida == empresa

    def test_returns_inactive_empresas_too(self, crear_empresa):
        empresa = crear_empresa(estado=Empresa.Estado.INACTIVA)

        assert empresa_obtener(empresa_id=empresa.pk) == empresa

    def test_unknown_id_raises_http404(self):
        with pytest.raises(Http404):
            empresa_obtener(empresa_id=424242)
