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
import functools
import html
import operator
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
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from talentloop.resumes import markup
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
# In a serif font the hook of an "f" reaches over the next letter of its word (by about a
# fifth of the line height): where the letters after an "f" overlap it that much, any gap at
# all after an "f" ends the word ("of" / "the", "Staff" / "Accountant").
_OVERHANG = -0.1
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
        links: list[str] = []
        f_gaps: list[float] = []  # see `_f_overhangs`: one font, so one answer per document
        for index in range(count):
            page = pdf[index]
            try:
                _page_links(pdf, page, links)
                textpage = page.get_textpage()
                try:
                    texts.append(_page_text(textpage, page.get_width(), page, f_gaps))
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
        if "\ufffe" in text:
            text = _LINE_END_HYPHEN.sub(functools.partial(_unhyphenate, text.lower()), text)
        return Extracted(text=text, format="pdf", pages=count, warnings=warnings, links=links)
    finally:
        pdf.close()


_MAX_LINKS = 200  # per document; a resume has a handful


def _page_links(pdf: Any, page: Any, links: list[str]) -> None:
    """Add the web addresses the page's link annotations point to (URI actions)."""
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    buffer = ctypes.create_string_buffer(2048)
    while len(links) < _MAX_LINKS and pdfium_c.FPDFLink_Enumerate(
        page.raw, ctypes.byref(position), ctypes.byref(link)
    ):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        size = pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, buffer, len(buffer))
        if 0 < size <= len(buffer):
            markup.add_link(links, buffer.value.decode("latin-1"))


# PDFium's mark for a hyphen that ended a line, the line joined to the next: a word broken in
# two ("Technolo-gies") or a compound ("server-side").
_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)\ufffe([^\W\d_]+)")


def _unhyphenate(lower: str, match: re.Match[str]) -> str:
    """A word broken at a line end made whole when the document has it whole elsewhere and
    its second part is no word of the document's on its own ("Infor-mation", not "data-to");
    otherwise as it was (the mark becomes "-" in `normalize`)."""
    head, tail = match.group(1), match.group(2)
    if _has_word(lower, (head + tail).lower()) and not _has_word(lower, tail.lower()):
        return head + tail
    return match.group(0)


def _has_word(lower: str, word: str) -> bool:
    """Whether `word` stands on its own somewhere in `lower` (str.find: a regex opening with a
    look-behind is scanned for ten times slower)."""
    start = lower.find(word)
    while start >= 0:
        end = start + len(word)
        before, after = lower[start - 1 : start] if start else "", lower[end : end + 1]
        if not _in_word(before) and not _in_word(after):
            return True
        start = lower.find(word, start + 1)
    return False


def _in_word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "_\ufffe")


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


# --- hidden text in PDFs ------------------------------------------------------------------------
#
# White or near-white characters, fully transparent ones, characters under 2 pt and invisible
# text (render mode 3 or 7) over an empty page area are keyword stuffing a reader never sees.
# A first pass samples the fill colour of every _SAMPLE_STEP-th character, the box height of
# every _SIZE_STEP-th and the render mode of every _MODE_STEP-th: a hidden stretch that long
# cannot slip through (a shorter one can), and a page costs about a hundred PDFium calls (0.1 ms).
# Only a page where the sample finds something is looked at character by character; white or
# invisible text is then dropped only where the rendered page shows no ink (white on a dark band
# is visible; the invisible text layer of a scan lies over the scan), and invisible text only
# beside visible text.


def _c_function(function: Any, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function through a prototype without the generated binding's argument checks."""
    address = ctypes.cast(function, ctypes.c_void_p).value or 0
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_fill_color = _c_function(pdfium_c.FPDFText_GetFillColor, None)
_text_object = _c_function(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p)
_render_mode = _c_function(pdfium_c.FPDFTextObj_GetTextRenderMode, ctypes.c_int, ctypes.c_void_p)
_SAMPLE_STEP = 32  # colours
_SIZE_STEP = 16  # box heights (no PDFium calls: the boxes are at hand)
_MODE_STEP = 128
_WHITE = 240  # every channel at least this light: near-white
_FAINT = 26  # an alpha below this: (nearly) transparent
_TINY_BOX = 2.4  # a loose box lower than this (pt) may hold text under 2 pt ...
_TINY_FONT = 2.0  # ... and text under this size (font size times the text matrix) is hidden
_INK = 224  # a pixel darker than this (0-255 grey) is ink
_INVISIBLE_MODES = frozenset(
    (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
)


class _ColourBuffer(threading.local):
    """Per thread, a buffer for the fill colours (R, G, B, A) of a page's characters, with
    ready pointers to each channel of each entry; reset to opaque black before each use (the
    colour of a character PDFium has none for)."""

    def __init__(self) -> None:
        self.size = 0
        self.colours: Any = None
        self.refs: tuple[list[Any], ...] = ()
        self.blank = b""

    def get(self, count: int) -> tuple[Any, tuple[list[Any], ...]]:
        if count > self.size:
            size = max(count, min(max(512, 2 * self.size), MAX_PAGE_CHARS))
            self.colours = (ctypes.c_uint * (4 * size))()
            self.refs = tuple(
                list(map(ctypes.byref, repeat(self.colours, size), range(4 * ch, 16 * size, 16)))
                for ch in range(4)
            )
            self.blank = array("I", (0, 0, 0, 255) * size).tobytes()
            self.size = size
        ctypes.memmove(self.colours, self.blank, 16 * count)
        return self.colours, self.refs


_colour_buffer = _ColourBuffer()


def _fill_colours(raw: Any, indexes: range) -> array[int]:
    """R, G, B, A of the characters at `indexes`, four entries each."""
    count = len(indexes)
    colours, (red, green, blue, alpha) = _colour_buffer.get(count)
    any(map(_fill_color, repeat(raw, count), indexes, red, green, blue, alpha))
    return array("I", ctypes.string_at(colours, 16 * count))


def _may_hide(raw: Any, count: int, top: array[float], bottom: array[float]) -> bool:
    """Whether a sample of the page's characters has a white, transparent, tiny or invisible
    one (spaces aside)."""
    values = _fill_colours(raw, range(0, count, _SAMPLE_STEP))
    if max(map(min, values[0::4], values[1::4], values[2::4])) >= _WHITE:
        return True
    if min(values[3::4]) < _FAINT:
        return True
    # PDFium's own spaces and line ends have empty boxes.
    heights = filter(None, map(operator.sub, top[::_SIZE_STEP], bottom[::_SIZE_STEP]))
    if min(heights, default=_TINY_BOX) < _TINY_BOX:
        return True
    objects = filter(None, map(_text_object, repeat(raw), range(0, count, _MODE_STEP)))
    modes = set(map(_render_mode, objects))
    # Only invisible text: the text layer of a scan, the page's only text.
    return bool(modes & _INVISIBLE_MODES) and bool(modes - _INVISIBLE_MODES)


def _hidden_chars(
    textpage: Any,
    page: Any,
    text: str,
    boxes: tuple[array[float], array[float], array[float], array[float]],
) -> list[bool] | None:
    """For each character whether it is hidden; None when none is."""
    raw = ctypes.cast(textpage.raw, ctypes.c_void_p)
    count = len(text)
    _, top, _, bottom = boxes
    values = _fill_colours(raw, range(count))
    objects = list(map(_text_object, repeat(raw, count), range(count)))
    modes = {obj: _render_mode(obj) for obj in set(objects) if obj}
    hidden = [False] * count
    doubtful: list[int] = []  # white or transparent: hidden unless there is ink behind
    invisible: list[int] = []
    visible = False
    spaces = _SPACE_CHARS
    for index, char in enumerate(text):
        if char in spaces:
            continue
        if abs(top[index] - bottom[index]) < _TINY_BOX and _font_size(textpage, index) < _TINY_FONT:
            hidden[index] = True
        elif modes.get(objects[index]) in _INVISIBLE_MODES:
            invisible.append(index)
        elif min(values[4 * index : 4 * index + 3]) >= _WHITE or values[4 * index + 3] < _FAINT:
            doubtful.append(index)
        else:
            visible = True
    if visible:
        doubtful = sorted(doubtful + invisible)
    if doubtful:
        ink = _Ink(page)
        for run in _runs(doubtful, text):
            if not ink.any_in(run, boxes):
                for index in run:
                    hidden[index] = True
    return hidden if any(hidden) else None


def _font_size(textpage: Any, index: int) -> float:
    """A character's font size on the page: the size its text object sets, scaled by the
    character's matrix."""
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetMatrix(textpage.raw, index, matrix):
        return float(_TINY_FONT)
    scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    return float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index) * scale)


def _runs(indexes: list[int], text: str) -> list[list[int]]:
    """`indexes` (ascending) in runs with nothing but spaces between neighbours."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and not text[runs[-1][-1] + 1 : index].strip():
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


class _Ink:
    """Where a page has ink: the page rendered in grey at 72 dpi, on the first question."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.pixels = b""
        self.width = self.height = self.stride = 0
        self.origin = (0.0, 0.0)
        self.axes = (0.0, 0.0, 0.0, 0.0)  # device x and y per page x, then per page y

    def _render(self) -> None:
        bitmap = self.page.render(scale=1, grayscale=True)
        self.width, self.height, self.stride = bitmap.width, bitmap.height, bitmap.stride
        self.pixels = bytes(bitmap.buffer)
        x, y = ctypes.c_int(), ctypes.c_int()
        points = []
        for page_x, page_y in ((0.0, 0.0), (1000.0, 0.0), (0.0, 1000.0)):
            pdfium_c.FPDF_PageToDevice(
                self.page.raw, 0, 0, self.width, self.height, 0, page_x, page_y, x, y
            )
            points.append((x.value, y.value))
        (ox, oy), (ax, ay), (bx, by) = points
        self.origin = (float(ox), float(oy))
        self.axes = ((ax - ox) / 1000, (ay - oy) / 1000, (bx - ox) / 1000, (by - oy) / 1000)

    def any_in(
        self,
        run: list[int],
        boxes: tuple[array[float], array[float], array[float], array[float]],
    ) -> bool:
        """Whether the middle of any character box of `run` has ink."""
        if not self.pixels:
            self._render()
        (ox, oy), (xx, xy, yx, yy) = self.origin, self.axes
        pixels, stride = self.pixels, self.stride
        left, top, right, bottom = boxes
        for index in run:
            # The middle half of the box: a neighbouring line's ink stays out.
            x_margin = (right[index] - left[index]) / 4
            y_margin = (top[index] - bottom[index]) / 4
            xs, ys = [], []
            for x in (left[index] + x_margin, right[index] - x_margin):
                for y in (bottom[index] + y_margin, top[index] - y_margin):
                    xs.append(ox + xx * x + yx * y)
                    ys.append(oy + xy * x + yy * y)
            x0, x1 = max(int(min(xs)), 0), min(int(max(xs)) + 1, self.width)
            y0, y1 = max(int(min(ys)), 0), min(int(max(ys)) + 1, self.height)
            for row in range(y0, y1):
                line = pixels[row * stride + x0 : row * stride + x1]
                if line and min(line) < _INK:
                    return True
        return False


def _without_hidden_chars(
    hidden: list[bool],
    text: str,
    boxes: tuple[array[float], array[float], array[float], array[float]],
) -> tuple[str, tuple[array[float], array[float], array[float], array[float]]]:
    """The page's text and boxes without the hidden characters. Of the spaces around a hidden
    stretch one run stays, a line end if there is one; none at the page's start or end."""
    spaces = _SPACE_CHARS
    keep: list[int] = []
    pending: list[list[int] | None] = []  # space runs since the last visible character; None: cut
    seen = False  # a visible character so far
    for index, char in enumerate(text):
        if char in spaces:
            if pending and pending[-1] is not None:
                pending[-1].append(index)
            else:
                pending.append([index])
        elif hidden[index]:
            pending.append(None)
        else:
            runs = [run for run in pending if run is not None]
            if len(runs) == len(pending):  # nothing hidden in between
                keep.extend(index for run in runs for index in run)
            elif seen and runs:
                keep.extend(next((run for run in runs if "\n" in _chars(text, run)), runs[0]))
            pending = []
            seen = True
            keep.append(index)
    for run in pending:
        if run is None:
            break
        keep.extend(run)
    get = [values.__getitem__ for values in boxes]
    kept_boxes = tuple(array("f", map(item, keep)) for item in get)
    return "".join(map(text.__getitem__, keep)), kept_boxes  # type: ignore[return-value]


def _chars(text: str, indexes: list[int]) -> str:
    return "".join(map(text.__getitem__, indexes))


def _page_text(
    textpage: Any, page_width: float, page: Any = None, f_gaps: list[float] | None = None
) -> str:
    """A page's text in reading order: PDFium's (content-stream) order with missing word
    spaces put back, and a two-column page read left column first; with `page`, without
    hidden text (see `_may_hide`)."""
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
    if page is not None and _may_hide(
        ctypes.cast(textpage.raw, ctypes.c_void_p), count, top, bottom
    ):
        hidden = _hidden_chars(textpage, page, text, (left, top, right, bottom))
        if hidden is not None:
            text, (left, top, right, bottom) = _without_hidden_chars(
                hidden, text, (left, top, right, bottom)
            )
            if not text:
                return ""
    inserts, segments = _split_words(text, left, top, right, bottom, f_gaps)
    spaced = _with_spaces(text, inserts)
    gutter = _gutter(segments, left, right, page_width)
    if gutter is None:
        return spaced
    return _two_columns(spaced, inserts, segments, right, gutter)


def _split_words(
    text: str,
    left: array[float],
    top: array[float],
    right: array[float],
    bottom: array[float],
    f_gaps: list[float] | None = None,
) -> tuple[list[int], list[tuple[int, int, bool]]]:
    """Where a word gap with no space character in the text precedes a character (the indexes
    of those characters); and the segments of the page: (start, end, ends_line) runs of
    characters on one line with no wide gap in them (what can belong to one column)."""
    inserts: list[int] = []
    cuts: list[int] = []
    last = -1  # the last character that is not a space, on this line (-1: none yet)
    last_right = 0.0
    spaces = _SPACE_CHARS
    hooked = _f_overhangs(text, left, top, right, bottom, [] if f_gaps is None else f_gaps)
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
            word_gap = 0.0 if hooked and text[last] == "f" else _WORD_GAP * height
            # the same line: the two glyphs overlap vertically
            if gap > word_gap and min(up, top[last]) > max(down, bottom[last]):
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


def _f_overhangs(
    text: str,
    left: array[float],
    top: array[float],
    right: array[float],
    bottom: array[float],
    gaps: list[float],
) -> bool:
    """Whether the letters after an "f" overlap it as a serif font's hook does: the median
    overlap, over five or more "f"s followed by a letter, past `_OVERHANG`. The samples of
    this page are added to `gaps`, which holds those of the document's pages before it (a
    short page has few "f"s, and the words that end in one weigh more there)."""
    index = text.find("f")
    while 0 <= index < len(text) - 1:
        if text[index + 1].isalpha():
            height = top[index + 1] - bottom[index + 1]
            if height > 0:
                gaps.append((left[index + 1] - right[index]) / height)
        index = text.find("f", index + 1)
    if len(gaps) < 5:
        return False
    return sorted(gaps)[len(gaps) // 2] < _OVERHANG


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
        names = archive.namelist()
        body = _read_member(archive, "word/document.xml").decode("utf-8", "replace")
        headers = [
            _read_member(archive, name).decode("utf-8", "replace")
            for name in sorted(names)
            if re.fullmatch(r"word/header\d*\.xml", name)
        ]
        styles = (
            _read_member(archive, "word/styles.xml").decode("utf-8", "replace")
            if "word/styles.xml" in names
            else ""
        )
        rels = (
            _read_member(archive, _DOCUMENT_RELS).decode("utf-8", "replace")
            if _DOCUMENT_RELS in names
            else ""
        )
        numbering = (
            _read_member(archive, "word/numbering.xml").decode("utf-8", "replace")
            if "word/numbering.xml" in names
            else ""
        )
    text = _word_text(body, headers, _WordStyles(styles, numbering))
    return Extracted(text=text, format="docx", links=_word_links(body, rels))


_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
# A hyperlink in the body: an element pointing at a relationship, or a field instruction.
_WORD_HYPERLINK = re.compile(
    r"<\w+:hyperlink\b[^>]*?\s\w+:id=\"([^\"]{1,100})\"|HYPERLINK\s+&quot;([^&<>\s]{1,2000})&quot;"
    r"|HYPERLINK\s+\"([^\"<>\s]{1,2000})\""
)


def _word_links(body: str, rels: str) -> list[str]:
    """The web addresses a Word body links to, in the order written: hyperlinks (their
    targets are in the relationships part, `rels`) and HYPERLINK fields."""
    targets = {}
    for match in _RELATIONSHIP.finditer(rels):
        attrs = _attrs(match.group(0))
        if attrs.get("Type", "").endswith("/hyperlink") and attrs.get("TargetMode") == "External":
            targets[attrs.get("Id", "")] = html.unescape(attrs.get("Target", ""))
    links: list[str] = []
    for match in _WORD_HYPERLINK.finditer(body):
        if len(links) >= _MAX_LINKS:
            break
        relationship, field = match.group(1), match.group(2) or match.group(3)
        target = targets.get(relationship, "") if relationship else html.unescape(field)
        markup.add_link(links, target)
    return links


def _word_text(body: str, headers: list[str], styles: _WordStyles) -> str:
    """Header texts (each once) then the body's, one line per paragraph or table cell."""
    # A coloured page background makes white text visible everywhere.
    background = _BACKGROUND.search(body, 0, max(body.find("body>"), 0))
    if background and not _near_white(_attrs(background.group(0)).get("color", "")):
        styles.colour_visible = True
    seen: set[str] = set()
    parts = []
    for header in headers:
        text = _word_xml_text(header, styles).strip()
        if text and text not in seen:
            seen.add(text)
            parts.append(text)
    parts.append(_word_xml_text(body, styles))
    return "\n".join(parts)


def _word_xml_text(xml: str, styles: _WordStyles | None = None) -> str:
    """WordprocessingML to text with a tokenizing regex: about 5x faster than ElementTree
    on a resume, and it does not care that a document is not well formed.

    With `styles`, hidden text (see `_WordStyles`) is left out: the tokenizer also stops at
    formatting that may hide text, and only then are the runs looked at one by one."""
    prefix = _prefix(xml)
    if prefix is None:
        return ""
    xml = _FALLBACK.sub("", xml)  # the VML copy of a text box that mc:Choice already holds
    lists = styles.lists if styles is not None else None
    if styles is not None:
        if styles.uses_hiding_style(xml):
            shown = _without_hidden(xml, prefix, styles)
            return _word_tokens(shown, prefix, hints=False, lists=lists) or ""
        text = _word_tokens(xml, prefix, hints=True, lists=lists)
        if text is None:
            shown = _without_hidden(xml, prefix, styles)
            return _word_tokens(shown, prefix, hints=False, lists=lists) or ""
        return text
    return _word_tokens(xml, prefix, hints=False) or ""


@functools.lru_cache(maxsize=16)
def _word_tokenizer(prefix: str, hints: bool, lists: bool = False) -> re.Pattern[str]:
    p = re.escape(prefix)
    pattern = (
        rf"<{p}t(?:\s[^>]*)?>([^<]*)</{p}t>|<{p}t\s*/>|</{p}p>|<{p}p\s*/>|<{p}(?:tab|br|cr)\b[^>]*>"
        rf"|</{p}t[rc]>|<{p}tr[\s>]|<{p}sym\b[^>]*>"
    )
    # Formatting that may hide text (as `_hidden_hint` finds it, in the same pass): group 2.
    hint = (
        rf"<{p}(vanish\b|color\s[^>]*?(?:val=\"(?:[Ff][0-9A-Fa-f]){{3}}\"|background1)"
        rf"|sz\s[^>]*?val=\"(?:[0-3]\"|[01](?:\.\d+)?pt\"))"
    )
    # A paragraph's style or list (groups 3 and 4): where list items take their bullet.
    listed = rf"<{p}(pStyle|numId)\s[^>]*?val=\"([^\"]*)\""
    if hints or lists:
        pattern += "|" + (hint if hints else "(?!)()")
    if lists:
        pattern += "|" + listed
    return re.compile(pattern)


def _word_tokens(
    xml: str, prefix: str, *, hints: bool, lists: _BulletLists | None = None
) -> str | None:
    """The text of WordprocessingML; None when `hints` and formatting that may hide text
    turns up. With `lists`, the items of bulleted lists open with "• ", as they show."""
    out: list[str] = []
    # Per open table row: where its text starts in `out`, then where each of its cells ends.
    rows: list[list[int]] = []
    bullet = -1  # where in `out` the current paragraph's bullet is
    for match in _word_tokenizer(prefix, hints, lists is not None).finditer(xml):
        text = match.group(1)
        if text is not None:
            out.append(html.unescape(text) if "&" in text else text)
            continue
        if lists is not None and match.lastindex == 4:
            kind, value = match.group(3), match.group(4)
            number = lists.style_number(value) if kind == "pStyle" else value
            if kind == "numId" or number:
                if number in lists.bullets and bullet < 0:
                    out.append("• ")
                    bullet = len(out) - 1
                elif number not in lists.bullets and bullet >= 0:
                    out[bullet] = ""  # the paragraph's own list overrides its style's
                    bullet = -1
            continue
        token = match.group(0)
        tag = token[len(prefix) + 1 : len(prefix) + 4]
        if token.startswith("</"):
            closed = token[len(prefix) + 2 : -1]
            if closed == "tc":
                if rows:
                    rows[-1].append(len(out))
            elif closed == "tr" and rows:
                _end_row(out, rows.pop())
            else:
                out.append("\n")
                bullet = -1
        elif token.endswith(f"<{prefix}p/>"):
            out.append("\n")
            bullet = -1
        elif tag.startswith("tr"):
            rows.append([len(out)])
        elif tag.startswith("tab"):
            out.append("\t")
        elif tag.startswith(("br", "cr")):
            out.append("\n")
        elif tag.startswith("sym"):
            out.append("•")
        elif hints and match.lastindex == 2:
            return None
    return "".join(out)


# What stands between the cells of a table row put on one line. A tab, as catdoc writes the
# cells of a .doc row and as a PDF's gap between them reads: normalize() makes it a space.
_CELL_SEPARATOR = "\t"
# A cell longer than this is a layout table's column even when it is one paragraph.
_SHORT_CELL = 200


def _short_cells(cells: list[str]) -> bool:
    return all(len(cell) <= _SHORT_CELL and "\n" not in cell for cell in cells)


def _end_row(out: list[str], row: list[int]) -> None:
    """End a table row whose text is `out[row[0]:]` and whose cells end at `row[1:]`. When
    every cell holds one short line at most ("Tagtoo | Taipei, Taiwan"), the row becomes one
    line of its cells, as a .doc or a PDF of the same resume reads; a cell with more lines or
    a long one is a layout table's column, and each of its paragraphs keeps its own line."""
    bounds = [*row, len(out)]
    cells = ["".join(out[start:end]).strip() for start, end in pairwise(bounds)]
    if not _short_cells(cells):
        out.append("\n")
        return
    del out[row[0] :]
    out.append(_CELL_SEPARATOR.join(cell for cell in cells if cell) + "\n")


def _prefix(xml: str) -> str | None:
    for namespace in _W_NAMESPACES:
        match = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
        if match:
            return match.group(1) + ":"
    return None


# --- hidden text in Word documents ----------------------------------------------------------------
#
# "White fonting": text an applicant tracking system reads but a person does not see, most often
# a block of keywords in a white 1-pt header paragraph. A run is hidden when its formatting (the
# document defaults, then the paragraph style, then the character style, each with its basedOn
# chain, then the run's own w:rPr) makes it w:vanish, smaller than 2 pt (w:sz below 4 half-points)
# or white / near-white where nothing dark is behind it: white on a shaded run, paragraph, table
# cell or table style, in a text box or shape, over a drawing behind the text or on a coloured
# page is visible and kept. A paragraph holding nothing but hidden text goes as a whole.

# Something that may hide text: w:vanish, a white or near-white colour, a tiny size. A part
# with none of them goes the fast way. (Patterns that open with a literal are scanned for fast;
# one alternation of them all is 15 times slower.)
_WHITE_HINT = re.compile(r'val="[Ff][0-9A-Fa-f][Ff][0-9A-Fa-f][Ff][0-9A-Fa-f]"')
_TINY_HINT = re.compile(r':sz\s[^>]*?val="(?:[0-3]"|[01](?:\.\d+)?pt")')


def _hidden_hint(xml: str) -> bool:
    return (
        "vanish" in xml
        or "background1" in xml
        or _WHITE_HINT.search(xml) is not None
        or _TINY_HINT.search(xml) is not None
    )


_ATTR = re.compile(r'(?:[\w.-]+:)?([\w.-]+)="([^"]*)"')
_RUN_PROPERTY = re.compile(r"<\w+:(vanish|color|sz|shd|highlight)\b([^>]*)>")
_BACKGROUND = re.compile(r":background\b[^>]*>")
# Text over a drawing or VML shape behind it may be white on a dark picture or band.
_BEHIND_TEXT = re.compile(r'behindDoc="(?:1|true|on)"|<\w+:pict\b')
_STYLE_PREFIX = re.compile(r"<(\w+):style\b")
_CHANGE = re.compile(r"<(\w+):([rp]PrChange)\b.*?</\1:\2>", re.S)
_STYLE_RPR = re.compile(r"<(\w+):rPr>(.*?)</\1:rPr>", re.S)
_STYLE_PPR = re.compile(r"<(\w+):pPr>(.*?)</\1:pPr>", re.S)
_BASED_ON = re.compile(r"<\w+:basedOn\b[^>]*\bval=\"([^\"]*)\"")
_DOC_DEFAULT_RPR = re.compile(r"<(\w+):rPrDefault>(.*?)</\1:rPrDefault>", re.S)
_SHADING = re.compile(r"<\w+:shd\b[^>]*>")
_UNITS = {"pt": 2.0, "in": 144.0, "mm": 144 / 25.4, "cm": 144 / 2.54, "pc": 24.0, "pi": 24.0}
_OFF = ("0", "false", "off")

Props = dict[str, Any]


def _attrs(tag: str) -> dict[str, str]:
    """A tag's attributes by local name."""
    return dict(_ATTR.findall(tag))


def _style_elements(xml: str) -> Iterator[tuple[str, str]]:
    """(start tag, body) of each w:style of a styles part. Found with str.find: a styles part
    runs to 300 KB, which a lazy pattern up to each closing tag reads in 7 ms."""
    first = _STYLE_PREFIX.search(xml)
    if first is None:
        return
    opening, closing = f"<{first.group(1)}:style", f"</{first.group(1)}:style>"
    position = first.start()
    while position >= 0:
        tag_end = xml.find(">", position)
        if tag_end < 0:
            return
        tag = xml[position + len(opening) : tag_end]
        if tag[:1] not in (" ", "\t", "\r", "\n", "/", ""):  # "<w:styles>", "<w:styleId"
            position = xml.find(opening, position + 1)
            continue
        if tag.endswith("/"):
            body, after = "", tag_end + 1
        else:
            end = xml.find(closing, tag_end)
            if end < 0:
                return
            body, after = xml[tag_end + 1 : end], end + len(closing)
        yield tag, body
        position = xml.find(opening, after)


def _near_white(color: str) -> bool:
    """An RRGGBB colour each of whose channels is at least 0xF0: unreadable on white."""
    if len(color) != 6:
        return False
    try:
        return all(int(color[i : i + 2], 16) >= 0xF0 for i in (0, 2, 4))
    except ValueError:
        return False


def _half_points(value: str) -> float | None:
    """A w:sz value (half-points, or a measure with a unit in strict OOXML) in half-points."""
    unit = value[-2:]
    try:
        if unit in _UNITS:
            return float(value[:-2]) * _UNITS[unit]
        return float(value)
    except ValueError:
        return None


def _shaded(tag: str, name: str = "shd") -> bool:
    """Whether a w:shd (or w:highlight) puts something darker than near-white behind text."""
    attrs = _attrs(tag)
    if name == "highlight":
        return attrs.get("val", "none") not in ("none", "white")
    fill = attrs.get("fill", "auto")
    if fill not in ("auto", "") and not _near_white(fill):
        return True
    pattern = attrs.get("val", "clear")
    # A pattern (solid, pct50, ...) draws its colour ("auto" is black) over the fill.
    return pattern not in ("clear", "nil", "") and not _near_white(attrs.get("color", "auto"))


def _run_props(fragment: str) -> Props:
    """The formatting that can hide a run, from the inside of a w:rPr: "vanish" (bool),
    "white" (bool), "size" (half-points), "shaded" (bool)."""
    props: Props = {}
    for name, rest in _RUN_PROPERTY.findall(fragment):
        attrs = dict(_ATTR.findall(rest))
        if name == "vanish":
            props["vanish"] = attrs.get("val", "1").lower() not in _OFF
        elif name == "color":
            theme = attrs.get("themeColor", "")
            if theme and theme not in ("none",):
                light = theme in ("background1", "light1")
                props["white"] = light and "themeShade" not in attrs
            else:
                props["white"] = _near_white(attrs.get("val", ""))
        elif name == "sz":
            size = _half_points(attrs.get("val", ""))
            if size is not None:
                props["size"] = size
        else:
            props["shaded"] = _shaded(rest, name)
    return props


def _hides(props: Props) -> bool:
    """Whether formatting hides a run wherever it is (white aside, which depends on what is
    behind it)."""
    return bool(props.get("vanish")) or props.get("size", 22.0) < 4.0


class _WordStyles:
    """A document's styles (word/styles.xml, or the w:styles of a Word 2003 XML file), read
    only when something in them or in a part may hide text."""

    def __init__(self, xml: str, numbering: str = "") -> None:
        self.xml = xml
        self.hinted = bool(xml) and _hidden_hint(xml)
        self.lists = _bullet_lists(self, numbering) if numbering else None
        # White text is visible everywhere (a coloured page background).
        self.colour_visible = False
        self._parsed = False
        self.defaults: Props = {}
        self.default_paragraph = ""
        self.paragraph: dict[str, Props] = {}  # style id: run formatting it gives
        self.paragraph_shaded: dict[str, bool] = {}
        self.character: dict[str, Props] = {}
        self.shaded_tables: set[str] = set()
        self.suspects: list[str] = []  # style ids whose formatting may hide text
        self._cache: dict[tuple[str, str], Props] = {}

    @functools.cached_property
    def elements(self) -> list[tuple[dict[str, str], str]]:
        """(attributes, body) of each style element, read once for hidden text and lists."""
        return [(_attrs(tag), body) for tag, body in _style_elements(self.xml)]

    def uses_hiding_style(self, xml: str) -> bool:
        """Whether a part uses a style that may hide text (cheap)."""
        if not self.hinted:
            return False
        self._parse()
        if self.default_paragraph in self.suspects:
            return True
        return any(f'val="{style}"' in xml for style in self.suspects)

    def run(self, paragraph_style: str, character_style: str) -> Props:
        """The formatting a run gets from the document defaults and its styles."""
        key = (paragraph_style, character_style)
        props = self._cache.get(key)
        if props is None:
            self._parse()
            props = {
                **self.defaults,
                **self.paragraph.get(paragraph_style or self.default_paragraph, {}),
                **self.character.get(character_style, {}),
            }
            self._cache[key] = props
        return props

    def _parse(self) -> None:
        if self._parsed:
            return
        self._parsed = True
        xml = self.xml
        defaults = _DOC_DEFAULT_RPR.search(xml)
        self.defaults = _run_props(defaults.group(2)) if defaults else {}
        styles: dict[str, tuple[str, str, Props, bool]] = {}  # id: type, basedOn, rPr, shaded
        for attrs, body in self.elements:
            if "PrChange" in body:
                body = _CHANGE.sub("", body)
            style_id, kind = attrs.get("styleId", ""), attrs.get("type", "paragraph")
            if kind == "table":
                if any(map(_shaded, _SHADING.findall(body))):
                    self.shaded_tables.add(style_id)
                continue
            if kind == "paragraph" and attrs.get("default", "").lower() in ("1", "on", "true"):
                self.default_paragraph = style_id
            based = _BASED_ON.search(body)
            rpr = _STYLE_RPR.search(body)
            ppr = _STYLE_PPR.search(body)
            styles[style_id] = (
                kind,
                based.group(1) if based else "",
                _run_props(rpr.group(2)) if rpr else {},
                any(map(_shaded, _SHADING.findall(ppr.group(2)))) if ppr else False,
            )
        for style_id, (kind, *_) in styles.items():
            chain: list[str] = []
            current = style_id
            while current in styles and current not in chain and len(chain) < 30:
                chain.append(current)
                current = styles[current][1]
            props: Props = {}
            for ancestor in reversed(chain):
                props.update(styles[ancestor][2])
            if kind == "paragraph":
                self.paragraph[style_id] = props
                self.paragraph_shaded[style_id] = any(styles[a][3] for a in chain)
            elif kind == "character":
                self.character[style_id] = props
            merged = {**self.defaults, **props}
            if _hides(merged) or merged.get("white"):
                self.suspects.append(style_id)


class _BulletLists:
    """Which lists of a Word document are bulleted (their first level's format is "bullet"),
    and which paragraph styles put a paragraph in a list ("List Paragraph" may). Styles are
    looked up as paragraphs name them: a styles part is large, a resume uses a few."""

    def __init__(self, bullets: frozenset[str], styles: _WordStyles) -> None:
        self.bullets = bullets  # numIds
        self.styles = styles
        self._numbers: dict[str, str] = {}
        self._bodies: dict[str, str] | None = None  # paragraph style id: its element's body

    def style_number(self, style_id: str) -> str:
        """The numId a paragraph style's chain gives ("" for none, "0" for "no list")."""
        number = self._numbers.get(style_id)
        if number is None:
            number = self._numbers[style_id] = self._resolve(style_id)
        return number

    def _resolve(self, style_id: str) -> str:
        if self._bodies is None:
            self._bodies = {}
            for attrs, element in self.styles.elements:
                if attrs.get("type", "paragraph") == "paragraph":
                    self._bodies[attrs.get("styleId", "")] = element
        current = style_id
        for _ in range(30):
            if current not in self._bodies:
                return ""
            body = self._bodies[current]
            if "PrChange" in body:
                body = _CHANGE.sub("", body)
            ppr = _STYLE_PPR.search(body)
            listed = _NUM_ID.search(ppr.group(2)) if ppr else None
            if listed:
                return listed.group(1)
            based = _BASED_ON.search(body)
            if based is None:
                return ""
            current = based.group(1)
        return ""


_ABSTRACT_NUM = re.compile(
    r"<(\w+):abstractNum\b[^>]*?abstractNumId=\"([^\"]*)\"[^>]*>(.*?)</\1:abstractNum>", re.S
)
_FIRST_LEVEL = re.compile(r"<(\w+):lvl\b[^>]*?ilvl=\"0\"[^>]*>(.*?)</\1:lvl>", re.S)
_NUM_FORMAT = re.compile(r"<\w+:numFmt\b[^>]*?val=\"([^\"]*)\"")
_NUM = re.compile(r"<(\w+):num\b[^>]*?numId=\"([^\"]*)\"[^>]*>(.*?)</\1:num>", re.S)
_ABSTRACT_REF = re.compile(r"<\w+:abstractNumId\b[^>]*?val=\"([^\"]*)\"")
_NUM_ID = re.compile(r"<\w+:numId\b[^>]*?val=\"([^\"]*)\"")


def _bullet_lists(styles: _WordStyles, numbering: str) -> _BulletLists | None:
    """The document's bulleted lists; None when it has none."""
    bulleted = set()
    for match in _ABSTRACT_NUM.finditer(numbering):
        level = _FIRST_LEVEL.search(match.group(3))
        number_format = _NUM_FORMAT.search(level.group(2)) if level else None
        if number_format and number_format.group(1) == "bullet":
            bulleted.add(match.group(2))
    bullets = frozenset(
        match.group(2)
        for match in _NUM.finditer(numbering)
        if (ref := _ABSTRACT_REF.search(match.group(3))) and ref.group(1) in bulleted
    )
    return _BulletLists(bullets, styles) if bullets else None


_WORD_ELEMENTS = (
    "p|r|tc|tbl|txbxContent|pPr|rPr|tcPr|tblPr|pPrChange|rPrChange|tcPrChange|tblPrChange"
    "|t|pStyle|rStyle|tblStyle|vanish|color|sz|shd|highlight"
)
_RUN_PROPS = frozenset(("vanish", "color", "sz", "shd", "highlight"))


def _word_elements(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){re.escape(prefix)}({_WORD_ELEMENTS})(?=[\s/>])([^>]*?)(/?)>")


class _Frame:
    """An open element while looking for hidden runs."""

    __slots__ = ("hidden", "kept", "name", "nested", "props", "shaded", "start", "style", "text")

    def __init__(self, name: str, start: int) -> None:
        self.name = name
        self.start = start
        self.style = ""
        self.props: Props = {}
        self.shaded = False  # something dark behind this element's text
        self.text = False  # a run's own text (w:t with content, tab, break)
        self.hidden = False  # a paragraph with hidden text
        self.kept = False  # a paragraph with visible text
        self.nested = False  # a run holding paragraphs (a text box): never taken out


def _without_hidden(xml: str, prefix: str, styles: _WordStyles) -> str:
    """`xml` without its hidden runs, and without paragraphs that only hold hidden text."""
    colour_visible = styles.colour_visible or _BEHIND_TEXT.search(xml) is not None
    stack: list[_Frame] = []
    shaded = 0  # open elements with something dark behind their text
    cuts: list[tuple[int, int]] = []
    for match in _word_elements(prefix).finditer(xml):
        closing, name, rest, empty = match.groups()
        if closing:
            if name in _RUN_PROPS or not any(frame.name == name for frame in stack):
                continue
            while stack:
                frame = stack.pop()
                if frame.shaded and frame.name != "p":
                    shaded -= 1
                if frame.name == name:
                    break
            if name == "r":
                _close_run(frame, stack, styles, shaded > 0 or colour_visible, match.end(), cuts)
            elif name == "p":
                kept = frame.kept or not frame.hidden
                if not kept:
                    cuts.append((frame.start, match.end()))
                elif frame.kept:
                    _mark_kept(stack)
            continue
        parent = stack[-1] if stack else None
        if name in _RUN_PROPS or name in ("pStyle", "rStyle", "tblStyle"):
            if parent is None or len(stack) < 2:
                continue
            owner = stack[-2]
            if parent.name == "rPr" and owner.name == "r":
                if name == "rStyle":
                    owner.style = _attrs(rest).get("val", "")
                elif name in _RUN_PROPS:
                    owner.props.update(_run_props(match.group(0)))
            elif parent.name == "pPr" and owner.name == "p":
                if name == "pStyle":
                    owner.style = _attrs(rest).get("val", "")
                elif name == "shd":
                    owner.shaded = owner.shaded or _shaded(match.group(0))
            elif parent.name in ("tcPr", "tblPr") and owner.name in ("tc", "tbl"):
                dark = (
                    _shaded(match.group(0))
                    if name == "shd"
                    else name == "tblStyle" and _attrs(rest).get("val", "") in styles.shaded_tables
                )
                if dark and not owner.shaded:
                    owner.shaded = True
                    shaded += 1
            continue
        if name == "t":
            if parent is not None and parent.name == "r" and not empty:
                parent.text = xml[match.end() : match.end() + 1] not in ("<", "")
            continue
        if empty:
            continue
        frame = _Frame(name, match.start())
        if name == "txbxContent":
            frame.shaded = True
            shaded += 1
        elif name == "p":
            for outer in reversed(stack):
                if outer.name == "r":
                    outer.nested = True
                    break
        stack.append(frame)
    if not cuts:
        return xml
    cuts.sort()
    out = []
    position = 0
    for start, end in cuts:
        if start >= position:
            out.append(xml[position:start])
            position = end
    out.append(xml[position:])
    return "".join(out)


def _close_run(
    run: _Frame,
    stack: list[_Frame],
    styles: _WordStyles,
    behind: bool,
    end: int,
    cuts: list[tuple[int, int]],
) -> None:
    """Take a hidden run out (into `cuts`) and tell its paragraph what it held."""
    paragraph = next((frame for frame in reversed(stack) if frame.name == "p"), None)
    if not run.text:
        return
    props = {**styles.run(paragraph.style if paragraph else "", run.style), **run.props}
    if paragraph is not None:
        style = paragraph.style or styles.default_paragraph
        behind = behind or paragraph.shaded or styles.paragraph_shaded.get(style, False)
    hidden = _hides(props) or (bool(props.get("white")) and not behind and not props.get("shaded"))
    if hidden and not run.nested:
        cuts.append((run.start, end))
        if paragraph is not None:
            paragraph.hidden = True
    elif paragraph is not None:
        paragraph.kept = True


def _mark_kept(stack: list[_Frame]) -> None:
    """A kept paragraph inside another (in a text box) keeps that one too."""
    for frame in reversed(stack):
        if frame.name == "p":
            frame.kept = True
            return


_PKG_PART = re.compile(
    r'<pkg:part\b[^>]*pkg:name="(/word/(?:document|header\d*|styles|numbering|_rels/document)\.xml(?:\.rels)?)"[^>]*>(.*?)</pkg:part>',
    re.S,
)
_WORD2003_STYLES = re.compile(r"<(\w+):styles>.*?</\1:styles>", re.S)


def _wordxml(data: bytes, max_pages: int) -> Extracted:
    """Word 2003 XML (w:wordDocument) or a flat OPC package (pkg:package, Word 2007+ "XML
    Document"): one XML file, the same w:p / w:t vocabulary."""
    xml = _decode(data)
    parts = dict(_PKG_PART.findall(xml))
    if parts:
        headers = [part for name, part in sorted(parts.items()) if "header" in name]
        body = parts.get("/word/document.xml", "")
        styles = _WordStyles(
            parts.get("/word/styles.xml", ""), parts.get("/word/numbering.xml", "")
        )
        links = _word_links(body, parts.get("/" + _DOCUMENT_RELS, ""))
        return Extracted(text=_word_text(body, headers, styles), format="wordxml", links=links)
    match = _WORD2003_STYLES.search(xml)
    styles = _WordStyles(match.group(0) if match else "")
    return Extracted(text=_word_text(xml, [], styles), format="wordxml")


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
    links: list[str] = []
    for anchor in root.iter(f"{_T}a"):
        markup.add_link(links, anchor.get(_XLINK_HREF, ""))
        if len(links) >= _MAX_LINKS:
            break
    return Extracted(text="".join(out), format="odt", links=links)


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


_T = f"{{{_TEXT_NS}}}"
_ODT_SKIP = {
    f"{_T}tracked-changes",
    f"{_T}note",
    f"{{{_OFFICE_NS}}}annotation",
    f"{_T}sequence-decls",
    f"{_T}table-of-content-source",
}
_ODT_BLOCKS = {f"{_T}p", f"{_T}h"}
_ODT_ROW = f"{{{_TABLE_NS}}}table-row"


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
    elif tag == _ODT_ROW:
        _odt_row(element, out, depth)
        return
    if element.text:
        out.append(element.text)
    for child in element:
        _odt_walk(child, out, depth + 1)
        if child.tail:
            out.append(child.tail)
    if tag in _ODT_BLOCKS:
        out.append("\n")


def _odt_row(element: ElementTree.Element, out: list[str], depth: int) -> None:
    """A table row: one line of its cells when none holds more than one line, else each
    cell's paragraphs on their own lines (see `_end_row`)."""
    cells: list[str] = []
    for child in element:
        cell: list[str] = []
        _odt_walk(child, cell, depth + 1)
        cells.append("".join(cell))
    texts = [cell.strip() for cell in cells]
    if not _short_cells(texts):
        out.extend(cells)
        out.append("\n")
    else:
        out.append(_CELL_SEPARATOR.join(text for text in texts if text) + "\n")


# --- DOC ----------------------------------------------------------------------------------------


# catdoc prints the instructions of Word fields along with their results, and each of the
# field's three marks (begin, separator, end) as a space: X<begin> HYPERLINK "url" <sep>result<end>Y
# comes out as 'X  HYPERLINK "url"  result Y' (Word puts a space before the instruction).
_FIELD_CODE = re.compile(
    r' {0,2}\b(?:HYPERLINK|INCLUDEPICTURE|PAGEREF|REF)\s+(?:\\\w\s+)*(?:"([^"\n]*)"|_\w+)'
    r'(?:\s+\\\w(?:\s+"[^"\n]*")?)* {0,2}'
)


def strip_field_codes(text: str) -> str:
    """catdoc's text without field instructions and the spaces it writes for field marks: the
    two before an instruction (its begin mark's, Word's own) and the two after it; and the end
    mark's after a result that is the link or its start ("https://<field>blog.example.com") or
    an e-mail link's address. Where other results end is not known, and a space too many
    there does no harm; "m<field>157q@example.com" stays one word."""
    out = []
    position = 0
    for match in _FIELD_CODE.finditer(text):
        if match.start() < position:
            continue
        out.append(text[position : match.start()])
        position = match.end()
        target = (match.group(1) or "").lower()
        for shown in (target, target.removeprefix("mailto:")):
            shown_here = text[position : position + len(shown)].lower()
            size = len(os.path.commonprefix([shown_here, shown]))  # noqa: RUF071 - text
            after = text[position + size : position + size + 1]
            if (size == len(shown) or size >= 4) and after == " ":
                out.append(text[position : position + size])
                position += size + 1
                break
    out.append(text[position:])
    return "".join(out)


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
            text = strip_field_codes(output.decode("utf-8", "replace"))
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

    raw = data.decode("latin-1")
    text: str = rtf_to_text(strip_rtf_groups(raw), errors="ignore")  # type: ignore[no-untyped-call]
    return Extracted(text=text, format="rtf", links=_field_links(raw))


# A hyperlink field's instruction, in RTF ({\field{\*\fldinst{HYPERLINK "https://…"}}…}) and
# in WordprocessingML (<w:instrText> HYPERLINK "https://…" </w:instrText>).
_FIELD_HYPERLINK = re.compile(r'HYPERLINK\s+"([^"\\{}<>\s]{1,2000})"')


def _field_links(source: str) -> list[str]:
    links: list[str] = []
    if "HYPERLINK" not in source:
        return links
    for match in _FIELD_HYPERLINK.finditer(source):
        if len(links) >= _MAX_LINKS:
            break
        markup.add_link(links, html.unescape(match.group(1)))
    return links


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


# Pandoc's default e-mail obfuscation in HTML: a script writes the mailto link from
# character-referenced parts (its <noscript> says "name at example dot org").
_PANDOC_EMAIL = re.compile(r"h='([^']*)';a='([^']*)';n='([^']*)';e=n\+a\+h;")


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []
        self.skip = 0
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.script = tag == "script"
        if tag == "a" and len(self.links) < _MAX_LINKS:
            markup.add_link(self.links, dict(attrs).get("href") or "")
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
        self.script = False
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.script:
            match = _PANDOC_EMAIL.search(data)
            if match:
                domain, at, name = (html.unescape(part) for part in match.groups())
                self.out.append(name + at + domain)
        if not self.skip:
            # In HTML a line break in the source is just a space.
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, block elements on their own lines."""
    return _html_text(markup)[0]


def _html_text(markup: str) -> tuple[str, list[str]]:
    """`html_to_text`, and the web addresses the document's links point to."""
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    # Nested blocks (<div><p>) give several breaks where one line ends.
    return re.sub(r"\n[ \n]*\n", "\n", "".join(parser.out)), parser.links


def _html(data: bytes, max_pages: int) -> Extracted:
    text, links = _html_text(_decode(data, html=True))
    return Extracted(text=text, format="html", links=links)


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
    text = _decode(data)
    if markup.looks_marked_up(text):  # resume.md, an AsciiDoc export
        plain, links = markup.to_plain(text)
        return Extracted(text=plain, format="txt", links=links)
    return Extracted(text=text, format="txt")


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
