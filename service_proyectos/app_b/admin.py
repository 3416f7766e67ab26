"""Admin for proyectos: browse, correct and delete; new ones come from the API."""

from django.contrib import admin

from app_b.models import Proyecto


@admin.register(Proyecto)
class ProyectoAdmin(admin.ModelAdmin):
    list_display = [
        "codigo",
        "nombre",
        "sector",
        "departamento",
        "estado",
        "fase",
        "monto_total",
        "moneda",
        "fecha_inicio",
    ]
    list_filter = ["estado", "fase", "sector", "departamento", "moneda"]
    search_fields = ["codigo", "nombre", "municipio", "entidad_ejecutora"]
    date_hierarchy = "fecha_inicio"
    # empresa_id is only ever set after A vouches for the empresa, and the admin
    # holds no user token to ask A with: the API is the way to set or change it.
    readonly_fields = [
        "empresa_id",
        "creado_por",
        "actualizado_por",
        "creado_en",
        "actualizado_en",
    ]

    def has_add_permission(self, request):
        # A new proyecto needs the empresa check above, which only the API does.
        return False

    def save_model(self, request, obj, form, change):
        obj.actualizado_por = request.user.get_username()
        super().save_model(request, obj, form, change)
