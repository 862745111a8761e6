"""Resume files made on the fly (fictional people), and a helper to parse them for a member."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from talentloop.core.actor import Actor
from talentloop.core.demo_resumes import docx_bytes  # one DOCX writer: the demo's
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


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


__all__ = ["ADA", "ParseFiles", "docx_bytes", "parse_files", "zip_bytes"]

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
