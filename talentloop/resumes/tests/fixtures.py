"""Resume files made on the fly (fictional people), and a helper to parse them for a member."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

import pytest

from talentloop.core.actor import Actor
from talentloop.resumes import services
from talentloop.resumes.models import ParseBatch

ADA = """Ada Quill
Senior Software Engineer
London, United Kingdom
ada.quill@example.test | +44 20 7946 0018 | linkedin.com/in/ada-quill-example

EXPERIENCE
Senior Software Engineer
Lumen Analytics Ltd, London
March 2019 - Present
Built data pipelines in Python and PostgreSQL.

Software Engineer
Brightwave Systems
Jan 2015 - Feb 2019
Wrote JavaScript front ends.

EDUCATION
BSc in Computer Science
University of Manchester
2011 - 2014

SKILLS
Python, JavaScript, PostgreSQL, Docker
"""


def docx_bytes(paragraphs: Sequence[str]) -> bytes:
    """A minimal valid DOCX holding one paragraph per item."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        for text in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ParseFiles = Callable[..., ParseBatch]


@pytest.fixture
def parse_files() -> ParseFiles:
    """parse_files(actor, {"name": bytes, …}) → the finished batch (parsed here, in order)."""

    def parse(actor: Actor, files: dict[str, bytes], **options: object) -> ParseBatch:
        batch = services.create_batch(
            actor=actor,
            uploads=[services.Upload(name=n, data=d, size=len(d)) for n, d in files.items()],
            name="test upload",
            enqueue=False,
            **options,  # type: ignore[arg-type]
        )
        return services.run_batch(batch, actor)

    return parse
