from django.urls import path

from app_c.views import (
    ResumenView,
    SeguimientoDetalleView,
    SeguimientoListaView,
    VersionesView,
)

urlpatterns = [
    path("<int:proyecto_id>/", ResumenView.as_view(), name="resumen"),
    path("<int:proyecto_id>/versiones/", VersionesView.as_view(), name="versiones"),
    path(
        "<int:proyecto_id>/seguimiento/",
        SeguimientoListaView.as_view(),
        name="seguimiento-lista",
    ),
    path(
        "<int:proyecto_id>/seguimiento/<int:pk>/",
        SeguimientoDetalleView.as_view(),
        name="seguimiento-detalle",
    ),
]
