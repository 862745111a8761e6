"""Hostile and broken resume files for `bench parse --bad-input`: real files truncated,
bit-flipped, renamed, emptied, plus encrypted PDFs, zip bombs, a DOCX bomb and 100 MB files.
Deterministic for a seed, and made in memory (nothing is written to the repository)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from talentloop.core import pdf

# How many of each kind make up the default 200 (the rest are truncated or bit-flipped).
FIXED_KINDS = {
    "empty": 10,
    "wrong_extension": 20,
    "encrypted_pdf": 15,
    "zip_bomb": 8,
    "docx_bomb": 8,
    "random_binary": 5,
    "huge_100mb": 2,
}
EXTENSIONS = (".pdf", ".docx", ".doc", ".rtf", ".odt", ".html", ".txt")


@dataclass(frozen=True, slots=True)
class Mutant:
    kind: str
    name: str
    data: bytes


def _encrypted_pdf(rng: random.Random) -> bytes:
    """A one-page PDF with a Standard security handler and an unknown user password."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        pdf.stream(b"BT /F1 11 Tf 72 720 Td (Secret resume) Tj ET"),
        b"<< /Filter /Standard /V 1 /R 2 /P -44 /O <%s> /U <%s> >>"
        % (rng.randbytes(32).hex().encode(), rng.randbytes(32).hex().encode()),
    ]
    file_id = rng.randbytes(16).hex().encode()
    return pdf.pdf_file(objects, trailer=b"/Encrypt 5 0 R /ID [<%s> <%s>]" % (file_id, file_id))


def _zip_bomb(size: int) -> bytes:
    """A zip whose members inflate to `size` bytes of zeros each (about 1,000:1)."""
    buffer = io.BytesIO()
    chunk = b"\x00" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            with archive.open(f"resume-{index}.pdf", "w", force_zip64=True) as member:
                for _ in range(size >> 20):
                    member.write(chunk)
    return buffer.getvalue()


def _docx_bomb(size: int) -> bytes:
    """A DOCX whose word/document.xml inflates to `size` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>')
            filler = b"A" * (1 << 20)
            for _ in range(size >> 20):
                member.write(filler)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def mutants(sources: Sequence[Path], *, count: int = 200, seed: int = 2026) -> Iterator[Mutant]:
    """`count` bad files made from `sources` (real resumes in every format). Each is built
    when it is reached, so two 100 MB files are never in memory at once."""
    rng = random.Random(seed)
    originals = [(path.name, path.read_bytes()) for path in sources]
    fixed = [kind for kind, n in FIXED_KINDS.items() for _ in range(n)]
    kinds = fixed + [
        "truncated" if i % 2 == 0 else "bit_flipped" for i in range(max(0, count - len(fixed)))
    ]
    bomb_cache: dict[str, bytes] = {}
    for index, kind in enumerate(kinds[:count]):
        name, data = originals[index % len(originals)]
        stem, suffix = Path(name).stem, Path(name).suffix
        if kind == "truncated":
            cut = rng.randint(1, max(1, len(data) - 1))
            yield Mutant(kind, f"{index:03d}-truncated-{name}", data[:cut])
        elif kind == "bit_flipped":
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 50)):
                position = rng.randrange(len(flipped))
                flipped[position] ^= 1 << rng.randrange(8)
            yield Mutant(kind, f"{index:03d}-flipped-{name}", bytes(flipped))
        elif kind == "empty":
            yield Mutant(kind, f"{index:03d}-empty{suffix}", b"" if index % 2 else b" \n\t\n")
        elif kind == "wrong_extension":
            other = rng.choice([e for e in EXTENSIONS if e != suffix])
            yield Mutant(kind, f"{index:03d}-{stem}{other}", data)
        elif kind == "encrypted_pdf":
            yield Mutant(kind, f"{index:03d}-encrypted.pdf", _encrypted_pdf(rng))
        elif kind == "zip_bomb":
            bomb = bomb_cache.setdefault(kind, _zip_bomb(256 << 20))
            yield Mutant(kind, f"{index:03d}-bomb.zip", bomb)
        elif kind == "docx_bomb":
            bomb = bomb_cache.setdefault(kind, _docx_bomb(256 << 20))
            yield Mutant(kind, f"{index:03d}-bomb.docx", bomb)
        elif kind == "random_binary":
            yield Mutant(kind, f"{index:03d}-random.pdf", rng.randbytes(rng.randint(10, 200_000)))
        elif kind == "huge_100mb":
            yield Mutant(kind, f"{index:03d}-huge{suffix}", data + rng.randbytes(100 << 20))
