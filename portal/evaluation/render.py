"""Pure renderers: response tables to CSV and XLSX, the review to a one-page PDF summary."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.evaluation.responses import ResponseTable
from portal.evaluation.review import EvaluationReview, ItemResult
from portal.tabular import csv_bytes, xlsx_bytes

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_OBJECTIVE_PREFIX = "Based on the content of this workshop, I am able to: "


def responses_csv(table: ResponseTable) -> bytes:
    """The responses as CSV."""
    return csv_bytes(table.columns, table.rows)


def responses_xlsx(table: ResponseTable) -> bytes:
    """An XLSX workbook with one sheet of responses."""
    return xlsx_bytes(table.columns, table.rows, "Responses")


def _pdf() -> tuple[FPDF, str]:
    pdf = FPDF(format="letter")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(False)
    if (FONT_DIR / "DejaVuSans.ttf").is_file():
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        return pdf, "DejaVu"
    return pdf, "Helvetica"


def _text(font: str, value: str) -> str:
    # The core Helvetica font only has Latin-1; DejaVu covers the rest.
    return value if font == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")


def _item_label(item: ItemResult) -> str:
    if item.objective is not None:
        return f"Objective {item.objective}: {item.text.removeprefix(_OBJECTIVE_PREFIX)}"
    return item.text


def _item_result(item: ItemResult) -> tuple[str, str, str]:
    if item.hidden:
        return "—", "—", "withheld (small group)"
    mean = f"{item.mean:.2f}" if item.mean is not None else "—"
    median = f"{item.median:.1f}" if item.median is not None else "—"
    if item.mean is None and item.distribution:
        total = sum(c for _, c in item.distribution) or 1
        median = "; ".join(f"{label} {100 * c / total:.0f}%" for label, c in item.distribution)
        return mean, "", median
    return mean, median, ""


def summary_pdf(review: EvaluationReview) -> bytes:
    """The evaluation rating summary sponsors file: item means and counts, one page."""
    pdf, font = _pdf()
    pdf.add_page()
    pdf.set_font(font, "B", 13)
    pdf.multi_cell(0, 6, _text(font, "Evaluation summary"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 9)
    rate = f"{100 * review.response_rate:.0f}%" if review.response_rate is not None else "—"
    for line in (
        review.course_title,
        f"Offering: {review.offering_label} ({review.dates})",
        f"Presenter: {review.presenter} · Sponsor: {review.sponsor}",
        f"Responses: {review.submitted} of {review.eligible} eligible participants ({rate}). "
        "Scale items: 1 = strongly disagree / poor … 5 = strongly agree / excellent.",
    ):
        pdf.multi_cell(0, 4.5, _text(font, line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    if review.hidden_reason:
        pdf.multi_cell(0, 5, _text(font, review.hidden_reason), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(font, "", 7.5)
    with pdf.table(col_widths=(95, 10, 12, 14, 55), line_height=3.6, text_align="LEFT") as table:
        table.row(["Item", "n", "Mean", "Median", "Distribution / note"])
        for item in review.items:
            if item.type == "free_text":
                continue
            mean, median, note = _item_result(item)
            table.row(
                [_text(font, _item_label(item)), str(item.n), mean, median, _text(font, note)]
            )
    free_text = [i for i in review.items if i.type == "free_text"]
    pdf.ln(2)
    counts = "; ".join(f"{i.text} ({i.n})" for i in free_text)
    pdf.multi_cell(
        0,
        3.6,
        _text(font, f"Written comments received: {counts}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
