"""CSV export: a DRF renderer that a list endpoint offers beside JSON.

A view opts in by adding :class:`CSVRenderer` to its ``renderer_classes``;
clients then ask for ``?format=csv`` (or ``Accept: text/csv``). One row per
object, one column per serializer field, in the serializer's order. The view
decides what the rows are: usually the whole filtered list, unpaginated.

A view may set ``csv_filename`` to have browsers save the answer as a file.
"""

import csv
import io
import json
import re

from rest_framework.renderers import BaseRenderer

__all__ = ["CSVRenderer"]

# Spreadsheets evaluate a cell that starts with one of these as a formula, so
# user-typed text could run as one ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ... but a signed number or a phone number such as "+591 2 2123456" is inert.
_INERT_SIGNED = re.compile(r"^[+-][0-9][0-9 ().-]*$")


def _cell(value) -> str:
    """Turn one serialized value into text that is safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(_FORMULA_STARTS) and not _INERT_SIGNED.match(text):
        # A leading apostrophe makes spreadsheets show the text as typed.
        return "'" + text
    return text


class CSVRenderer(BaseRenderer):
    """Render serialized objects as CSV (UTF-8 with BOM, CRLF line ends).

    Accepts a list of objects, a paginated body (its ``results``) or a single
    object (one row; error bodies come out this way too).
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        context = renderer_context or {}
        rows = self._rows(data)
        columns = self._columns(rows, context.get("view"))

        buffer = io.StringIO()
        # Excel decodes a CSV file as UTF-8 (accents, ñ) only after a BOM.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])

        self._name_attachment(context)
        return buffer.getvalue().encode(self.charset)

    @staticmethod
    def _rows(data) -> list:
        if isinstance(data, dict):
            results = data.get("results")
            return list(results) if isinstance(results, list) else [data]
        return list(data)

    @staticmethod
    def _columns(rows: list, view) -> list:
        if rows:
            return list(rows[0].keys())
        # An empty list still gets its header, taken from the view's serializer.
        get_serializer = getattr(view, "get_serializer", None)
        if get_serializer is None:
            return []
        fields = get_serializer().fields
        return [name for name, field in fields.items() if not field.write_only]

    @staticmethod
    def _name_attachment(context: dict) -> None:
        response = context.get("response")
        filename = getattr(context.get("view"), "csv_filename", None)
        if response is not None and filename and response.status_code < 400:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
