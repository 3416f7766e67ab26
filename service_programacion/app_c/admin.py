"""Read-only admin pages for support staff.

The rules that span rows (100 % ceilings, one version number per proyecto,
reprogramaciones that never change the baseline) live in ``services.py``.
Admin forms would write around them, so the admin only shows the data;
changes go through the API.
"""

from django.contrib import admin

from app_c.models import ProgramacionMensual, ProgramacionVersion, Seguimiento


class SoloLecturaMixin:
    """Browse and search, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgramacionMensualInline(SoloLecturaMixin, admin.TabularInline):
    model = ProgramacionMensual
    fields = ["anio", "mes", "avance_fisico_programado", "monto_programado"]


@admin.register(ProgramacionVersion)
class ProgramacionVersionAdmin(SoloLecturaMixin, admin.ModelAdmin):
    list_display = ["proyecto_id", "numero", "creado_por", "creado_en"]
    list_filter = ["creado_en"]
    search_fields = ["=proyecto_id", "creado_por"]
    inlines = [ProgramacionMensualInline]


@admin.register(Seguimiento)
class SeguimientoAdmin(SoloLecturaMixin, admin.ModelAdmin):
    list_display = [
        "proyecto_id",
        "anio",
        "mes",
        "avance_fisico_real",
        "monto_ejecutado",
        "fecha_corte",
        "registrado_por",
    ]
    list_filter = ["anio"]
    search_fields = ["=proyecto_id", "registrado_por"]
