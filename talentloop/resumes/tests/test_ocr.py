"""A scanned resume (a page that is only a picture of text) is read by Tesseract when it is
installed; CI installs it."""

from __future__ import annotations

import shutil
import zlib

import pypdfium2  # type: ignore[import-untyped]
import pytest

from talentloop.core import pdf
from talentloop.core.demo_resumes import pdf_bytes
from talentloop.resumes.extract import extract_text

LINES = ["Ada Quill", "Senior Software Engineer", "ada.quill@example.test", "", "SKILLS", "Python"]


def scanned_pdf(lines: list[str], scale: float = 3.0) -> bytes:
    """A PDF whose only page is a grayscale image of `lines` (no text layer)."""
    source = pypdfium2.PdfDocument(pdf_bytes(lines))
    bitmap = source[0].render(scale=scale, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    raw = bytes(bitmap.buffer)
    source.close()
    pixels = zlib.compress(b"".join(raw[y * stride : y * stride + width] for y in range(height)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        pdf.stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
        pdf.stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode" % (width, height),
        ),
    ]
    return pdf.pdf_file(objects)


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract is not installed")
def test_a_scanned_resume_is_read_by_ocr() -> None:
    extracted = extract_text(scanned_pdf(LINES), filename="scan.pdf")

    assert extracted.ocr is True
    assert extracted.format == "pdf"
    assert "Ada Quill" in extracted.text
    assert "ada.quill@example.test" in extracted.text
