import pytest

from app_a.models import Empresa

pytest_plugins = ["sap_common.testing"]


@pytest.fixture
def datos_empresa():
    """Factory of a valid create payload; keyword arguments override fields."""

    def construir(**cambios):
        return {
            "nit": "1020304050",
            "razon_social": "Constructora Illimani S.R.L.",
            "sigla": "CISRL",
            "tipo": Empresa.Tipo.SRL,
            "representante_legal": "María Quispe Mamani",
            "ci_representante": "4567890 LP",
            "direccion": "Av. 6 de Agosto 2170",
            "departamento": Empresa.Departamento.LA_PAZ,
            "municipio": "La Paz",
            "telefono": "+591 2 2441122",
            "email": "contacto@illimani.bo",
        } | cambios

    return construir


@pytest.fixture
def crear_empresa(db):
    """Factory that stores an empresa directly, bypassing the API."""
    secuencia = iter(range(1, 10_000))

    def crear(**campos):
        numero = next(secuencia)
        valores = {
            "nit": f"{9000000 + numero}",
            "razon_social": f"Empresa {numero}",
            "tipo": Empresa.Tipo.SA,
            "creado_por": "semilla",
            "actualizado_por": "semilla",
        } | campos
        return Empresa.objects.create(**valores)

    return crear
