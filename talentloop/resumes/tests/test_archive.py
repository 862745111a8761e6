"""Safe zip expansion: names, sizes measured while inflating, bombs, nesting, bad members."""

from __future__ import annotations

import io
import zipfile

import pytest

from talentloop.resumes.archive import ArchiveError, expand_zip, safe_name


def zip_of(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def docx_bytes() -> bytes:
    return zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def test_members_in_order_with_clutter_skipped():
    data = zip_of(
        {
            "cvs/ada.pdf": b"%PDF-1.4 a",
            "__MACOSX/cvs/._ada.pdf": b"x",
            ".DS_Store": b"x",
            "cvs/.hidden.txt": b"x",
            "cvs/": b"",
            "bob.docx": docx_bytes(),
        }
    )
    members = list(expand_zip(data))
    assert [(m.name, m.ok) for m in members] == [("cvs/ada.pdf", True), ("bob.docx", True)]
    assert members[0].data == b"%PDF-1.4 a"


@pytest.mark.parametrize(
    "name", ["../evil.pdf", "a/../../evil.pdf", "/etc/passwd", "C:/x.pdf", "a\\..\\..\\x.pdf"]
)
def test_zip_slip_names_refused(name):
    assert safe_name(name) is None
    members = list(expand_zip(zip_of({name: b"x", "ok.pdf": b"y"})))
    assert [(m.name, m.code) for m in members] == [(name, "unsafe_name"), ("ok.pdf", "")]


def test_safe_name_cleans():
    assert safe_name("a/./b.pdf") == "a/b.pdf"
    assert safe_name("a\\b.pdf") == "a/b.pdf"


def test_nested_zip_reported_not_expanded():
    inner = zip_of({"x.pdf": b"x"})
    members = list(expand_zip(zip_of({"inner.zip": inner, "renamed.pdf": inner})))
    assert [m.code for m in members] == ["nested_archive", "nested_archive"]
    assert all(m.data == b"" for m in members)


def test_bomb_member_refused_by_inflated_bytes():
    bomb = b"\0" * (20 * 1024 * 1024)
    members = list(expand_zip(zip_of({"bomb.txt": bomb, "ok.txt": b"fine"})))
    assert [(m.name, m.code) for m in members] == [("bomb.txt", "archive_bomb"), ("ok.txt", "")]


def test_member_size_limit_uses_actual_bytes():
    # Stored (not compressed): the ratio is 1, only the size limit can stop it.
    data = zip_of({"big.txt": b"x" * 3000, "ok.txt": b"y"}, method=zipfile.ZIP_STORED)
    members = list(expand_zip(data, max_member_bytes=2000))
    assert [m.code for m in members] == ["too_large", ""]


def test_lying_header_does_not_help():
    data = bytearray(zip_of({"a.txt": b"x" * 5000}, method=zipfile.ZIP_STORED))
    # Claim a tiny uncompressed size in both headers; zipfile reads what is there.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    members = list(expand_zip(bytes(data), max_member_bytes=1000))
    assert members[0].code in {"too_large", "corrupt"}
    assert members[0].data == b""


def test_total_limit_stops_the_archive():
    data = zip_of({f"{i}.txt": bytes([65 + i]) * 1000 for i in range(5)}, method=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveError) as caught:
        list(expand_zip(data, max_total_bytes=2500))
    assert caught.value.code == "too_large"


def test_too_many_members():
    data = zip_of({f"{i}.txt": b"x" for i in range(11)})
    with pytest.raises(ArchiveError) as caught:
        list(expand_zip(data, max_members=10))
    assert caught.value.code == "too_many_members"


def test_not_a_zip():
    with pytest.raises(ArchiveError) as caught:
        list(expand_zip(b"PK\x03\x04 truncated"))
    assert caught.value.code == "corrupt"


def test_damaged_member_reported_others_go_on():
    data = bytearray(zip_of({"a.txt": b"hello world " * 100, "b.txt": b"fine"}))
    at = data.find(b"PK\x03\x04") + 30 + len("a.txt") + 5
    data[at] ^= 0xFF
    members = list(expand_zip(bytes(data)))
    assert [(m.name, m.code) for m in members] == [("a.txt", "corrupt"), ("b.txt", "")]
    assert members[1].data == b"fine"
