import pytest
from django.db import IntegrityError
from rest_framework.exceptions import ValidationError

from app_a.models import Empresa
from app_a.services import empresa_actualizar, empresa_crear, empresa_desactivar

pytestmark = pytest.mark.django_db


@pytest.fixture
def datos():
    return {
        "nit": "3344556677",
        "razon_social": "Consultora Sajama S.A.",
        "tipo": Empresa.Tipo.SA,
        "departamento": Empresa.Departamento.ORURO,
    }


class TestEmpresaCrear:
    def test_stores_the_empresa_with_its_author(self, datos):
        empresa = empresa_crear(datos=datos, usuario="ana.rojas")

        guardada = Empresa.objects.get(pk=empresa.pk)
        assert guardada.razon_social == "Consultora Sajama S.A."
        assert guardada.estado == Empresa.Estado.ACTIVA
        assert guardada.creado_por == "ana.rojas"
        assert guardada.actualizado_por == "ana.rojas"

    def test_author_in_datos_cannot_override_the_caller(self, datos):
        empresa = empresa_crear(
            datos=datos | {"creado_por": "otro"}, usuario="ana.rojas"
        )

        assert empresa.creado_por == "ana.rojas"

    def test_logs_the_new_id_and_no_contact_data(self, datos, caplog):
        caplog.set_level("INFO", logger="app_a.services")

        empresa = empresa_crear(
            datos=datos | {"email": "gerencia@sajama.bo"}, usuario="ana.rojas"
        )

        (registro,) = caplog.records
        assert registro.empresa_id == empresa.pk
        assert "sajama.bo" not in caplog.text

    def test_nit_taken_meanwhile_is_a_validation_error(self, datos, crear_empresa):
        crear_empresa(nit=datos["nit"])

        with pytest.raises(ValidationError) as error:
            empresa_crear(datos=datos, usuario="ana.rojas")

        assert error.value.detail == {"nit": ["Ya existe una empresa con este NIT."]}
        # The savepoint rolled back alone: the surrounding transaction still works.
        assert Empresa.objects.count() == 1

    def test_other_integrity_errors_are_not_disguised_as_a_duplicate_nit(self, datos):
        with pytest.raises(IntegrityError):
            empresa_crear(datos=datos | {"razon_social": None}, usuario="ana.rojas")


class TestEmpresaActualizar:
    def test_writes_the_given_fields_and_the_editor(self, crear_empresa):
        empresa = crear_empresa(sigla="VIEJA")

        empresa_actualizar(
            empresa=empresa, datos={"sigla": "NUEVA"}, usuario="luis.mamani"
        )

        empresa.refresh_from_db()
        assert empresa.sigla == "NUEVA"
        assert empresa.actualizado_por == "luis.mamani"
        assert empresa.creado_por == "semilla"

    def test_leaves_fields_it_was_not_given_as_they_are_in_the_database(
        self, crear_empresa
    ):
        empresa = crear_empresa(telefono="111")
        # Someone else changes the phone after this copy was read.
        Empresa.objects.filter(pk=empresa.pk).update(telefono="222")

        empresa_actualizar(empresa=empresa, datos={"sigla": "S"}, usuario="luis")

        empresa.refresh_from_db()
        assert empresa.telefono == "222"
        assert empresa.sigla == "S"

    def test_author_fields_in_datos_are_ignored(self, crear_empresa):
        empresa = crear_empresa()

        empresa_actualizar(
            empresa=empresa,
            datos={"creado_por": "otro", "actualizado_por": "otro", "sigla": "S"},
            usuario="luis",
        )

        empresa.refresh_from_db()
        assert (empresa.creado_por, empresa.actualizado_por) == ("semilla", "luis")

    def test_moves_actualizado_en_forward(self, crear_empresa):
        empresa = crear_empresa()
        antes = empresa.actualizado_en

        empresa_actualizar(empresa=empresa, datos={"sigla": "S"}, usuario="luis")

        empresa.refresh_from_db()
        assert empresa.actualizado_en > antes

    def test_nit_of_another_empresa_is_a_validation_error(self, crear_empresa):
        crear_empresa(nit="100")
        empresa = crear_empresa(nit="200")

        with pytest.raises(ValidationError) as error:
            empresa_actualizar(empresa=empresa, datos={"nit": "100"}, usuario="luis")

        assert error.value.detail == {"nit": ["Ya existe una empresa con este NIT."]}
        assert Empresa.objects.get(pk=empresa.pk).nit == "200"


class TestEmpresaDesactivar:
    def test_sets_inactiva_and_keeps_the_row(self, crear_empresa):
        empresa = crear_empresa(estado=Empresa.Estado.ACTIVA)

        empresa_desactivar(empresa=empresa, usuario="jefa")

        empresa.refresh_from_db()
        assert empresa.estado == Empresa.Estado.INACTIVA
        assert empresa.actualizado_por == "jefa"

    @pytest.mark.parametrize(
        "estado", [Empresa.Estado.INACTIVA, Empresa.Estado.INHABILITADA]
    )
    def test_an_empresa_already_out_of_service_is_left_untouched(
        self, crear_empresa, django_assert_num_queries, estado
    ):
        empresa = crear_empresa(estado=estado)

        with django_assert_num_queries(0):
            empresa_desactivar(empresa=empresa, usuario="jefa")

        empresa.refresh_from_db()
        assert empresa.estado == estado
        assert empresa.actualizado_por == "semilla"
