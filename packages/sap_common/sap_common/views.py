"""View pieces shared by the services."""

from django.db import transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from sap_common.csv import CSVRenderer


class NonAtomicViewMixin:
    """Serve the view outside ``ATOMIC_REQUESTS``.

    For views that call another service: a transaction held open through
    that call would pin a database connection idle in a transaction, with
    its snapshot and locks, for as long as the other service takes. Such
    views leave the transaction to their service function, which opens it
    around the write once the other service has answered.
    """

    # Read by the error handler: there is no request transaction to undo.
    atomic_request = False

    @classmethod
    def as_view(cls, *args, **kwargs):
        return transaction.non_atomic_requests(super().as_view(*args, **kwargs))


class ListaExportableMixin:
    """A paginated list that also exports, whole and filtered, as CSV.

    ``?format=csv`` is offered on the list action only; every other action
    answers JSON. An export holds every matching row, not one page. Set
    ``csv_filename`` to have browsers save it as a file. Errors are JSON in
    every format, in the one shape all services share.
    """

    csv_filename: str | None = None

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action == "list":
            renderers.append(CSVRenderer())
        return renderers

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if getattr(self.request, "accepted_renderer", None) is not None:
            # finalize_response renders with the request's renderer; an error
            # body in CSV would be a row no client expects.
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def list(self, request, *args, **kwargs):
        filas = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == CSVRenderer.format:
            return Response(self.get_serializer(filas, many=True).data)
        pagina = self.paginate_queryset(filas)
        return self.get_paginated_response(self.get_serializer(pagina, many=True).data)
