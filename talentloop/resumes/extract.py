"""The text of an uploaded document, in reading order. No Django.

`detect_format(data)` names the format from the bytes themselves (an uploaded "cv.pdf" may be
a Word file, a zip or a photo). `extract_text(data)` gives an `Extracted`, or raises
`ExtractionError` with a stable short `code` and a message a recruiter understands.

Formats: PDF (pypdfium2, Tesseract OCR when installed and the PDF has no text layer), DOCX,
Word 2003 / flat-OPC XML, ODT, DOC (catdoc or LibreOffice when installed), RTF, HTML and plain
text. Everything else (EPUB, spreadsheets, images, other binaries) is refused with a reason.

Hostile files are the sandbox's business (`sandbox.py`: time and memory limits); this module
only refuses what it can see is unreasonable before parsing: too many bytes, too many pages,
zip members that inflate too far.

Output text is normalised: NFC, one line per paragraph or heading (downstream code finds
sections by line), bullets as "•", runs of spaces collapsed, at most two empty lines in a row.
"""

from __future__ import annotations

import codecs
import ctypes
import html
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import zipfile
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from html.parser import HTMLParser
from itertools import repeat
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from talentloop.resumes.parsed import Extracted

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 30
# A document part (word/document.xml, content.xml) inflating past this is a bomb, not a resume.
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for one zip member
SUBPROCESS_TIMEOUT = 30.0  # seconds for catdoc, LibreOffice, Tesseract (per page)
OCR_DPI = 300

SUPPORTED = ("pdf", "docx", "wordxml", "odt", "doc", "rtf", "html", "txt")


class ExtractionError(Exception):
    """Why a document gave no text. `code` is stable (for programs), `message` is for people.

    Codes: unsupported, encrypted, corrupt, empty, too_large, too_many_pages, no_text_layer,
    archive_bomb, timeout, memory.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- format detection -----------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/epub+zip": "epub",
}


def detect_format(data: bytes) -> str:
    """The format of `data` judged by content, never by file name.

    One of SUPPORTED ("pdf", "docx", "wordxml" (Word 2003 XML or flat OPC), "odt", "doc",
    "rtf", "html", "txt"), or a format that is refused: "empty", "epub", "xlsx", "pptx",
    "ods", "odp", "zip" (another or a damaged zip), "ooxml-encrypted" (a password-protected
    Office file), "ole" (another Office 97-2003 file), "image", "binary".
    """
    if not data.strip():
        return "empty"
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _detect_zip(data)
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "ooxml-encrypted"
        return "doc" if "WordDocument".encode("utf-16-le") in data else "ole"
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    text_head = _decode(data[:4096]).lstrip("\ufeff \t\r\n").lower()
    if text_head.startswith("{\\rtf"):
        return "rtf"
    if text_head.startswith("<"):
        if "word.document" in text_head or "<w:worddocument" in text_head:
            return "wordxml"
        if "<pkg:package" in text_head and b"/word/document.xml" in data:
            return "wordxml"
        if re.search(r"<(!doctype html|html|body|head|div|p|table|h[1-6])\b", text_head):
            return "html"
    if _looks_like_text(data):
        return "txt"
    return "binary"


def _detect_zip(data: bytes) -> str:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200:
                    mimetype = archive.read(info).decode("ascii", "replace").strip()
                    if mimetype in _ODF_MIMETYPES:
                        return _ODF_MIMETYPES[mimetype]
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "content.xml" in names:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return "zip"
    return "zip"


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return True
    if sample.count(b"\x00") > len(sample) // 100:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls <= len(sample) // 100


# --- the entry point ----------------------------------------------------------------------------

_REFUSALS = {
    "empty": ("empty", "The file is empty."),
    "epub": ("unsupported", "EPUB e-books are not supported; please upload a PDF or Word file."),
    "xlsx": ("unsupported", "This is an Excel spreadsheet, not a resume document."),
    "ods": ("unsupported", "This is a spreadsheet, not a resume document."),
    "pptx": ("unsupported", "This is a PowerPoint presentation, not a resume document."),
    "odp": ("unsupported", "This is a presentation, not a resume document."),
    "zip": ("unsupported", "This is a zip archive (or a damaged Office file), not a document."),
    "ooxml-encrypted": ("encrypted", "The Office document is password-protected."),
    "ole": ("unsupported", "This Office 97-2003 file is not a Word document."),
    "image": (
        "no_text_layer",
        "This is an image (scanned), with no text layer; please upload a PDF or Word file.",
    ),
    "binary": ("unsupported", "The file is not a document format Talentloop can read."),
}


def extract_text(
    data: bytes,
    *,
    filename: str = "",
    max_pages: int = MAX_PAGES,
    max_bytes: int = MAX_BYTES,
) -> Extracted:
    """The normalised text of `data`; raises ExtractionError when there is none to be had.

    `filename` only makes messages clearer. Unexpected parser failures on damaged input are
    reported as "corrupt", never as other exceptions (MemoryError aside).
    """
    if len(data) > max_bytes:
        raise ExtractionError(
            "too_large",
            f"{_name(filename)}is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.",
        )
    fmt = detect_format(data)
    if fmt in _REFUSALS:
        code, message = _REFUSALS[fmt]
        raise ExtractionError(code, _prefix_name(filename) + message)
    try:
        extracted: Extracted = _EXTRACTORS[fmt](data, max_pages)
    except (ExtractionError, MemoryError):
        raise
    except Exception as error:
        raise ExtractionError(
            "corrupt", f"{_name(filename)}looks like {_LABELS[fmt]} but is damaged ({error})."
        ) from error
    extracted.text = normalize(extracted.text)
    if not extracted.text:
        if fmt == "pdf":
            raise ExtractionError("no_text_layer", "The PDF has no text layer (scanned).")
        raise ExtractionError("empty", f"{_name(filename)}contains no text.")
    return extracted


def _name(filename: str) -> str:
    return f"{os.path.basename(filename)}: the file " if filename else "The file "


def _prefix_name(filename: str) -> str:
    return f"{os.path.basename(filename)}: " if filename else ""


_LABELS = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "wordxml": "a Word XML document",
    "odt": "an OpenDocument text",
    "doc": "a Word 97-2003 document",
    "rtf": "an RTF document",
    "html": "a web page",
    "txt": "a text file",
}


# --- normalisation ------------------------------------------------------------------------------

_BULLET_CHARS = "\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u2219\u25cb\u27a2\u2714\u2713"
_TRANSLATE = {
    0x00AD: None,  # soft hyphen: only a hint where a word may break
    0x200B: None,
    0x200C: None,
    0x200D: None,
    0x2060: None,
    0xFEFF: None,
    0x0000: None,
    0xFFFE: "-",  # PDFium's mark for a hyphen at a line end
    0x00A0: " ",
    0x2007: " ",
    0x202F: " ",
    0x2028: "\n",
    0x2029: "\n",
    0x000B: "\n",  # Word's manual line break as catdoc writes it
    0x000C: "\n",
    0x000D: "\n",
    0x0009: " ",
    **{ord(ch): "•" for ch in _BULLET_CHARS},
}
# Symbol / Wingdings glyphs Word uses for list bullets live in the private use area.
_TRANSLATE.update(dict.fromkeys(range(0xF000, 0xF100), "•"))
# Runs of the characters _TRANSLATE maps: most text has few or none of them, and translating
# just those runs costs far less than str.translate over the whole text.
_SPECIAL_CHARS = "[" + re.escape("".join(chr(code) for code in _TRANSLATE)) + "]"
_SPECIAL = re.compile(_SPECIAL_CHARS + _SPECIAL_CHARS + "*")
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
# Only what changes: a run of spaces with an odd space in it, then two or more plain spaces.
# (Patterns that open with one character class or a literal are scanned for fast.)
_ODD_SPACES = re.compile(r"[\u2000-\u200a\u3000][ \u2000-\u200a\u3000]*")
_SPACES = re.compile(r"  +")
_BLANK_RUNS = re.compile(r"\n\n\n\n+")


def _translate_run(match: re.Match[str]) -> str:
    return match.group().translate(_TRANSLATE)


def normalize(text: str) -> str:
    """NFC, bullets as "•", no soft hyphens or odd spaces, collapsed spaces, stripped lines,
    at most two empty lines in a row; line breaks are kept."""
    text = _SPECIAL.sub(_translate_run, text.replace("\r\n", "\n"))
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", _ODD_SPACES.sub(" ", text))
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n\n", "\n".join(lines)).strip()


# --- PDF ----------------------------------------------------------------------------------------

# Called through a prototype without argtypes and with no result: the generated binding's
# argument checks cost more than the call itself, and a page has thousands of characters.
_loose_char_box = ctypes.CFUNCTYPE(None)(
    ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value or 0
)
# A gap between two glyphs wider than this share of the line height separates words: some
# generators (wkhtmltopdf, Qt) place every glyph on its own and never draw the space, and
# PDFium's guess misses about one space in three there.
_WORD_GAP = 0.08
# A gutter this wide (share of page width) with text on both sides splits two columns.
_MIN_GUTTER = 0.025
# A gap this many line heights wide inside a line may be a column gutter.
_COLUMN_GAP = 1.0
# Past this many characters a page is not a resume page: its text is PDFium's as it is, with
# no per-character geometry (a resume page has 2,000 to 6,000).
MAX_PAGE_CHARS = 20_000
# What str.isspace() calls a space, as a set: a lookup costs less than the method call.
_SPACE_CHARS = frozenset(chr(code) for code in range(0x3000 + 1) if chr(code).isspace())


def _pdf(data: bytes, max_pages: int) -> Extracted:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise ExtractionError("encrypted", "The PDF is password-protected.") from error
        raise ExtractionError("corrupt", "The PDF is damaged and cannot be opened.") from error
    try:
        count = len(pdf)
        if count > max_pages:
            raise ExtractionError(
                "too_many_pages",
                f"The PDF has {count} pages; resumes over {max_pages} pages are not parsed.",
            )
        if count == 0:
            raise ExtractionError("empty", "The PDF has no pages.")
        texts = []
        for index in range(count):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    texts.append(_page_text(textpage, page.get_width()))
                finally:
                    textpage.close()
            finally:
                page.close()
        warnings = []
        if sum(len(text.strip()) for text in texts) < 20:
            if not shutil.which("tesseract"):
                raise ExtractionError("no_text_layer", "The PDF has no text layer (scanned).")
            return Extracted(text=_ocr(pdf, count), format="pdf", pages=count, ocr=True)
        empty_pages = [str(i + 1) for i, text in enumerate(texts) if not text.strip()]
        if empty_pages:
            warnings.append(f"no text on page {', '.join(empty_pages)} (scanned?)")
        # PDFium ends lines with CR LF and marks some generated breaks with a lone CR.
        text = "\n\n".join(texts).replace("\r\n", "\n").replace("\r", " ")
        return Extracted(text=text, format="pdf", pages=count, warnings=warnings)
    finally:
        pdf.close()


class _BoxBuffer(threading.local):
    """Per thread, one float buffer for the character boxes of a page and a ready pointer to
    each box in it: making the pointers costs as much as the PDFium calls."""

    def __init__(self) -> None:
        self.size = 0
        self.boxes: Any = None
        self.refs: list[Any] = []

    def get(self, count: int) -> tuple[Any, list[Any]]:
        if count > self.size:
            size = max(count, min(max(4096, 2 * self.size), MAX_PAGE_CHARS))
            self.boxes = (ctypes.c_float * (4 * size))()
            self.refs = list(map(ctypes.byref, repeat(self.boxes, size), range(0, 16 * size, 16)))
            self.size = size
        return self.boxes, self.refs


_box_buffer = _BoxBuffer()


def _page_text(textpage: Any, page_width: float) -> str:
    """A page's text in reading order: PDFium's (content-stream) order with missing word
    spaces put back, and a two-column page read left column first."""
    count = textpage.count_chars()
    if count <= 0:
        return ""
    text = textpage.get_text_range(0, count)
    # Characters outside the BMP (no index alignment) or a page too big to be a resume page:
    # PDFium's text as it is.
    if len(text) != count or count > MAX_PAGE_CHARS:
        return str(text)
    boxes, refs = _box_buffer.get(count)
    # map() keeps the per-character loop in C; a Python for loop costs twice as much here.
    any(
        map(
            _loose_char_box,
            repeat(ctypes.cast(textpage.raw, ctypes.c_void_p), count),
            range(count),
            refs,
        )
    )
    values = array("f", ctypes.string_at(boxes, 16 * count))
    left, top, right, bottom = values[0::4], values[1::4], values[2::4], values[3::4]
    inserts, segments = _split_words(text, left, top, right, bottom)
    spaced = _with_spaces(text, inserts)
    gutter = _gutter(segments, left, right, page_width)
    if gutter is None:
        return spaced
    return _two_columns(spaced, inserts, segments, right, gutter)


def _split_words(
    text: str, left: array[float], top: array[float], right: array[float], bottom: array[float]
) -> tuple[list[int], list[tuple[int, int, bool]]]:
    """Where a word gap with no space character in the text precedes a character (the indexes
    of those characters); and the segments of the page: (start, end, ends_line) runs of
    characters on one line with no wide gap in them (what can belong to one column)."""
    inserts: list[int] = []
    cuts: list[int] = []
    last = -1  # the last character that is not a space, on this line (-1: none yet)
    last_right = 0.0
    spaces = _SPACE_CHARS
    for index, char, lo, hi in zip(range(len(text)), text, left, right, strict=True):
        if char in spaces:
            if char == "\n":
                last = -1
            continue
        # Inside a word the loose boxes overlap: only a gap (lo > last_right) needs a closer
        # look, and a glyph with a negative height never shares a line with another.
        if lo > last_right and last >= 0:
            gap = lo - last_right
            up, down = top[index], bottom[index]
            height = up - down
            # the same line: the two glyphs overlap vertically
            if gap > _WORD_GAP * height and min(up, top[last]) > max(down, bottom[last]):
                if last == index - 1:
                    inserts.append(index)
                if gap > _COLUMN_GAP * height:
                    cuts.append(index)
        last = index
        last_right = hi
    segments: list[tuple[int, int, bool]] = []
    start = 0
    cut_index = 0
    while start < len(text):
        newline = text.find("\n", start)
        line_end = len(text) if newline < 0 else newline + 1
        while cut_index < len(cuts) and cuts[cut_index] < line_end:
            if cuts[cut_index] > start:
                segments.append((start, cuts[cut_index], False))
                start = cuts[cut_index]
            cut_index += 1
        segments.append((start, line_end, True))
        start = line_end
    return inserts, segments


def _with_spaces(text: str, inserts: list[int]) -> str:
    """`text` with a space put before each character at the (ascending) `inserts`."""
    if not inserts:
        return text
    return " ".join(map(text.__getitem__, map(slice, [0, *inserts], [*inserts, len(text)])))


def _gutter(
    segments: list[tuple[int, int, bool]], left: array[float], right: array[float], width: float
) -> float | None:
    """The x of a gutter splitting the page in two columns of text, or None.

    A gutter is a vertical band in the middle half of the page that no segment crosses, with
    a good share of the text on each side: a one-column page has lines that cross it.
    """
    if width <= 0 or len(segments) < 10:
        return None
    scale = _BINS / width
    # A first look spans each segment from its first character's left to its last one's
    # right, never more than the whole segment spans: no band free then (most pages), none.
    rough = [(left[start], right[_stop(start, end) - 1], 0) for start, end, _ in segments]
    if _free_band(rough, scale)[1] < _MIN_GUTTER * _BINS:
        return None
    extents = []
    for start, end, _ in segments:
        stop = _stop(start, end)
        extents.append((min(left[start:stop]), max(right[start:stop]), end - start))
    best_start, best_length, on_page = _free_band(extents, scale)
    if best_length < _MIN_GUTTER * _BINS:
        return None
    gutter = (best_start + best_length / 2) / scale
    total = sum(extents[i][2] for i in on_page)
    on_left = sum(extents[i][2] for i in on_page if extents[i][1] < gutter)
    if min(on_left, total - on_left) < 0.15 * total:
        return None
    return gutter


_BINS = 200


def _stop(start: int, end: int) -> int:
    """Where a segment's characters end, leaving out the line end's zero-width box."""
    return end - 1 if end - start > 1 else end


def _free_band(
    extents: Sequence[tuple[float, float, int]], scale: float
) -> tuple[int, int, list[int]]:
    """The widest run of bins in the middle half of the page that no (lo, hi, size) extent
    covers, as (first bin, number of bins, the indexes of the extents on the page)."""
    covered = bytearray(_BINS)
    on_page = []
    for index, (lo, hi, _) in enumerate(extents):
        first, last = max(int(lo * scale), 0), min(int(hi * scale), _BINS - 1)
        if last >= first:
            covered[first : last + 1] = b"\x01" * (last - first + 1)
            on_page.append(index)
    best_start, best_length, run_start = 0, 0, -1
    for position in range(_BINS // 4, 3 * _BINS // 4):
        if covered[position]:
            run_start = -1
            continue
        if run_start < 0:
            run_start = position
        if position - run_start + 1 > best_length:
            best_start, best_length = run_start, position - run_start + 1
    return best_start, best_length, on_page


def _two_columns(
    spaced: str,
    inserts: list[int],
    segments: list[tuple[int, int, bool]],
    right: array[float],
    gutter: float,
) -> str:
    """The left column's text, then the right column's, each in content-stream order.

    `spaced` is the page's text with spaces put in at `inserts`; `segments` index the text
    without them."""
    columns: tuple[list[str], list[str]] = ([], [])
    for start, end, ends_line in segments:
        side = 0 if max(right[start : _stop(start, end)]) < gutter else 1
        text = spaced[start + bisect_left(inserts, start) : end + bisect_left(inserts, end)]
        columns[side].append(text if ends_line else text + "\n")
    return "".join(columns[0]) + "\n" + "".join(columns[1])


def _ocr(pdf: Any, count: int) -> str:
    """Each page rendered at OCR_DPI and read by the tesseract command."""
    texts = []
    with tempfile.TemporaryDirectory(prefix="talentloop-ocr-") as tmp:
        for index in range(count):
            page = pdf[index]
            try:
                bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
                path = Path(tmp, f"page{index}.pgm")
                path.write_bytes(_pgm(bitmap))
            finally:
                page.close()
            texts.append(_run([_which("tesseract"), str(path), "stdout"], tmp).decode("utf-8"))
    return "\n\n".join(texts)


def _pgm(bitmap: Any) -> bytes:
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    buffer = bytes(bitmap.buffer)
    rows = b"".join(buffer[row * stride : row * stride + width] for row in range(height))
    return b"P5\n%d %d\n255\n" % (width, height) + rows


def _which(command: str) -> str:
    path = shutil.which(command)
    if path is None:
        raise ExtractionError("unsupported", f"{command} is not installed on the server.")
    return path


def _run(args: list[str], home: str, stdin: bytes | None = None) -> bytes:
    """Run a converter; its failures are the document's ("corrupt"), its hangs "timeout"."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8"}
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            args,
            input=stdin,
            capture_output=True,
            timeout=SUBPROCESS_TIMEOUT,
            env=env,
            cwd=home,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ExtractionError(
            "timeout", f"Reading the document took over {SUBPROCESS_TIMEOUT:.0f} s."
        ) from error
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ExtractionError(
            "corrupt", f"The document is damaged ({Path(args[0]).name}: {detail[0][:200]})."
        )
    return done.stdout


# --- zip-based formats --------------------------------------------------------------------------


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, refusing a bomb by the bytes actually inflated, not the header."""
    info = archive.getinfo(name)
    limit = min(MAX_XML_BYTES, max(info.compress_size, 1024) * MAX_RATIO)
    chunks = []
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise ExtractionError(
                    "archive_bomb",
                    "The document inflates to an unreasonable size (a zip bomb?); refused.",
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    import io

    return zipfile.ZipFile(io.BytesIO(data))


_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
    "http://schemas.microsoft.com/office/word/2003/wordml",
)
_FALLBACK = re.compile(r"<mc:Fallback\b.*?</mc:Fallback>", re.S)


def _docx(data: bytes, max_pages: int) -> Extracted:
    with _open_zip(data) as archive:
        body = _read_member(archive, "word/document.xml").decode("utf-8", "replace")
        headers = [
            _read_member(archive, name).decode("utf-8", "replace")
            for name in sorted(archive.namelist())
            if re.fullmatch(r"word/header\d*\.xml", name)
        ]
    return Extracted(text=_word_text(body, headers), format="docx")


def _word_text(body: str, headers: list[str]) -> str:
    """Header texts (each once) then the body's, one line per paragraph or table cell."""
    seen: set[str] = set()
    parts = []
    for header in headers:
        text = _word_xml_text(header).strip()
        if text and text not in seen:
            seen.add(text)
            parts.append(text)
    parts.append(_word_xml_text(body))
    return "\n".join(parts)


def _word_xml_text(xml: str) -> str:
    """WordprocessingML to text with a tokenizing regex: about 5x faster than ElementTree
    on a resume, and it does not care that a document is not well formed."""
    prefix = _prefix(xml)
    if prefix is None:
        return ""
    p = re.escape(prefix)
    xml = _FALLBACK.sub("", xml)  # the VML copy of a text box that mc:Choice already holds
    tokens = re.compile(
        rf"<{p}t(?:\s[^>]*)?>([^<]*)</{p}t>|<{p}t\s*/>|</{p}p>|<{p}p\s*/>|<{p}(?:tab|br|cr)\b[^>]*>"
        rf"|</{p}tr>|<{p}sym\b[^>]*>"
    )
    out: list[str] = []
    for match in tokens.finditer(xml):
        text = match.group(1)
        if text is not None:
            out.append(html.unescape(text) if "&" in text else text)
            continue
        token = match.group(0)
        tag = token[len(prefix) + 1 : len(prefix) + 4]
        if token.startswith("</") or token.endswith(f"<{prefix}p/>"):
            out.append("\n")
        elif tag.startswith("tab"):
            out.append("\t")
        elif tag.startswith(("br", "cr")):
            out.append("\n")
        elif tag.startswith("sym"):
            out.append("•")
    return "".join(out)


def _prefix(xml: str) -> str | None:
    for namespace in _W_NAMESPACES:
        match = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
        if match:
            return match.group(1) + ":"
    return None


_PKG_PART = re.compile(
    r'<pkg:part\b[^>]*pkg:name="(/word/(?:document|header\d*)\.xml)"[^>]*>(.*?)</pkg:part>', re.S
)


def _wordxml(data: bytes, max_pages: int) -> Extracted:
    """Word 2003 XML (w:wordDocument) or a flat OPC package (pkg:package, Word 2007+ "XML
    Document"): one XML file, the same w:p / w:t vocabulary."""
    xml = _decode(data)
    parts = dict(_PKG_PART.findall(xml))
    if parts:
        headers = [part for name, part in sorted(parts.items()) if "header" in name]
        body = parts.get("/word/document.xml", "")
        return Extracted(text=_word_text(body, headers), format="wordxml")
    return Extracted(text=_word_xml_text(xml), format="wordxml")


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _odt(data: bytes, max_pages: int) -> Extracted:
    with _open_zip(data) as archive:
        content = _read_member(archive, "content.xml")
    root = ElementTree.fromstring(content)  # noqa: S314 - the sandbox bounds memory and time
    body = root.find(f"{{{_OFFICE_NS}}}body")
    out: list[str] = []
    _odt_walk(body if body is not None else root, out)
    return Extracted(text="".join(out), format="odt")


_T = f"{{{_TEXT_NS}}}"
_ODT_SKIP = {
    f"{_T}tracked-changes",
    f"{_T}note",
    f"{{{_OFFICE_NS}}}annotation",
    f"{_T}sequence-decls",
    f"{_T}table-of-content-source",
}
_ODT_BLOCKS = {f"{_T}p", f"{_T}h", f"{{{_TABLE_NS}}}table-row"}


def _odt_walk(element: ElementTree.Element, out: list[str], depth: int = 0) -> None:
    """Paragraphs and headings each end a line (odfdo joins a heading to the next paragraph);
    list items start with "•"."""
    tag = element.tag
    if tag in _ODT_SKIP or depth > 200:
        return
    if tag == f"{_T}list-item":
        out.append("• ")
    elif tag == f"{_T}s":
        out.append(" " * min(int(element.get(f"{_T}c", "1") or 1), 100))
    elif tag == f"{_T}tab":
        out.append("\t")
    elif tag == f"{_T}line-break":
        out.append("\n")
    if element.text:
        out.append(element.text)
    for child in element:
        _odt_walk(child, out, depth + 1)
        if child.tail:
            out.append(child.tail)
    if tag in _ODT_BLOCKS:
        out.append("\n")


# --- DOC ----------------------------------------------------------------------------------------


# catdoc prints the instructions of Word fields along with their results.
_FIELD_CODE = re.compile(
    r'\b(?:HYPERLINK|INCLUDEPICTURE|PAGEREF|REF)\s+(?:\\\w\s+)*"[^"\n]*"(?:\s+\\\w)* ?'
)


def _doc(data: bytes, max_pages: int) -> Extracted:
    catdoc = shutil.which("catdoc")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not catdoc and not soffice:
        raise ExtractionError(
            "unsupported",
            "Word 97-2003 (.doc) files need catdoc or LibreOffice on the server; "
            "neither is installed here.",
        )
    with tempfile.TemporaryDirectory(prefix="talentloop-doc-") as tmp:
        source = Path(tmp, "resume.doc")
        source.write_bytes(data)
        if catdoc:
            output = _run([catdoc, "-w", "-d", "utf-8", str(source)], tmp)
            text = _FIELD_CODE.sub("", output.decode("utf-8", "replace"))
            return Extracted(text=text, format="doc")
        assert soffice is not None
        _run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "txt:Text (encoded):UTF8",
                "--outdir",
                tmp,
                str(source),
            ],
            tmp,
        )
        converted = Path(tmp, "resume.txt")
        if not converted.exists():
            raise ExtractionError("corrupt", "LibreOffice could not read the Word document.")
        return Extracted(text=_decode(converted.read_bytes()), format="doc")


# --- RTF ----------------------------------------------------------------------------------------

# Destinations that hold binary or bulky non-text data: an embedded photo alone can be a megabyte
# of hex that striprtf would walk character by character.
_RTF_SKIP = re.compile(
    r"\{\\(?:pict|object|\*\\(?:shppict|blipuid|themedata|colorschememapping|datastore|"
    r"objdata|panose|xmlnstbl|rsidtbl|latentstyles|generator|fldinst|bkmkstart|bkmkend)"
    r"|nonshppict)\b"
)
_RTF_BRACES = re.compile(r"\\[\\{}]|[{}]")


def strip_rtf_groups(rtf: str) -> str:
    """`rtf` without picture, object and other non-text groups (and their nested groups)."""
    out = []
    position = 0
    while match := _RTF_SKIP.search(rtf, position):
        out.append(rtf[position : match.start()])
        depth = 0
        end = len(rtf)
        for brace in _RTF_BRACES.finditer(rtf, match.start()):
            brace_text = brace.group(0)
            if brace_text == "{":
                depth += 1
            elif brace_text == "}":
                depth -= 1
                if depth == 0:
                    end = brace.end()
                    break
        position = end
    out.append(rtf[position:])
    return "".join(out)


def _rtf(data: bytes, max_pages: int) -> Extracted:
    from striprtf.striprtf import rtf_to_text

    rtf = strip_rtf_groups(data.decode("latin-1"))
    text: str = rtf_to_text(rtf, errors="ignore")  # type: ignore[no-untyped-call]
    return Extracted(text=text, format="rtf")


# --- HTML ---------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl"),
        *("dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4"),
        *("h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section"),
        *("table", "tbody", "thead", "tfoot", "title", "tr", "ul"),
    }
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "svg", "head"})


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n• " if tag == "li" else "\n")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            # In HTML a line break in the source is just a space.
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, block elements on their own lines."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    # Nested blocks (<div><p>) give several breaks where one line ends.
    return re.sub(r"\n[ \n]*\n", "\n", "".join(parser.out))


def _html(data: bytes, max_pages: int) -> Extracted:
    return Extracted(text=html_to_text(_decode(data, html=True)), format="html")


# --- plain text ---------------------------------------------------------------------------------


def _decode(data: bytes, *, html: bool = False) -> str:
    """Bytes to text: a BOM wins, then (for HTML) a declared charset, then UTF-8, then
    cp1252 (what "ANSI" text from Windows is)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    if html:
        match = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
        if match:
            try:
                return data.decode(match.group(1).decode("ascii"), "replace")
            except LookupError:
                pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _txt(data: bytes, max_pages: int) -> Extracted:
    return Extracted(text=_decode(data), format="txt")


_EXTRACTORS: dict[str, Any] = {
    "pdf": _pdf,
    "docx": _docx,
    "wordxml": _wordxml,
    "odt": _odt,
    "doc": _doc,
    "rtf": _rtf,
    "html": _html,
    "txt": _txt,
}
