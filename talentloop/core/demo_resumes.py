"""Fictional resumes for the demo workspace, as PDF, DOCX and text files made here (Faker
people, never real ones), so the Resumes pages have something to show from the first start."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from faker import Faker

from talentloop.core import pdf

SKILLS = [
    "Python", "Django", "PostgreSQL", "JavaScript", "TypeScript", "React", "Docker",
    "Kubernetes", "AWS", "Terraform", "SQL", "Go", "Java", "Spring", "Kafka", "Airflow",
    "Figma", "Product discovery", "Stakeholder management", "Agile", "Scrum", "Git",
]  # fmt: skip
TITLES = [
    "Software Engineer", "Senior Software Engineer", "Data Engineer", "Product Manager",
    "Backend Developer", "Engineering Manager", "UX Designer", "DevOps Engineer",
]  # fmt: skip
DEGREES = ["BSc in Computer Science", "MSc in Data Science", "BA in Economics", "MEng"]


def resume_lines(seed: int) -> list[str]:
    """One person's resume, line by line: header, experience, education, skills."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    first, last = fake.first_name(), fake.last_name()
    user = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    title = rng.choice(TITLES)
    lines = [
        f"{first} {last}",
        title,
        f"{fake.city()}, United Kingdom",
        f"{user}@example.com | +44 7700 900{rng.randint(100, 999)} | "
        f"linkedin.com/in/{user.replace('.', '-')}-demo",
        "",
        "SUMMARY",
        f"{title} with a record of shipping {fake.bs()} for growing teams.",
        "",
        "EXPERIENCE",
    ]
    year = 2026
    for index in range(rng.randint(2, 3)):
        start = year - rng.randint(2, 4)
        lines += [
            title if index == 0 else rng.choice(TITLES),
            f"{fake.company()}, {fake.city()}",
            f"{fake.month_name()} {start} - {'Present' if index == 0 else fake.month_name()}"
            + ("" if index == 0 else f" {year}"),
            f"Led work on {fake.bs()}; used {', '.join(rng.sample(SKILLS, 3))}.",
            "",
        ]
        year = start
    lines += [
        "EDUCATION",
        rng.choice(DEGREES),
        f"University of {fake.city()}",
        f"{year - 4} - {year}",
        "",
        "SKILLS",
        ", ".join(rng.sample(SKILLS, 7)),
        "",
        "LANGUAGES",
        "English (native), French (conversational)",
    ]
    return lines


def docx_bytes(lines: Sequence[str]) -> bytes:
    """A minimal valid DOCX holding one paragraph per line."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>' for text in lines
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
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def pdf_bytes(lines: Sequence[str]) -> bytes:
    """A one-page PDF (Helvetica, headings in bold) showing `lines` top to bottom."""
    ops = []
    y = 760
    for index, line in enumerate(lines):
        text = line.encode("latin-1", "replace").decode("latin-1")
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        font, size = ("/F2", 16) if index == 0 else ("/F2", 11) if line.isupper() else ("/F1", 10)
        ops.append(f"BT {font} {size} Tf 60 {y} Td ({text}) Tj ET")
        y -= 20 if index == 0 else 14
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        pdf.stream("\n".join(ops).encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    return pdf.pdf_file(objects)


def demo_files(count: int = 6, seed: int = 7) -> list[tuple[str, bytes]]:
    """`count` resumes as (file name, bytes): PDF, DOCX and text in turn."""
    files = []
    for index in range(count):
        lines = resume_lines(seed + index)
        stem = lines[0].lower().replace(" ", "-")
        kind = index % 3
        if kind == 0:
            files.append((f"{stem}.pdf", pdf_bytes(lines)))
        elif kind == 1:
            files.append((f"{stem}.docx", docx_bytes(lines)))
        else:
            files.append((f"{stem}.txt", "\n".join(lines).encode()))
    return files
