"""A PDF file from its objects: the one writer behind the demo resumes, the bad-input bench's
encrypted files and the tests' scanned pages (no PDF library writes what those need)."""

from __future__ import annotations


def pdf_file(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """`objects` numbered from 1 (object 1 must be the catalog), a cross-reference table and
    a trailer, with `trailer` added to its dictionary (e.g. b"/Encrypt 5 0 R")."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    extra = b" " + trailer if trailer else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        extra,
        xref,
    )
    return bytes(out)


def stream(content: bytes, dictionary: bytes = b"") -> bytes:
    """A stream object's body: `dictionary` entries, its length, and `content`."""
    return b"<< %s/Length %d >>\nstream\n%s\nendstream" % (
        dictionary + b" " if dictionary else b"",
        len(content),
        content,
    )
