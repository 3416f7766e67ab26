"""The registry of companies that carry out or supervise public projects."""

from django.core.validators import RegexValidator
from django.db import models

from sap_common.domain import Auditado, Departamento

__all__ = ["Empresa", "MENSAJE_NIT_DUPLICADO", "MENSAJE_NIT_SOLO_DIGITOS"]

MENSAJE_NIT_SOLO_DIGITOS = "El NIT debe contener solo dígitos."
MENSAJE_NIT_DUPLICADO = "Ya existe una empresa con este NIT."

# [0-9], not \d: \d also accepts other scripts' digits, such as "٣".
validar_nit = RegexValidator(r"^[0-9]+$", MENSAJE_NIT_SOLO_DIGITOS, code="nit")


class Empresa(Auditado):
    """A company registered with its tax id (NIT), legal data and contact.

    Projects in service_proyectos point at an empresa by id, so a row is never
    deleted: retiring a company sets ``estado`` to ``INACTIVA`` and keeps it
    readable. ``creado_por`` and ``actualizado_por`` hold the username taken
    from the caller's token.
    """

    class Tipo(models.TextChoices):
        UNIPERSONAL = "UNIPERSONAL", "Empresa unipersonal"
        SRL = "SRL", "Sociedad de responsabilidad limitada"
        SA = "SA", "Sociedad anónima"
        ASOCIACION_ACCIDENTAL = (
            "ASOCIACION_ACCIDENTAL",
            "Asociación accidental (consorcio)",
        )
        OTRO = "OTRO", "Otro"

    # Shared with proyectos, so both name a departamento by the same code.
    Departamento = Departamento

    class Estado(models.TextChoices):
        ACTIVA = "ACTIVA", "Activa"
        INACTIVA = "INACTIVA", "Inactiva"
        INHABILITADA = "INHABILITADA", "Inhabilitada"

    nit = models.CharField(
        "NIT",
        max_length=20,
        unique=True,
        validators=[validar_nit],
        error_messages={"unique": MENSAJE_NIT_DUPLICADO},
    )
    razon_social = models.CharField("razón social", max_length=255)
    sigla = models.CharField(max_length=50, blank=True)
    tipo = models.CharField(max_length=30, choices=Tipo.choices)
    representante_legal = models.CharField(
        "representante legal", max_length=255, blank=True
    )
    ci_representante = models.CharField(
        "CI del representante legal", max_length=20, blank=True
    )
    direccion = models.CharField("dirección", max_length=255, blank=True)
    departamento = models.CharField(
        max_length=20, choices=Departamento.choices, blank=True
    )
    municipio = models.CharField(max_length=100, blank=True)
    telefono = models.CharField("teléfono", max_length=30, blank=True)
    email = models.EmailField("correo electrónico", blank=True)
    estado = models.CharField(
        max_length=20, choices=Estado.choices, default=Estado.ACTIVA
    )

    class Meta:
        verbose_name = "empresa"
        verbose_name_plural = "empresas"
        # The id breaks ties so that pages never repeat or skip a row.
        ordering = ["razon_social", "id"]
        indexes = [models.Index(fields=["razon_social", "id"])]

    def __str__(self):
        return f"{self.razon_social} (NIT {self.nit})"
