"""Admin for empresas: edit and retire, never delete."""

from django.contrib import admin, messages

from app_a.models import Empresa
from app_a.services import empresa_desactivar


@admin.register(Empresa)
class EmpresaAdmin(admin.ModelAdmin):
    list_display = [
        "razon_social",
        "nit",
        "tipo",
        "departamento",
        "estado",
        "actualizado_en",
    ]
    list_filter = ["estado", "tipo", "departamento"]
    search_fields = ["nit", "razon_social", "sigla"]
    readonly_fields = ["creado_por", "actualizado_por", "creado_en", "actualizado_en"]
    actions = ["desactivar"]

    def has_delete_permission(self, request, obj=None):
        # Projects may point at any empresa: retire it instead (see the action).
        return False

    def save_model(self, request, obj, form, change):
        usuario = request.user.get_username()
        if not change:
            obj.creado_por = usuario
        obj.actualizado_por = usuario
        super().save_model(request, obj, form, change)

    @admin.action(description="Dar de baja (estado INACTIVA)")
    def desactivar(self, request, queryset):
        usuario = request.user.get_username()
        for empresa in queryset:
            empresa_desactivar(empresa=empresa, usuario=usuario)
        # len() reuses the rows fetched by the loop instead of counting again.
        self.message_user(
            request, f"Empresas dadas de baja: {len(queryset)}.", messages.SUCCESS
        )
