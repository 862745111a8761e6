"""Split resume text into sections by their headings.

A heading is a short line made only of heading words ("WORK EXPERIENCE", "Technical
Skills:", "Where I've worked", "Expérience professionnelle"), optionally followed by ":"
and inline content ("Objective: A role in ..."). Everything before the first heading is the
"header". `normalize_text` first repairs layouts that lost their line breaks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


KINDS = (
    "header",
    "summary",
    "work",
    "education",
    "skills",
    "languages",
    "certifications",
    "projects",
    "other",
)

# Keyword -> kind. A heading needs at least one of these.
_KEYWORDS: dict[str, str] = {}
for _kind, _words in {
    "work": "experience experiences employment history internship internships internships "
    "positions berufserfahrung erfahrung experiencia expérience experience_pro "
    "worked career trajectoire parcours",
    "summary": "summary profile objective objectives about overview highlights introduction "
    "synopsis statement goal goals profil resumen zusammenfassung "
    "perfil objectif",
    "education": "education educational studies schooling academia "
    "degrees degree formation ausbildung educación formación estudios academics "
    "bildungsweg studium scolarité diplômes",
    "skills": "skills skill skillset skillsets competencies competences competency expertise "
    "strengths proficiencies proficiency technologies compétences kenntnisse fähigkeiten "
    "habilidades competencias aptitudes abilities capabilities stack strength excellence",
    "languages": "languages language langues sprachen idiomas sprachkenntnisse",
    "certifications": "credentials certifications certification certificates certificate licenses "
    "licences license licence trainings training courses coursework "
    "zertifikate weiterbildung",
    "projects": "projects project projets projekte proyectos portfolio",
    "other": "information details awards award honors honours achievements accomplishments "
    "publications references interests hobbies activities volunteer volunteering "
    "declaration affiliations memberships membership patents links groups "
    "miscellaneous contact extracurricular co-curricular additional personal "
    "recognition recognitions involvement research presentations conferences associations "
    "referees strength hobbies_interests loisirs intérêts centres interest organizations "
    "organisations",
}.items():
    for _word in _words.split():
        _KEYWORDS.setdefault(_word, _kind)

# Words that may stand in a heading beside a keyword but do not decide its kind.
_QUALIFIERS = _wordset(
    """
professional work relevant key core technical and of & my personal academic other
additional areas area computer it software soft hard career brief executive previous
industry selected recent total job special functional list i i've ive where have tools
domain knowledge extra online teaching leadership organizational international military
major notable summary information details the in a for de et en y und la le les des del
professionnelle professionnel professionnelles berufliche beruflicher laboral profesional
académica académique akademische informatiques informatique techniques technique
sprachliche linguistiques main specific related early set development resume résumé
curriculum vitae qualification qualifications background relevant programming research
academic_projects skills_summary to date with summery employement experince educations
personnel informations others misc highlights current present prior recent full detailed
short as well interpersonal transferable certified professionnels honor profesional
complementaria complémentaire community
"""
)

_PRIORITY = (
    "languages",
    "education",
    "certifications",
    "projects",
    "skills",
    "summary",
    "work",
    "other",
)

_BULLET_RE = re.compile(
    r"^[\s\-\u2013\u2014•·*▪►●◦○■□✓✔➢➤→>|#§]*(?:(?:\d{1,2}|[ivxIVX]{1,4})[.)]\s*)?"
)
_WORD_RE = re.compile(r"[a-zà-ÿ'\u2019&/-]+")
_ESCAPES_RE = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_SPACE_RUN_RE = re.compile(r"[ \t\u00a0]{2,}")
# Small capitals extracted as "P ROFESSIONAL E XPERIENCE".
_SPACED_CAPS_RE = re.compile(r"(?<![\w])([A-Z]) ([A-Z]{2,})(?![a-z])")
_DIGIT_RE = re.compile(r"\d")
# "(Continued)" after a heading or a job header a page break cut (lower case).
CONTINUED_RE = re.compile(r"\((?:cont(?:inued|d)?\.?|contd\.?|cont'd)\)")
_PAGE_MARK_RE = re.compile(
    r"\s*(?:page\s*\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|\d{1,3}\s+of\s+\d{1,3}|-\s*\d{1,3}\s*-)\s*$",
    re.IGNORECASE,
)
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A heading a PDF set on the baseline of the paragraph above it: "... hard situations. Work
# Experience". Capitalised words (and "and", "of", "&") after a sentence's full stop.
_GLUED_HEADING_RE = re.compile(
    r"(?<=[a-z0-9)][.!?])\s+((?:[A-Z][A-Za-z]+)(?: (?:[A-Z][A-Za-z]+|&|and|of)){0,3})\s*$"
)


@dataclass(slots=True)
class Section:
    heading: str  # as written ("" for the header)
    kind: str
    lines: list[str]
    start_line: int = 0  # index of the first body line in the normalized text

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# UTF-8 read as Windows-1252, a common damage of exported resumes: "â€“" for an en dash, "â€¢" for
# "•", "Ã©" for "é". A lead character (a UTF-8 lead byte) and the characters cp1252 gives
# bytes 0x80-0xBF; the five bytes cp1252 leaves undefined appear as C1 controls, or are lost.
_CONTINUATIONS = "".join(
    bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xC0)
)
_MOJIBAKE_RE = re.compile(
    f"[\u00c2-\u00f4][{re.escape(_CONTINUATIONS)}]{{1,3}}|\u00c2(?=[ \u00a0\r\n]|$)"
)
# A lost undefined byte: "â€" was a closing quote (E2 80 9D) or, inside a word, a hyphen
# (E2 80 90); "â—" a bullet (E2 97 8F); "ï¼" a full-width hyphen (EF BC 8D) between two
# words; "Â" before a space the lead byte of a no-break space (C2 A0) that became a space.
_LOST_BYTE = {
    "\u00e2\u20ac": "\u201d",
    "\u00e2\u2014": "\u25cf",
    "\u00ef\u00bc": "-",
    "\u00c2": "",
}


def _unmojibake(text: str) -> str:
    """`text` with each run of UTF-8 read as Windows-1252 decoded again; text that does not
    decode as UTF-8 that way stays as it is."""

    def repair(match: re.Match[str]) -> str:
        found = match.group()
        lead = ord(found[0])
        size = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        if len(found) < size:
            lost = _LOST_BYTE.get(found)
            if lost is None:
                return found
            before = text[match.start() - 1 : match.start()]
            after = text[match.end() : match.end() + 1]
            if found == "\u00e2\u20ac" and before.isalpha() and after.isalpha():
                return "-"
            if found == "\u00ef\u00bc" and not (before.isspace() and after.isspace()):
                return found
            return lost
        raw = bytes(
            ord(char) if ord(char) < 0x100 else char.encode("cp1252")[0] for char in found[:size]
        )
        try:
            return raw.decode("utf-8") + found[size:]
        except UnicodeDecodeError:
            return found

    return _MOJIBAKE_RE.sub(repair, text)


def _decode_escapes(match: re.Match[str]) -> str:
    data = bytes.fromhex(match.group(0).replace("\\x", ""))
    return data.decode("utf-8", errors="replace").replace("\ufffd", " ")


def normalize_text(text: str) -> str:
    """Lines as a person reads them.

    Repairs three common damages: byte escapes written out literally ("\\xe2\\x80\\xa2"),
    UTF-8 read as Windows-1252 ("â€“" for an en dash), and text whose line breaks became runs of
    spaces (a long line with several two-space gaps is split at each gap).
    """
    if "\\x" in text:
        text = _ESCAPES_RE.sub(_decode_escapes, text)
    text = _unmojibake(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = _INVISIBLE_RE.sub("", text)
    lines: list[str] = []
    for line in text.split("\n"):
        if len(_SPACED_CAPS_RE.findall(line)) >= 2:
            line = _SPACED_CAPS_RE.sub(r"\1\2", line)
        if len(line) > 150 and len(_SPACE_RUN_RE.findall(line)) >= 3:
            lines.extend(part.strip() for part in _SPACE_RUN_RE.split(line))
        else:
            lines.append(line.rstrip())
    # "Page 2 of 3": a page's footer, which a job would take for one of its fields.
    lines = [line for line in lines if not _PAGE_MARK_RE.match(line)]
    lines = [
        piece for i, line in enumerate(lines) for piece in _unglued(line, lines[i + 1 : i + 2])
    ]
    if any(len(line) > MAX_LINE for line in lines):
        lines = [piece for line in lines for piece in _wrap(line)]
    return "\n".join(lines).strip().strip('"').strip()


def _unglued(line: str, following: list[str]) -> list[str]:
    """A sentence and the heading glued to its end, as two lines; else the line. Not where
    the next line carries on in lower case: "... industry. Expertise" / "includes cold
    calling" is one sentence wrapped."""
    if len(line) < 40 or not line[-1].isalpha():
        return [line]
    if following and following[0].lstrip()[:1].islower():
        return [line]
    glued = _GLUED_HEADING_RE.search(line)
    if glued is None or len(line[: glued.start()].split()) < 4:
        return [line]
    words = glued[1].lower().split()
    # "... Test Grades. Information" / "Systems Education Journal" and "... by Stanford
    # University. Statement of" / "Accomplishment" are titles that carry on below.
    if words[-1] in ("of", "and", "&") or (len(words) == 1 and words[0] not in _GLUED_ALONE):
        return [line]
    return [line[: glued.start()], glued[1]] if heading_kind(glued[1]) else [line]


# The one-word headings that are glued to a sentence's end as they stand.
_GLUED_ALONE = frozenset(
    {
        "experience", "education", "skills", "expertise", "accomplishments", "achievements",
        "awards", "objective", "summary", "qualifications", "certifications", "highlights",
        "publications", "projects", "languages", "interests", "references", "personal",
    }
)  # fmt: skip


# No resume line runs this long (the longest in the annotated sets: under 600 characters);
# longer ones are cut, so that no pattern of the parser ever reads more than this at once.
MAX_LINE = 1000


def _wrap(line: str) -> list[str]:
    """`line` in pieces of at most `MAX_LINE` characters, cut at a space where there is one."""
    pieces: list[str] = []
    while len(line) > MAX_LINE:
        cut = line.rfind(" ", MAX_LINE // 2, MAX_LINE + 1)
        cut = cut if cut > 0 else MAX_LINE
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_HEADING_WORDS = frozenset(_KEYWORDS) | _QUALIFIERS
_WORK_ENDINGS = frozenset({"experience", "experiences", "employment", "history"})
_LETTERS_RE = re.compile(r"[^a-z&]")


def _word_break(letters: str) -> list[str] | None:
    """`letters` as a run of heading words ("keyskills" -> key, skills), else None."""
    found: list[list[str] | None] = [None] * (len(letters) + 1)
    found[0] = []
    for start in range(len(letters)):
        before = found[start]
        if before is None:
            continue
        for end in range(start + 2, min(len(letters), start + 16) + 1):
            if found[end] is None and letters[start:end] in _HEADING_WORDS:
                found[end] = [*before, letters[start:end]]
    return found[-1]


def _letter_spaced(line: str) -> str | None:
    """A heading whose letters a PDF spaced apart ("E xp er ie nc e", "PROFE SSI ONAL
    EXPER IENCE") with its words put back, else None."""
    parts = line.split()
    if len(parts) < 2 or len(line) > 40:
        return None
    pieces = [_LETTERS_RE.sub("", part.lower()) for part in parts]
    if sum(piece not in _HEADING_WORDS for piece in pieces) * 2 < len(pieces):
        return None
    words = _word_break("".join(pieces))
    if not words or not any(word in _KEYWORDS for word in words):
        return None
    return " ".join(words)


def heading_kind(line: str) -> tuple[str, str] | None:
    """(kind, inline content) when `line` is a section heading, else None."""
    found = _heading_kind(line)
    if found is None and ":" not in line:
        respaced = _letter_spaced(line.strip())
        if respaced is not None:
            found = _heading_kind(respaced)
    return found


def _heading_kind(line: str) -> tuple[str, str] | None:
    stripped = line.strip()
    if not stripped or len(stripped) > 60:
        return None
    head, inline = stripped, ""
    if ":" in stripped:
        head, _, inline = stripped.partition(":")
        if len(head) > 45:
            return None
    elif stripped.endswith((".", ",", ";")):
        return None
    if head.count(" ") > 12:
        return None
    head = _BULLET_RE.sub("", head).strip(" -\u2013\u2014:|_*=")
    if not head or _DIGIT_RE.search(head):
        return None
    lowered = head.lower().replace("\u2019", "'")
    if "(" in lowered:
        lowered = CONTINUED_RE.sub(" ", lowered)
    words = _WORD_RE.findall(lowered)
    if not words or len(words) > 6:
        return None
    kinds: set[str] = set()
    unknown = 0
    for word in words:
        for part in word.strip("'&/-").split("/"):
            if not part or part in ("&", "-"):
                continue
            kind = _KEYWORDS.get(part) or _KEYWORDS.get(_fold(part))
            if kind:
                kinds.add(kind)
            elif part not in _QUALIFIERS and _fold(part) not in _QUALIFIERS:
                unknown += 1
    if unknown:
        # "CAREER SERVICES EXPERIENCE", "Retail Sales Experience": a field of work before
        # "experience", written as a heading is (capitals, or each word capitalised).
        capitalised = head.isupper() or all(w[:1].isupper() for w in head.split())
        if not (capitalised and len(words) <= 4 and words[-1] in _WORK_ENDINGS and not inline):
            return None
        return "work", ""
    if "qualification" in words or "qualifications" in words:
        if words[0] in ("summary", "highlights", "core", "key") or "skills" in words:
            kinds.add("skills")
        elif not kinds or kinds == {"other"}:
            kinds.add("education")
    if "development" in words and "professional" in words and not kinds:
        kinds.add("certifications")
    if not kinds:
        if "academic" in words:
            return "education", inline.strip()
        if "career" in words or "background" in words or ("worked" in words and "where" in words):
            return "work", inline.strip()
        return None
    chosen = next(kind for kind in _PRIORITY if kind in kinds)
    if chosen == "languages" and {"programming", "computer", "scripting"} & set(words):
        chosen = "skills"
    if chosen == "other" and "academic" in words:
        chosen = "education"
    elif chosen == "summary" and kinds & {"work"} and words[-1] in ("experience", "history"):
        chosen = "work"
    return chosen, inline.strip()


def _broken_heading(lines: list[str], index: int) -> tuple[str, int]:
    """A heading a flattened layout broke over two or three lines ("PROFESSIONAL" / "LEGAL" /
    "EXPERIENCE:"): the joined heading and how many lines it takes; ("", 0) when none."""
    first = lines[index].strip()
    if not first.isupper() or len(first.split()) > 2 or _DIGIT_RE.search(first):
        return "", 0
    joined = first
    for count in (2, 3):
        if index + count > len(lines):
            break
        part = lines[index + count - 1].strip()
        if not part or not part.isupper() or len(part.split()) > 3:
            break
        joined = f"{joined} {part}"
        if heading_kind(joined) is not None:
            return joined, count
    return "", 0


def split_sections(text: str) -> list[Section]:
    """Sections in document order; the first is the header (possibly empty)."""
    sections = [Section(heading="", kind="header", lines=[], start_line=0)]
    lines = text.split("\n")
    skip = 0
    for index, line in enumerate(lines):
        if skip:
            skip -= 1
            continue
        found = heading_kind(line)
        broken = [line]
        if found is None:
            joined, count = _broken_heading(lines, index)
            if count:
                broken = lines[index : index + count]
                line, skip, found = joined, count - 1, heading_kind(joined)
                index += count - 1
        if found is not None:
            kind, inline = found
            current = sections[-1].kind
            # "Languages: Python, Java" inside a skills section is a skill line.
            if inline and kind == "languages" and current == "skills":
                found = None
            # "Achievements:", "Job Profile:", "Project: X" inside a job stay with the job.
            elif current == "work" and kind in ("summary", "other", "projects", "skills"):
                head_words = line.lower().split()
                if (
                    inline
                    or line.rstrip().endswith(":")
                    or (
                        not any(w.startswith("projects") for w in head_words) and kind == "projects"
                    )
                ):
                    found = None
        if found is None:
            sections[-1].lines.extend(broken)
            continue
        kind, inline = found
        heading = line.strip().partition(":")[0].strip() if inline else line.strip()
        sections.append(Section(heading=heading, kind=kind, lines=[], start_line=index + 1))
        if inline:
            sections[-1].lines.append(inline)
    return sections
