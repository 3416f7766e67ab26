from django.urls import path

from auth_app.views import RegistroView, TokenRefreshConLimiteView, TokenView, YoView

urlpatterns = [
    path("register/", RegistroView.as_view(), name="registro"),
    path("token/", TokenView.as_view(), name="token"),
    path("token/refresh/", TokenRefreshConLimiteView.as_view(), name="token-refresh"),
    path("me/", YoView.as_view(), name="yo"),
]
