from rest_framework.routers import SimpleRouter

from app_a.views import EmpresaViewSet

router = SimpleRouter()
router.register("", EmpresaViewSet, basename="empresa")

urlpatterns = router.urls
