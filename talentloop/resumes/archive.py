"""The documents in an uploaded zip, safely. No Django.

`expand_zip(data)` yields one `Member` per file worth reading, in archive order: its name
and bytes, or why it was skipped. Nothing is written to disk, so a member called
"../../etc/passwd" cannot land anywhere; such names are refused anyway, so a caller that
does write stays safe.

Sizes are checked against the bytes actually inflated while streaming, never the sizes the
zip's headers claim (a bomb lies about those), and so is each member's compression ratio.
One bad member is reported and the others go on; an archive that is not a zip at all, or
has too many members, raises `ArchiveError`.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
# Resumes compress 2-10x; a ratio past this is a bomb. Small members are exempt: a few KB of
# text can legitimately compress far better.
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


class ArchiveError(Exception):
    """The archive as a whole cannot be read. `code`: "corrupt", "too_many_members",
    "too_large", "archive_bomb"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Member:
    """A file in the archive: `data` when it was read, else `error` (and `code`) says why not."""

    name: str
    data: bytes = b""
    code: str = ""  # "", "unsafe_name", "nested_archive", "too_large", "archive_bomb", "corrupt"
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.code


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def safe_name(name: str) -> str | None:
    """`name` as a clean relative path, or None when it is absolute or climbs out ("..")."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        return None
    parts = name.split("/")
    if ".." in parts:
        return None
    cleaned = posixpath.normpath(name)
    return None if cleaned in ("", ".") or cleaned.startswith("../") else cleaned


def _skipped(name: str) -> bool:
    """Resource forks, dotfiles and OS clutter nobody means to upload."""
    parts = name.split("/")
    return (
        parts[0] == "__MACOSX"
        or any(part.startswith(".") for part in parts)
        or parts[-1] in ("Thumbs.db", "desktop.ini")
    )


def expand_zip(
    data: bytes,
    *,
    max_members: int = MAX_MEMBERS,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: int = MAX_RATIO,
) -> Iterator[Member]:
    """Each file of the zip `data` as a Member, directories, dotfiles and __MACOSX/ left out.

    Raises ArchiveError when `data` is not a readable zip, has more than `max_members`
    entries, or inflates past `max_total_bytes` in all (the rest is then not read).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ArchiveError("corrupt", f"The zip file is damaged ({error}).") from error
    with archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise ArchiveError(
                "too_many_members",
                f"The zip holds {len(infos)} files; at most {max_members} are read.",
            )
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = safe_name(info.filename)
            if name is None:
                yield Member(
                    info.filename,
                    code="unsafe_name",
                    error="Refused: the name points outside the archive.",
                )
                continue
            if _skipped(name):
                continue
            if name.lower().endswith((".zip", ".7z", ".rar", ".tar", ".gz", ".tgz")):
                yield Member(
                    name, code="nested_archive", error="A zip inside the zip is not opened."
                )
                continue
            member = _read(
                archive, info, name, max_member_bytes, max_ratio, max_total_bytes - total
            )
            total += len(member.data)
            if member.ok and is_zip(member.data) and not _is_office_zip(member.data):
                yield Member(
                    name, code="nested_archive", error="A zip inside the zip is not opened."
                )
                continue
            yield member


def _read(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    max_member_bytes: int,
    max_ratio: int,
    total_left: int,
) -> Member:
    chunks = []
    size = 0
    compressed = max(info.compress_size, 1)
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > total_left:
                    raise ArchiveError(
                        "too_large", "The zip inflates past the size limit; the rest is not read."
                    )
                if size > max_member_bytes:
                    return Member(
                        name,
                        code="too_large",
                        error=f"Over {max_member_bytes / 1e6:.0f} MB uncompressed; skipped.",
                    )
                if size > RATIO_GRACE_BYTES and size / compressed > max_ratio:
                    return Member(
                        name,
                        code="archive_bomb",
                        error="Compressed suspiciously well (a zip bomb?); skipped.",
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as error:
        # RuntimeError: an encrypted member ("password required").
        return Member(name, code="corrupt", error=f"Cannot be read ({error}).")
    return Member(name, b"".join(chunks))


def _is_office_zip(data: bytes) -> bool:
    """DOCX, ODT and friends are zips too; those are documents, not nested archives."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            names = set(inner.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return True  # a damaged document: let extraction say so
    return "[Content_Types].xml" in names or "mimetype" in names
