"""A pack's content (rights.packs) in each format: an accessible HTML document, a text-based PDF
with page numbers, JSON (the content itself, with its schema_version) and, for portability, CSV.

The PDF is drawn with fpdf2. Its built-in fonts hold Latin-1 only (enough for English and Gaelic,
not for every name a client may have): with a Unicode TrueType font named by the
CEANGAL_PACK_FONT setting the PDF shows every character; without one, characters outside Latin-1
are transliterated (accents dropped, "ł" as "l") and anything left is "?". The HTML and JSON always
carry the exact text.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from fpdf import FPDF

from ceangal.rights.models import PackFormat

type Content = dict[str, Any]

CONTENT_TYPES = {
    PackFormat.HTML: "text/html; charset=utf-8",
    PackFormat.PDF: "application/pdf",
    PackFormat.JSON: "application/json",
    PackFormat.CSV: "text/csv; charset=utf-8",
}
# Letters NFKD does not take apart.
_TRANSLITERATE = str.maketrans(
    {
        "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O", "\u0111": "d", "\u0110": "D",
        "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE", "\u0131": "i",
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
        "\u2026": "...", "\u2022": "-",
    }
)  # fmt: skip


def formats_for(kind: str) -> tuple[PackFormat, ...]:
    """Access: a document to read and JSON. Portability: machine-readable JSON and CSV only."""
    if kind == "portability":
        return (PackFormat.JSON, PackFormat.CSV)
    return (PackFormat.HTML, PackFormat.PDF, PackFormat.JSON)


def render(content: Content, fmt: PackFormat | str, *, compress: bool = True) -> bytes:
    if fmt == PackFormat.HTML:
        return render_html(content).encode()
    if fmt == PackFormat.PDF:
        return render_pdf(content, compress=compress)
    if fmt == PackFormat.JSON:
        return render_json(content).encode()
    if fmt == PackFormat.CSV:
        return render_csv(content).encode()
    raise ValueError(fmt)


def render_html(content: Content) -> str:
    return render_to_string("rights/pack.html", {"pack": content})


def render_json(content: Content) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2)


def render_csv(content: Content) -> str:
    """One row per field: section, field, value, supplied by, recorded on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "field", "value", "supplied_by", "recorded_on"])
    for part in content["parts"]:
        for item in part["items"]:
            for field in item["fields"]:
                writer.writerow(
                    [
                        _cell(v)
                        for v in (
                            part["title"],
                            field["label"],
                            field["value"],
                            item["supplied_by"],
                            item["recorded_on"],
                        )
                    ]
                )
    return out.getvalue()


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# -- PDF --------------------------------------------------------------------------------------------


def latin1(text: str) -> str:
    """Text the PDF's built-in fonts can draw: accents kept where Latin-1 has the letter, dropped
    where it has not, and "?" for anything else."""
    out = []
    for char in text.translate(_TRANSLITERATE):
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def _as_is(value: str) -> str:
    return value


class _PackPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.font_family, size=9)
        self.cell(0, 10, self.footer_text % {"page": self.page_no(), "pages": "{nb}"}, align="C")


def render_pdf(content: Content, *, compress: bool = True) -> bytes:
    pdf = _PackPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(latin1(content["title"]))
    pdf.set_lang("en-GB")
    font_path = settings.CEANGAL_PACK_FONT
    family = "Helvetica"
    text: Callable[[str], str] = latin1
    if font_path:
        pdf.add_font("PackFont", "", font_path)
        pdf.add_font("PackFont", "B", font_path)
        family, text = "PackFont", _as_is
    pdf.footer_text = text(_("Page %(page)s of %(pages)s"))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw

    def heading(value: str, size: int) -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, size * 0.55, text(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def para(value: str, size: int = 10) -> None:
        pdf.set_font(family, "", size)
        pdf.multi_cell(width, 5, text(value), new_x="LMARGIN", new_y="NEXT")

    heading(content["title"], 18)
    para(_("Reference: %(reference)s") % {"reference": content["client"]["reference"]})
    para(_("Made on: %(at)s") % {"at": content["generated_at"]})
    para(_("Organisations searched: %(names)s") % {"names": ", ".join(content["organisations_searched"]) or "-"})
    pdf.ln(3)
    heading(_("Contents"), 13)
    for number, part in enumerate(content["parts"], start=1):
        para(f"{number}. {part['title']} ({len(part['items'])})")
    for number, part in enumerate(content["parts"], start=1):
        pdf.ln(4)
        heading(f"{number}. {part['title']}", 14)
        if part.get("intro"):
            para(part["intro"])
        if not part["items"]:
            para(_("Nothing held."))
        for item in part["items"]:
            pdf.ln(2)
            heading(item["title"], 11)
            for line in item["provenance"]:
                para(f"{line['label']}: {line['value']}", 9)
            for field in item["fields"]:
                para(f"{field['label']}: {field['value']}")
            for entry in item["timeline"]:
                note = f" - {entry['note']}" if entry["note"] else ""
                para(f"{entry['when']}: {entry['what']} ({entry['who']}){note}", 9)
    pdf.ln(4)
    heading(_("Your rights"), 14)
    for paragraph in content["your_rights"]:
        para(paragraph)
        pdf.ln(1)
    return bytes(pdf.output())
