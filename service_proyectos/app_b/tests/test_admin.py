import pytest
from django.contrib import admin
from rest_framework import status

from app_b.models import Proyecto

pytestmark = pytest.mark.django_db

ADMIN = "/proyectos/admin/app_b/proyecto/"


def test_proyecto_is_registered():
    assert admin.site.is_registered(Proyecto)


def test_changelist_and_change_form_open(admin_client, crear_proyecto):
    proyecto = crear_proyecto()

    assert admin_client.get(ADMIN).status_code == status.HTTP_200_OK
    cambio = admin_client.get(f"{ADMIN}{proyecto.pk}/change/")
    assert cambio.status_code == status.HTTP_200_OK


def test_adding_is_left_to_the_api_which_checks_the_empresa(admin_client):
    assert admin_client.get(f"{ADMIN}add/").status_code == status.HTTP_403_FORBIDDEN


def test_empresa_id_is_read_only(admin_client, crear_proyecto):
    proyecto = crear_proyecto()

    formulario = admin_client.get(f"{ADMIN}{proyecto.pk}/change/")

    assert "empresa_id" not in formulario.context["adminform"].form.fields
