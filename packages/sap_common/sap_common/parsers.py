"""The JSON parser of every service: errors a client can read, in Spanish.

DRF's own parser answers a malformed body with the decoder's message, in
English and with internal detail (``Expecting property name enclosed in
double quotes: line 1 column 2``), and lets a body nested deep enough to
exhaust Python's recursion limit escape as a ``RecursionError``, that is a
500 anyone could trigger without a token.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["MENSAJE_JSON_INVALIDO", "JSONParser"]

MENSAJE_JSON_INVALIDO = (
    "El cuerpo de la solicitud no es un JSON válido en UTF-8, o está anidado en exceso."
)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with one clear message for every unreadable body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError) as exc:
            # The decoder's text stays out of the answer; it says nothing
            # the client could act on that the message does not.
            raise ParseError(MENSAJE_JSON_INVALIDO) from exc
