from django.urls import path, register_converter

from app_c.views import (
    LimitesView,
    ResumenView,
    SeguimientoDetalleView,
    SeguimientoListaView,
    VersionesView,
)


class IdConverter:
    """A positive id that fits PostgreSQL's bigint.

    Longer numbers never name a row; matching them would make the database
    raise an out-of-range error (a 500) instead of the usual 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("<id:proyecto_id>/", ResumenView.as_view(), name="resumen"),
    path("<id:proyecto_id>/versiones/", VersionesView.as_view(), name="versiones"),
    path("<id:proyecto_id>/limites/", LimitesView.as_view(), name="limites"),
    path(
        "<id:proyecto_id>/seguimiento/",
        SeguimientoListaView.as_view(),
        name="seguimiento-lista",
    ),
    path(
        "<id:proyecto_id>/seguimiento/<id:pk>/",
        SeguimientoDetalleView.as_view(),
        name="seguimiento-detalle",
    ),
]
