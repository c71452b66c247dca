"""What an uploaded spreadsheet declares about its size, read before it is parsed.

An XLSX file is a zip archive: its central directory states how large every part unpacks to, and
the sheet's `<dimension ref="A1:H1200"/>` (near the start of its XML) how many rows it has. Both
are read here without unpacking the sheet, so a small workbook hiding tens of megabytes of XML (a
"zip bomb" or just a sheet full of formatting) is refused in milliseconds, before openpyxl spends
the web worker's time and memory on it. CSV files are bounded by their size alone.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

from collective.core.errors import ApplicationError

MB = 1024 * 1024
# How much of a sheet's XML is read to find its <dimension> element (it comes first, after the
# sheet properties; a few KB is plenty).
HEAD_BYTES = 16 * 1024
MAX_PARTS = 10_000
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\""
)
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "IMPORT_XLSX_MAX_UNPACKED_MB", 50)) * MB


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 5_000_000))


@dataclass(frozen=True)
class Declared:
    """What a workbook says of itself: bytes once unpacked (all parts, the first sheet) and the
    rows of the first sheet (None when it does not say)."""

    unpacked: int
    sheet_unpacked: int
    rows: int | None


def _refuse(message: str, detail: str) -> ApplicationError:
    return ApplicationError(message, errors={"file": [detail]})


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The path of the workbook's first sheet (the one imports read), from workbook.xml and its
    relationships; the usual path when those are missing."""
    try:
        workbook = _small(archive, "xl/workbook.xml")
        rels = _small(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        workbook = rels = b""
    match = _SHEET.search(workbook)
    rid = None
    if match:
        rid = next((v for k, v in _ATTR.findall(match.group(1)) if k.endswith(b":id")), None)
    if rid:
        for rel in _RELATIONSHIP.finditer(rels):
            attrs = {k.lower(): v for k, v in _ATTR.findall(rel.group(1))}
            if attrs.get(b"id") == rid:
                target = attrs.get(b"target", b"").decode().lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path in names:
                    return path
    return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else None


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    """A small part read whole (workbook.xml and its relationships are a few KB)."""
    info = archive.getinfo(name)
    if info.file_size > MB:
        raise _refuse(
            "This workbook's table of sheets is implausibly large: save the sheet as CSV.",
            f"{name} unpacks to {info.file_size / MB:.1f} MB.",
        )
    return archive.read(name)


def _declared_rows(archive: zipfile.ZipFile, sheet: str) -> int | None:
    with archive.open(sheet) as handle:
        head = handle.read(HEAD_BYTES)
    match = _DIMENSION.search(head)
    if not match:
        return None
    last = match.group(4) or match.group(2)
    return int(last) if last else None


def xlsx_declared(fileobj) -> Declared:
    """Read the zip's central directory and the first sheet's dimension — not the sheet — and
    refuse a workbook that would unpack to more than the limit or has more rows than allowed.
    `fileobj` is left at its start."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            "This file is not a readable Excel workbook.", "Not an .xlsx file (not a zip archive)."
        ) from exc
    try:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(
                "This workbook has too many parts to be a spreadsheet of values: save the sheet "
                "as CSV.",
                f"{len(infos):,} parts.",
            )
        unpacked = sum(info.file_size for info in infos)
        limit = max_unpacked_bytes()
        if unpacked > limit:
            packed = sum(info.compress_size for info in infos)
            raise _refuse(
                f"This workbook unpacks to {unpacked / MB:,.1f} MB (from {packed / MB:,.2f} MB "
                f"on disk); at most {limit // MB} MB can be imported. Save the sheet as CSV, "
                "remove formatting and other sheets, or split it into several files.",
                f"Unpacks to {unpacked / MB:,.1f} MB; the limit is {limit // MB} MB.",
            )
        names = {info.filename for info in infos}
        sheet = _first_sheet(archive, names)
        if sheet is None:
            raise _refuse("This workbook has no sheet to read.", "No worksheet found.")
        try:
            rows = _declared_rows(archive, sheet)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
            raise _refuse(
                "This file is not a readable Excel workbook.", str(exc)[:200] or "Damaged."
            ) from exc
        if rows is not None and rows > max_rows():
            raise _refuse(
                f"The first sheet declares {rows:,} rows; at most {max_rows():,} can be "
                "imported. Split it into several files.",
                f"{rows:,} rows; the limit is {max_rows():,}.",
            )
        return Declared(
            unpacked=unpacked, sheet_unpacked=archive.getinfo(sheet).file_size, rows=rows
        )
    finally:
        archive.close()
        fileobj.seek(0)
