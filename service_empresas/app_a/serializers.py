"""Input and output shape of an empresa in the API."""

from rest_framework import serializers

from app_a.models import Empresa

__all__ = ["EmpresaSerializer"]


def _opcion_invalida(campo: str, opciones) -> str:
    """Spanish message for a bad choice that names the field and what it takes."""
    validas = ", ".join(opciones.values)
    # DRF fills {input} with the value the client sent.
    return f"«{{input}}» no es un valor válido para {campo}. Use uno de: {validas}."


class EmpresaSerializer(serializers.ModelSerializer):
    """An empresa, both ways. Audit fields and the id are read-only.

    The NIT's rules (digits only, unique) come from the model field.
    """

    class Meta:
        model = Empresa
        fields = [
            "id",
            "nit",
            "razon_social",
            "sigla",
            "tipo",
            "representante_legal",
            "ci_representante",
            "direccion",
            "departamento",
            "municipio",
            "telefono",
            "email",
            "estado",
            "creado_por",
            "actualizado_por",
            "creado_en",
            "actualizado_en",
        ]
        read_only_fields = [
            "id",
            "creado_por",
            "actualizado_por",
            "creado_en",
            "actualizado_en",
        ]
        extra_kwargs = {
            campo: {
                "error_messages": {"invalid_choice": _opcion_invalida(campo, opciones)}
            }
            for campo, opciones in [
                ("tipo", Empresa.Tipo),
                ("departamento", Empresa.Departamento),
                ("estado", Empresa.Estado),
            ]
        }
