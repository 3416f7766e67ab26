"""Domain vocabulary and model parts that more than one service shares.

Kept here so that empresas and proyectos name Bolivia's departamentos with the
same codes, and every audited row carries the same four fields.
"""

from django.db import models


class Departamento(models.TextChoices):
    """Bolivia's nine departamentos, in the order of their official codes."""

    CHUQUISACA = "CHUQUISACA", "Chuquisaca"
    LA_PAZ = "LA_PAZ", "La Paz"
    COCHABAMBA = "COCHABAMBA", "Cochabamba"
    ORURO = "ORURO", "Oruro"
    POTOSI = "POTOSI", "Potosí"
    TARIJA = "TARIJA", "Tarija"
    SANTA_CRUZ = "SANTA_CRUZ", "Santa Cruz"
    BENI = "BENI", "Beni"
    PANDO = "PANDO", "Pando"


class Auditado(models.Model):
    """Who created and last changed a row, and when.

    The usernames come from the caller's token (services set them); they are
    never taken from a request body.
    """

    creado_por = models.CharField(
        "creado por", max_length=150, blank=True, editable=False
    )
    actualizado_por = models.CharField(
        "actualizado por", max_length=150, blank=True, editable=False
    )
    creado_en = models.DateTimeField("creado en", auto_now_add=True)
    actualizado_en = models.DateTimeField("actualizado en", auto_now=True)

    class Meta:
        abstract = True
