from rest_framework.routers import SimpleRouter

from app_a.views import EmpresaViewSet

router = SimpleRouter(use_regex_path=False)
router.register("", EmpresaViewSet, basename="empresa")

urlpatterns = router.urls
