from django.urls import path
from rest_framework.routers import SimpleRouter

from app_b.views import ProyectoDetalleView, ProyectoViewSet, ResilienciaView

router = SimpleRouter()
router.register("", ProyectoViewSet, basename="proyecto")

urlpatterns = [
    path(
        "detalle/<int:proyecto_id>/",
        ProyectoDetalleView.as_view(),
        name="proyecto-detalle",
    ),
    path("resiliencia/", ResilienciaView.as_view(), name="proyecto-resiliencia"),
    *router.urls,
]
