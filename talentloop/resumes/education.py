"""Education, languages and certifications from a resume's plain text.

Pure functions, no Django. The callers pass the text of the matching section (as found by
the section detector; "" when no heading was found) and the whole text, used as a fallback.

Education is read as a stream of short pieces: lines, runs separated by two or more spaces
(text extracted from PDFs often loses its line breaks), and comma-separated parts of those.
Each piece is a degree ("B.E. in Computer Science"), an institution ("Pune University"), a
date ("2008 to 2012") or nothing known; pieces are then grouped into schools, a new school
starting whenever the current one already has what the piece brings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from talentloop.resumes.parsed import Period, School

__all__ = ["find_certifications", "find_languages", "parse_education"]

# --- dates -------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
_ONE_DATE = (
    rf"(?:(?:{_MONTH}|spring|summer|fall|autumn|winter)\s*,?\s*{_YEAR}"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.-]\s*{_YEAR}|{_YEAR})"
)
_NOW = r"(?:present|current(?:ly)?|now|today|till\s+date|to\s+date|ongoing|pursuing)"
_NOW_ALONE_RE = re.compile(r"(?<![\w/-])(?:Current|Present|Ongoing|CURRENT|PRESENT)(?![\w/-])")
# "2008 to 2012", "Sep 2014 - present", "1956 - 60", "Expected May 2014", "(2010)".
_DATE_RE = re.compile(
    rf"(?<![\w/])(?:(?:expected|anticipated|graduat(?:ed|ion)|grad\.?|since|class\s+of)"
    rf"(?:\s+date)?\s*:?\s*)?"
    rf"(?P<a>{_ONE_DATE})(?:\s*(?:-|\u2013|\u2014|to|until|till|/|\s)\s*(?P<b>{_ONE_DATE}|{_NOW}|\d\d(?!\d)))?"
    rf"(?![\w/])",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(_YEAR)
_MONTH_RE = re.compile(_MONTH, re.IGNORECASE)


def _year_month(text: str) -> tuple[int | None, int | None]:
    year = _YEAR_RE.search(text)
    if year is None:
        return None, None
    month = _MONTH_RE.match(text.strip())
    if month:
        return int(year.group()), _MONTHS[month.group()[:3].lower()]
    numeric = re.match(r"\s*(0?[1-9]|1[0-2])\s*[/.-]", text)
    return int(year.group()), int(numeric.group(1)) if numeric else None


def _period(match: re.Match[str]) -> Period:
    if match.re is _NOW_ALONE_RE:
        return Period(raw=match.group(), current=True)
    start_year, start_month = _year_month(match.group("a"))
    period = Period(raw=match.group().strip())
    end = match.group("b")
    if end is None:  # one date on a school is when it was (or will be) finished
        period.end_year, period.end_month = start_year, start_month
        return period
    period.start_year, period.start_month = start_year, start_month
    if re.fullmatch(_NOW, end, re.IGNORECASE):
        period.current = True
    elif end.isdigit() and len(end) == 2 and start_year is not None:  # "1956 - 60"
        period.end_year = start_year // 100 * 100 + int(end)
    else:
        period.end_year, period.end_month = _year_month(end)
    return period


# --- degrees -----------------------------------------------------------------------------

# Abbreviations as letter groups; dots, hyphens or one space may separate the groups.
_ABBREVIATIONS = [
    "B Tech", "B E", "B Sc", "B S", "B A", "B Com", "B B A", "B B M", "B C A", "B Ed",
    "B Eng", "B Pharm", "B Arch", "B Des", "B F A", "B S W", "B Voc", "B M S", "B Lib",
    "M Tech", "M E", "M Sc", "M S", "M A", "M Com", "M B A", "M C A", "M Ed", "M Eng",
    "M Phil", "M Pharm", "M Arch", "M F A", "M S W", "M P A", "M P H", "M F C", "M Des",
    "M B B S", "B D S", "M D", "J D", "L L B", "L L M", "Ph D", "D Phil", "Ed D", "D B A",
    "Psy D", "Pharm D", "P G D M", "P G D B M", "P G D B A", "P G D C A", "P G D", "P G",
    "P G D A C", "P G Diploma", "A A", "A S", "A A S", "H N D", "H N C", "B T E C",
    "H S C", "S S C", "S S L C", "H S S C", "I C S E", "P U C", "G C S E", "G E D",
    "I T I", "D E S S", "D E A", "B T S", "D U T", "M B", "C A", "M M S", "A M I E",
    "D M E", "B M M", "B H M", "D Pharm", "M Pharm", "B A Sc", "M A Sc", "B C L", "M Res",
]  # fmt: skip
# Bare two-letter forms that are also ordinary words or product names ("MS Office").
_RISKY = {"BE", "BS", "BA", "MA", "MS", "ME", "MD", "JD", "AA", "AS", "CA", "MB", "PG"}
_STATE_CODES = {"MA", "MS", "ME", "MD", "CA"}
# A field of study after a degree's letters: "MS in Physics", "MS (Physics)", "MS, Media Arts".
_FIELD_AFTER_RE = re.compile(
    r"\s*(?:in\b|\(|,\s*(?!United\b|New\b)[A-Z][a-z]+\s+(?:[A-Z][a-z]+|and|&|of)\b)"
)
_AFTER_RISKY_BAD = re.compile(
    r"\s*(?:office|excel|word|access|project|sql|dos|windows|outlook|visio|powerpoint|"
    r"teams|dynamics|azure|exchange|paint|sharepoint|\w+ing\b)",
    re.IGNORECASE,
)


def _abbreviation_pattern(spaced: str) -> str:
    groups = spaced.split()
    return r"[.\-]?\s?".join(re.escape(group) for group in groups) + r"\.?"


_ABBREVIATION_RE = "|".join(
    _abbreviation_pattern(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True)
)
_S = r"(?:\\?['\u2019]?s)?"  # "Master's", "Masters", "Master\\'s" (an escaped quote)
_DEGREE_WORDS = (
    rf"(?:bachelor|master){_S}(?!\s+(?:research|project|thesis|dissertation|course|level"
    rf"|work|seminar|class)\b)|doctor(?:ate)?|associate{_S}(?=\s+(?:of|in|degree))"
    r"|(?:post[\s-]?)?graduat(?:e|ion)(?=\s+(?:in|diploma|degree|of|program))"
    r"|under[\s-]?graduate(?=\s+(?:in|degree))|diploma|advanced\s+diploma|certificate(?=\s+in)"
    r"|high(?:er)?\s+secondary(?:\s+(?:school\s+)?certificate)?|senior\s+secondary"
    r"|secondary\s+school\s+certificate|high\s+school\s+diploma|matriculation|intermediate"
    r"|(?:class|std\.?|standard)\s+(?:x|xii|10|12)(?:th)?|1[02]th(?:\s+(?:standard|std|class))?"
    r"|a[\s-]?levels?|o[\s-]?levels?|licence|licenciatura|licenciado|diplom|magister|maîtrise"
    r"|baccalaur[ée]at|abitur|ingeniero|ingénieur|laurea|grado|máster|mestrado|bacharelado"
    r"|staatsexamen|engineering\s+graduate|honours\s+bachelor"
)
_DEGREE_RE = re.compile(rf"(?<![\w.])(?:{_DEGREE_WORDS}|{_ABBREVIATION_RE})(?![\w])", re.I)
# Where a degree's own name ends and its field begins: "Master of Finance and Control in X",
# "Bachelor's Degree in X", "Doctorate of Education, X".
_DEGREE_NAME_RE = re.compile(
    rf"(?:honou?rs\s+)?(?:bachelor|master|doctor(?:ate)?|associate){_S}(?:\s+degree)?"
    r"(?:\s+of(?:\s+(?!(?:in|with|from|at|for|majoring|speciali[sz]\w*|university|college"
    r"|institute|school|academy)\b)[\w&'.]+){1,6})?",
    re.IGNORECASE,
)

# --- institutions ------------------------------------------------------------------------

_INSTITUTION_RE = re.compile(
    r"(?<![\w])(?:universit(?:y|ies|ät|é|e|a|à|ario)|universidad|universidade|universiteit"
    r"|univ\.|college|insti?tute|institution|school|academy|polytechnic|polytechnique"
    r"|vidyalaya|vidyapee?th|vidyapith|mahavidyalaya|hochschule|fachhochschule|[ée]cole"
    r"|escuela|conservatory|conservatoire|seminary|faculty|gymnasium|lyc[ée]e|iit|iim|nit"
    r"|iiit|bits|cbse|icse|(?:state|central|secondary|higher\s+secondary)\s+board"
    r"|board\s+of\s+\w+|training\s+cent(?:re|er)|cent(?:re|er)\s+for)(?![\w])",
    re.IGNORECASE,
)
_GENERIC_RE = re.compile(
    r"(?:the\s+)?(?:(?:high|secondary|primary|public|graduate|law|business|medical)\s+)?"
    r"(?:universit\w*|college|institute|institution|school|academy|faculty|board|campus)",
    re.IGNORECASE,
)
_CREDENTIAL_RE = re.compile(r"\b(?:certificat(?:e|ion)|certified|diplom[aeé])\b", re.IGNORECASE)
# Table headers and other words that name no institution on their own.
_HEADER_WORDS = {
    "school", "college", "university", "institute", "institution", "name", "of", "year",
    "examination", "exam", "degree", "board", "the", "course", "qualification", "passing",
    "percentage", "/", "&", "and", "academy", "faculty", "campus",
}  # fmt: skip
_BOARD_RE = re.compile(r"\b(?:board|cbse|icse)\b", re.IGNORECASE)
_CONNECTORS = {
    "of", "and", "&", "for", "the", "de", "du", "des", "la", "le", "der", "für", "di", "del",
    "y", "e", "et", "und", "in", "-",
}  # fmt: skip
_NAME_PARTICIPLES = {
    "united", "applied", "advanced", "accredited", "integrated", "allied", "chartered",
}  # fmt: skip
_STOP_LEFT = {"from", "at", "in", "with", "as", "on", "while", "by", "to", "via"}

# --- pieces ------------------------------------------------------------------------------

_BULLETS = "•●▪■◦➢❖►▶‣\u2043○◆◇✓✔*·-\u2013\u2014|"
_INDEED_PLACE_RE = re.compile(r"^(.*?\S)\s+-\s{2,}\S.*$")  # "Pune University -  Pune, MH"
# The place an anonymised resume-builder export writes after a school: "Brookdale Community
# College City , State Associate of Arts", "IIT Bombay City , India", "State , India".
_PLACEHOLDER_PLACE_RE = re.compile(
    r"(?:\s[-\u2013\uff0d]\s?)?\b(?:City\s?,\s?(?:State|[A-Z][a-z]+)|State\s?,\s?[A-Z][a-z]+)"
    r"(?:\s?,\s?(?:[A-Z]{2,3}|[A-Z][a-z]+)\b)?(?![\w-])"
)
_SEGMENT_SPLIT_RE = re.compile(r"\s{2,}|\t|\s[|•●▪■]\s")
_PART_SPLIT_RE = re.compile(r"(?:[,;]|:(?=\s))(?![^()]*\))\s*")
_NOISE_RE = re.compile(
    r"\b(?:c?gpa|cgpa|percentage|marks|grade|score|aggregate|division|class\s+rank|honou?rs"
    r"|cum\s+laude|magna|summa|dean'?s\s+list|thesis|dissertation|coursework|courses?"
    r"|relevant|project|awards?|scholarship)\b|\d+(?:\.\d+)?\s*%|\d\.\d+\s*/",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_][\w'.&-]*")


@dataclass(slots=True)
class _Piece:
    kind: str  # "degree", "institution", "date", "other"
    text: str
    area: str = ""
    period: Period | None = None
    line: int = 0
    place_line: bool = False  # an Indeed "Institution -  City" line


@dataclass(slots=True)
class _Entry:
    degree: str = ""
    area: str = ""
    institutions: list[str] = field(default_factory=list)
    period: Period | None = None
    last_line: int = -1

    def empty(self) -> bool:
        return not (self.degree or self.institutions or self.period)


_EMPTY_PARENS_RE = re.compile(r"\(\W*\)")
_TRAILING_CONNECTOR_RE = re.compile(r"(?:\s+(?:of|and|&|for|the|at|in))+$", re.IGNORECASE)
_NOT_LETTER_RE = re.compile(r"[^A-Za-z]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def _clean(text: str) -> str:
    text = text.strip().strip(_BULLETS).strip()
    if "(" in text:
        text = _EMPTY_PARENS_RE.sub(" ", text)
    # " ".join(split()) is re.sub(r"\s+", " ") but for the ends, which the strip takes anyway
    text = " ".join(text.split()).strip(" ,;:-\u2013\u2014[]")
    if text.count("(") > text.count(")"):
        text = text.rstrip(" (") + ")" if "(" in text.rstrip(" (") else text.rstrip(" (")
    elif text.count(")") > text.count("("):
        text = text.replace(")", "", 1) if text.startswith(")") else text.rstrip(")")
    text = _TRAILING_CONNECTOR_RE.sub("", text)
    return text.strip(" ,;:-\u2013\u2014").strip()


_DEGREE_FOLLOW_RE = re.compile(r"\s*(?:$|in\b|\(|,|-|\u2013)", re.IGNORECASE)
# Letter groups run together that spell a word: "March" is no "M.Arch", "Bed" no "B.Ed".
_WORD_LIKE = {"march", "bed", "med"}


def _is_risky_false(match: re.Match[str], part: str, first: bool) -> bool:
    letters = _NOT_LETTER_RE.sub("", match.group())
    if letters.lower() in _WORD_LIKE and not letters[1:2].isupper():
        return True
    if letters.upper() not in _RISKY:
        return False
    if " " in match.group().strip():  # "M S Ramaiah Institute"; "B. E. in CSE" is a degree
        return not (match.group().count(".") >= 2 and _DEGREE_FOLLOW_RE.match(part, match.end()))
    if "." in match.group().rstrip("."):  # "B.S", "M.A."; "CA." may end a sentence
        return False
    if letters != letters.upper():
        return True
    if match.start() > 0 and _INSTITUTION_RE.search(part, 0, match.start()):
        # "Cornell University BS", "School of Informatics MS, Media Arts": the degree written
        # after its school, ending the part or followed by its field. "MA", "MS", "CA" ... are
        # also states ("College of Culinary Arts Pasadena CA."): after a town they need a field.
        if letters not in _STATE_CODES:
            return not _DEGREE_FOLLOW_RE.match(part, match.end())
        before = part[: match.start()].split()
        after_cue = bool(_INSTITUTION_RE.fullmatch(before[-1].strip(",")))
        if after_cue and _DEGREE_FOLLOW_RE.match(part, match.end()):
            return False
        return not _FIELD_AFTER_RE.match(part, match.end())
    if match.start() > 0 or not first:
        return True
    return bool(_AFTER_RISKY_BAD.match(part, match.end()))


def _degree_match(part: str, first: bool = True) -> re.Match[str] | None:
    for match in _DEGREE_RE.finditer(part):
        if not _is_risky_false(match, part, first):
            return match
    return None


def _split_degree(text: str) -> tuple[str, str]:
    """'Bachelor of Science in Computer Science' -> ('Bachelor of Science', 'Computer Science')."""
    named = _DEGREE_NAME_RE.match(text)
    if named:
        degree_end = named.end()
    else:
        first = _DEGREE_RE.match(text)
        degree_end = first.end() if first else len(text)
    degree = text[:degree_end]
    rest = text[degree_end:]
    # "Bachelors Degree", "Master's degree", "B.Tech (Hons)"
    extra = re.match(r"\s*(?:degree|program(?:me)?|course|\((?:hons?\.?|honou?rs)\))", rest, re.I)
    if extra is None and re.fullmatch(r"[^\W\d_]{4,}", degree):  # "Diplom-Ingenieur"
        extra = re.match(r"-[^\W\d_]+(?=\s|,|$)", rest)
    if extra:
        degree += extra.group()
        rest = rest[extra.end() :]
    field_match = re.match(
        r"\s*(?:(?:in|of|with\s+(?:specialization|major)\s+in|-|\u2013|:|,)\s*|\()?\s*(.*)", rest
    )
    field_text = field_match.group(1) if field_match else rest
    field_text = re.split(r"\s+(?:from|at)\s+|\)|,", field_text, maxsplit=1)[0]
    return _clean(degree), _clean(field_text)


_DASH_SPLIT_RE = re.compile(r"\s+[-\u2013\u2014]\s+")


def _institution_span(text: str) -> str:
    """The institution's name around its cue word in a part that may hold more."""
    pieces = _DASH_SPLIT_RE.split(text)
    if len(pieces) > 1:
        # "Troy University - Troy": the name is the one piece with a cue word in it.
        cued = [piece for piece in pieces if _INSTITUTION_RE.search(piece)]
        if len(cued) == 1:
            text = cued[0]
    words = text.split()
    if not words or (
        re.fullmatch(r"[A-Z][a-z]+ed", words[0]) and words[0].lower() not in _NAME_PARTICIPLES
    ):
        return ""  # "Sponsored school newspaper", "Attended ... Institute seminar"
    lowercase_start = words[0].islower() and not text.islower()
    if (
        len(words) <= 8
        and not lowercase_start
        and not any(w.lower() in _STOP_LEFT - {"in"} for w in words)
    ):
        head, *tail = re.split(r"\s+(?:at|in)\s+(?=[A-Z])", text, maxsplit=1)
        if tail and not _INSTITUTION_RE.search(head):  # "Spent one year in X University"
            return _clean(tail[0])
        return _clean(head)
    cue = _INSTITUTION_RE.search(text)
    if cue is None:
        return ""
    index = len(text[: cue.start()].split())
    start = index
    while start > 0:
        word = words[start - 1]
        if word.lower() in _STOP_LEFT or not (word[:1].isupper() or word.lower() in _CONNECTORS):
            break
        start -= 1
    end = index + 1
    while end < len(words):
        word = words[end]
        if word.lower() in {"at", "in"} or not (
            word[:1].isupper() or word[:1] == "(" or word.lower() in _CONNECTORS
        ):
            break
        end += 1
    while end > index + 1 and words[end - 1].lower() in _CONNECTORS:
        end -= 1
    while start < index and words[start].lower() in _CONNECTORS - {"the"}:
        start += 1
    return _clean(" ".join(words[start:end]))


def _classify(part: str, line: int, place_line: bool, first: bool) -> Iterator[_Piece]:
    """The pieces in one comma-separated part, in reading order: the text between its dates,
    and each date (a loop, not recursion: a line may hold thousands of dates)."""
    while (date := _first_date(part)) is not None:
        before, part = part[: date.start()], part[date.end() :]
        yield from _classify_text(before, line, place_line, first)
        yield _Piece("date", date.group(), period=_period(date), line=line)
        first = first and not before.strip()
    yield from _classify_text(part, line, place_line, first)


def _first_date(part: str) -> re.Match[str] | None:
    """The first date in `part`, or a capitalised "Current" / "Present" standing alone where
    a date would ("MBA : Finance Current Bellevue University": studying there now)."""
    date = _DATE_RE.search(part)
    now = _NOW_ALONE_RE.search(part, 0, date.start() if date else len(part))
    return now or date


def _classify_text(part: str, line: int, place_line: bool, first: bool) -> Iterator[_Piece]:
    """The pieces of a stretch of text with no date in it."""
    part = _clean(part)
    if not part or not _LETTER_RE.search(part):
        return
    degree = _degree_match(part, first)
    institution = _INSTITUTION_RE.search(part)
    if (
        degree is not None
        and institution is not None
        and degree.start() <= institution.start() < degree.end()
    ):  # "High School Diploma"
        institution = _INSTITUTION_RE.search(part, degree.end())
    if degree is not None:
        if institution is not None and institution.start() > degree.start():
            head = part[: institution.start()]
            # "M.Tech. Visveswariah Technogical University": the capitalised run before the cue
            # belongs to the institution.
            words = head.split()
            cut = len(words)
            while cut > 1 and (words[cut - 1][:1].isupper() or words[cut - 1] in _CONNECTORS):
                if _DEGREE_RE.fullmatch(words[cut - 1].rstrip(".,")):
                    break
                cut -= 1
            degree_text = " ".join(words[:cut])
            name, field_text = _split_degree(degree_text[degree.start() :])
            yield _Piece("degree", name, area=field_text, line=line)
            rest = " ".join([*words[cut:], part[institution.start() :]])
            yield _Piece("institution", _institution_span(rest), line=line)
            return
        degree_text = part[degree.start() :]
        if institution is not None and institution.start() < degree.start():
            # "High School Diploma" is a degree; "Cornell University BS" is two pieces.
            inst_text = _clean(part[: degree.start()])
            if _INSTITUTION_RE.search(inst_text):
                yield _Piece("institution", _institution_span(inst_text), line=line)
        name, field_text = _split_degree(degree_text)
        yield _Piece("degree", name, area=field_text, line=line)
        return
    if institution is None and _CREDENTIAL_RE.search(part) and len(part.split()) <= 10:
        # "Paralegal Certificate", "Teaching Certification" listed among the schools
        yield _Piece("degree", part, line=line)
        return
    if institution is not None:
        if _NOISE_RE.search(part) and len(part.split()) > 6:
            return
        name = _institution_span(part)
        if _GENERIC_RE.fullmatch(name) or _NOT_SCHOOL_RE.search(name):
            return
        yield _Piece("institution", name, line=line, place_line=place_line)
        return
    yield _Piece("other", part, line=line, place_line=place_line)


def _join_broken_names(lines: list[str]) -> list[str]:
    """'Michigan Technological' + 'University', 'Institute of' + 'Technology': a name that a
    layout broke over two lines is one line again."""
    joined: list[str] = []
    for line in lines:
        stripped = line.strip()
        previous = joined[-1].rstrip() if joined else ""
        if (
            previous
            and stripped
            and (
                _GENERIC_RE.fullmatch(re.sub(r"\s*\(\w+\)$", "", stripped))
                or (
                    re.search(r"\s(?:of|and|&|for)$", previous)
                    and stripped[:1].isupper()
                    and len(stripped.split()) <= 4
                )
            )
        ):
            joined[-1] = f"{previous} {stripped}"
            joined.append("")  # keep line numbers
            continue
        joined.append(line)
    return joined


# A resume builder's layout (LiveCareer's) writes the field twice, after the degree's colon and
# after the place: "Master's : Business Administration Troy University - Troy , AL Business
# Administration". The repeat marks where the field ends. (Read on lines of up to 300
# characters: the backreference makes a longer line cost quadratic time.)
_REPEATED_FIELD_RE = re.compile(
    r"^(?P<head>.+? : )(?P<field>[A-Z][^,:]*?) (?P<rest>.+) (?P=field)$"
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of fields of study. In a resume builder's "MS : Criminal Justice Saint Leo University"
# the field runs up to where the school's name begins.
_FIELD_WORDS = _wordset(
    """
accounting accountancy administration aerospace affairs agriculture agricultural anthropology
applications applied architecture art arts banking behavioral biochemistry biology biomedical
biotechnology business chemical chemistry civil communication communications comparative
computer computing counseling criminal criminology culinary dental design development
early economics education electrical electronics elementary engineering english
entrepreneurship environmental exercise fashion finance financial fine food general
geography geology government graphic health healthcare history hospitality human
humanities industrial information instructional interior international journalism
justice kinesiology language languages law leadership liberal linguistics literature
logistics management marketing mass mathematics math mechanical media medical
microbiology music nursing nutrition operations organizational pharmacy philosophy physical
physics political psychology public radiology relations religion religious resources
science sciences secondary social sociology software spanish special sports statistics
studies supply systems teaching technology theatre theater therapy tourism visual
zoology merchandising advertising innovation and & of /
"""
)
_FIELD_CONNECTORS = frozenset({"and", "&", "of", "/"})
_COLON_SHAPE_RE = re.compile(r"^(?P<head>[^:]{1,80}? : )(?P<rest>[^,]+?)(?P<tail>\s{2,}.*)?$")
_PARENTHESES_RE = re.compile(r"\([^)]*\)")


def _field_before_school(line: str) -> str:
    """ "MS : Criminal Justice Saint Leo University" -> "MS : Criminal Justice, Saint Leo
    University": a field of study and the school after it, with no separator between them.
    The school keeps a name of its own ("Art Institute of Houston" is one school)."""
    shape = _COLON_SHAPE_RE.match(line.strip())
    if shape is None:
        return line
    words = shape["rest"].split()
    count = 0
    while count < min(len(words) - 1, 6):
        word = _PARENTHESES_RE.sub("", words[count]).lower().strip(".,")
        if word not in _FIELD_WORDS:
            break
        count += 1
    while count and words[count - 1].lower() in _FIELD_CONNECTORS:
        count -= 1
    school = " ".join(words[count:])
    cue = _INSTITUTION_RE.search(school)
    if (
        not count
        or cue is None
        or (cue.start() == 0 and not re.match(r"(?i)(?:university|college)\s+of\b", school))
    ):
        return line
    return f"{shape['head']}{' '.join(words[:count])}, {school}{shape['tail'] or ''}"


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for line_number, line in enumerate(_join_broken_names(text.splitlines())):
        if not line.strip():
            continue
        repeated = None
        if " : " in line and len(line) <= 300:
            repeated = _REPEATED_FIELD_RE.match(line.strip())
            if repeated:
                line = f"{repeated['head']}{repeated['field']}, {repeated['rest']}"
        if "City" in line or "State" in line:
            line = _PLACEHOLDER_PLACE_RE.sub("  ", line)  # a segment break, like a column gap
        if " : " in line and len(line) <= 300 and not repeated:
            line = _field_before_school(line)
        place_line = False
        indeed = _INDEED_PLACE_RE.match(line)
        if indeed:
            line, place_line = indeed.group(1), True
        for segment in _SEGMENT_SPLIT_RE.split(line):
            segment = segment.strip().strip(_BULLETS).strip()
            if not segment:
                continue
            if _NOISE_RE.search(segment) and not (
                _DEGREE_RE.search(segment) or _INSTITUTION_RE.search(segment)
            ):
                continue
            first = True
            for part in _PART_SPLIT_RE.split(segment):
                pieces.extend(_classify(part, line_number, place_line, first))
                first = bool(_DATE_RE.fullmatch(part.strip()))
    return _merge_dates(pieces)


def _merge_dates(pieces: list[_Piece]) -> list[_Piece]:
    """'2005  2007' or 'Feb 2014  Current' split into two pieces on the double space is one
    range."""
    merged: list[_Piece] = []
    for piece in pieces:
        previous = merged[-1] if merged else None
        if previous is not None and piece.kind == previous.kind == "date":
            ranged = _range(previous.period, piece.period)
            if ranged is not None:
                previous.period = ranged
                continue
        merged.append(piece)
    return merged


def _range(first: Period | None, then: Period | None) -> Period | None:
    """One date, then a later one or a lone "Current": the range from the first; else None."""
    if first is None or then is None or first.start_year is not None or first.end_year is None:
        return None
    if then.start_year is not None:
        return None
    ranged = Period(
        raw=f"{first.raw} - {then.raw}", start_year=first.end_year, start_month=first.end_month
    )
    if then.current and then.end_year is None:
        ranged.current = True
    elif then.end_year is not None and 0 <= then.end_year - first.end_year <= 8:
        ranged.end_year, ranged.end_month = then.end_year, then.end_month
    else:
        return None
    return ranged


def _group(pieces: list[_Piece]) -> list[_Entry]:
    entries: list[_Entry] = []
    current = _Entry()
    kinds = [piece.kind for piece in pieces]
    indeed_layout = any(piece.place_line for piece in pieces)
    degree_first = "degree" in kinds and (
        "institution" not in kinds or kinds.index("degree") < kinds.index("institution")
    )

    def flush() -> None:
        nonlocal current
        if not current.empty():
            entries.append(current)
        current = _Entry()

    for index, piece in enumerate(pieces):
        kind = piece.kind
        if kind == "other":
            nxt = pieces[index + 1] if index + 1 < len(pieces) else None
            words = len(piece.text.split())
            previous = pieces[index - 1] if index else None
            if (
                previous is not None
                and previous.kind == "degree"
                and previous.line == piece.line
                and not current.area
                and not current.institutions
                and words <= 5
                and piece.text[:1].isupper()
            ):
                current.area = piece.text
                continue
            if re.search(r"[?!\"\u201c\u201d]", piece.text) or not (
                piece.place_line or piece.text[:1].isupper()
            ):
                continue
            if (piece.place_line and words <= 8) or (
                indeed_layout
                and current.degree
                and not current.institutions
                and current.period is None
                and nxt is not None
                and nxt.kind == "date"
                and nxt.line > piece.line > current.last_line
                and words <= 6
            ):
                kind = "institution"
            elif (
                nxt is not None
                and nxt.kind == "institution"
                and nxt.place_line
                and nxt.line > piece.line
                and not piece.text.isupper()
                and words <= 5
                and not current.degree
                and piece.line > current.last_line
            ):
                kind = "degree"
            else:
                continue
        if kind == "degree":
            following = pieces[index + 1] if index + 1 < len(pieces) else None
            if current.degree or (
                # "School, 2012" done, then "B.Tech" above its own "X University"
                current.institutions
                and current.period is not None
                and following is not None
                and following.kind == "institution"
                and following.line > piece.line > current.last_line
            ):
                flush()
            current.degree, current.area = _split_degree(piece.text)
            if piece.area:
                current.area = piece.area
        elif kind == "institution":
            if not piece.text:
                continue
            same_place = piece.line == current.last_line and pieces[index - 1].kind == "institution"
            # "Manipal University" then "Manipal Institute of Technology" on the next line, under
            # one degree: the college and its university.
            next_line = (
                degree_first
                and bool(current.degree)
                and piece.line == current.last_line + 1
                and pieces[index - 1].kind in ("institution", "other")
                # a high school under a university is the next school, not the same one
                and not (
                    current.institutions
                    and _SECONDARY_RE.search(piece.text)
                    and not _SECONDARY_RE.search(current.institutions[-1])
                )
            )
            if current.institutions and not (same_place or next_line):
                if _BOARD_RE.search(piece.text):
                    continue
                flush()
            current.institutions.append(piece.text)
        else:
            if current.period is not None:
                flush()
            current.period = piece.period
        current.last_line = piece.line
    flush()
    return entries


def _to_school(entry: _Entry, weight: float) -> School:
    institutions = [
        i for i in entry.institutions if not set(re.findall(r"[\w&/]+", i.lower())) <= _HEADER_WORDS
    ]
    institutions = [i for i in institutions if not _BOARD_RE.search(i)] or institutions
    # A resume builder may write the school twice ("Yale University / New Haven" over
    # "Yale University / New Haven, CT."): once is enough.
    first: dict[str, str] = {}
    for institution in institutions:
        first.setdefault(institution.lower(), institution)
    unique = list(first.values())
    institutions = [
        i for i in unique if not any(i.lower() in o.lower() and len(o) > len(i) for o in unique)
    ]
    confidence = 0.2 + 0.35 * bool(entry.degree) + 0.35 * bool(institutions)
    confidence += 0.1 * (entry.period is not None)
    return School(
        institution=", ".join(institutions),
        degree=entry.degree,
        field_of_study=entry.area,
        period=entry.period,
        confidence=round(confidence * weight, 2),
    )


_STRONG_DEGREE_RE = re.compile(
    r"(?<![\w.])(?:bachelor'?s?|master'?s?\s+(?:of|in|degree)|doctor\s+of|ph\.?\s?d\.?|mba"
    r"|b\.?\s?tech|m\.?\s?tech|b\.\s?e\.|b\.?\s?sc\.?|m\.?\s?sc\.?|b\.?\s?com|m\.?\s?com|mca|bca"
    r"|b\.\s?s\.|m\.\s?s\.|b\.\s?a\.|m\.\s?a\.|pgdm|pgdbm|llb|ll\.b)(?![\w])",
    re.IGNORECASE,
)
# The same, case-sensitive, for lower-cased text: a scan without IGNORECASE costs half as much.
_STRONG_DEGREE_LOWER_RE = re.compile(_STRONG_DEGREE_RE.pattern)


def _lines_matching(pattern: re.Pattern[str], text: str) -> set[int]:
    """Indexes of the lines of `text` (as `str.splitlines` counts them) where `pattern` hits:
    one scan of the whole text instead of one search per line."""
    starts = [match.start() for match in pattern.finditer(text)]
    if not starts:
        return set()
    return {text.count("\n", 0, start) for start in starts}


# A line (or a run between wide gaps) that is only a school's name: "Lakeside College",
# "University of Northfield, Springfield" — the name first, at most a place after a comma.
_NAME_CUE_RE = re.compile(
    r"(?<![\w])(?:universit(?:y|ies|ät|é|e|a|à|ario)|universidad|universidade|college"
    r"|insti?tute\s+of|polytechnic|academy|school\s+of)(?![\w])|(?<=\w\s)(?:institute|school)$",
    re.IGNORECASE,
)
# Bodies named after a school that are not one: "University Career Services", "Alumni
# Relations Association", "Member of College Debating Society".
_NOT_SCHOOL_RE = re.compile(
    r"\b(?:society|association|club|council|committee|services?|communications|relations"
    r"|alumni|senate|union|league|district|office|library|hospital|press|members?|president"
    r"|scholarships?|fellowships?|awards?|foundation|chapter)\b",
    re.IGNORECASE,
)
_NAME_CUE_LOWER_RE = re.compile(r"universit|college|institut|polytechnic|academy|school")


def _name_line(segment: str) -> str:
    """The school named by a segment that holds nothing else, or ""."""
    name = _clean(_PART_SPLIT_RE.split(segment, maxsplit=1)[0])
    words = name.split()
    if not 2 <= len(words) <= 8 or not name[:1].isupper() or _NAME_CUE_RE.search(name) is None:
        return ""
    if any(not (w[:1].isupper() or w[:1] in "(&" or w.lower() in _CONNECTORS) for w in words):
        return ""
    if (
        _GENERIC_RE.fullmatch(name)
        or _NOISE_RE.search(name)
        or _DEGREE_RE.search(name)
        or _NOT_SCHOOL_RE.search(name)
    ):
        return ""
    return name


def _fallback_lines(full_text: str, loose: bool = False) -> str:
    """The lines of a resume without an education heading that look like schooling.

    A line needs a full degree cue ("Bachelor of", "MBA", "B.Tech"); `loose` (the resume has no
    education section at all) also keeps a line that opens with any degree ("BA (Hons)",
    "Diploma in Business Studies") and one that is only a school's name ("Lakeside College").
    """
    kept: list[str] = []
    lines = full_text.split("\n")
    # lower() may change a few letters' lengths, never the line breaks: the line indexes hold.
    lowered = full_text.lower()
    wanted = _lines_matching(_STRONG_DEGREE_LOWER_RE, lowered)
    names: set[int] = set()
    if loose:
        names = _lines_matching(_NAME_CUE_LOWER_RE, lowered)
        wanted |= names
        wanted.update(  # an anchored try per line: far cheaper than a scan of the text
            i
            for i, line in enumerate(lines)
            if line and _DEGREE_RE.match(line.strip().strip(_BULLETS).strip())
        )
    for index, line in enumerate(lines):
        if index not in wanted:
            continue
        for segment in _SEGMENT_SPLIT_RE.split(line):
            cue = _STRONG_DEGREE_RE.search(segment) if len(segment) <= 160 else None
            if cue is None and loose:
                segment = segment.strip().strip(_BULLETS).strip()
                opening = _degree_match(segment) if len(segment.split()) <= 12 else None
                if opening is not None and opening.start() == 0:
                    cue = opening
                elif index in names and _name_line(segment):
                    if segment not in kept[-2:]:
                        kept.append(segment)
                    continue
            if cue is None:
                continue
            head = segment[: cue.start()]
            if len(head.split()) > 3 and not _INSTITUTION_RE.search(head):
                continue
            previous = next(
                (x for x in reversed(lines[max(0, index - 2) : index]) if x.strip()), ""
            )
            if (
                _INSTITUTION_RE.search(previous)
                and not _STRONG_DEGREE_RE.search(previous)
                and previous not in kept[-2:]
                and len(previous) <= 120
            ):
                kept.append(previous)
            kept.append(segment)
            # the institution and date often follow on the next non-blank line
            for follow in lines[index + 1 : index + 4]:
                if follow.strip():
                    if _INSTITUTION_RE.search(follow) or _DATE_RE.fullmatch(follow.strip()):
                        kept.append(follow)
                    break
    return "\n".join(kept)


def parse_education(section_text: str, full_text: str) -> list[School]:
    """The schools in an education section, or found by degree cues in the whole text.

    Outside the section (or without one) a line needs a full degree cue ("Bachelor of",
    "MBA", "B.Tech"); beside a section, such a school is added only when it also names its
    institution. Secondary schooling (10th/12th, high school, boards) is left out when the
    resume lists higher education.
    """
    schools: list[School] = []
    seen: set[str] = set()

    def add(entries: list[_Entry], weight: float, need_both: bool) -> None:
        for entry in entries:
            school = _to_school(entry, weight)
            if need_both and not (school.degree and school.institution):
                continue
            keys = {k for k in (school.degree.lower(), school.institution.lower()) if k}
            pair = f"{school.degree.lower()}|{school.institution.lower()}"
            if not keys or pair in seen or (need_both and school.institution.lower() in seen):
                continue
            seen.update(keys | {pair})
            schools.append(school)

    if section_text.strip():
        add(_group(_pieces(section_text)), 1.0, need_both=False)
        rest = full_text.replace(section_text.strip(), "\n") if full_text else ""
        add(_group(_pieces(_fallback_lines(rest))), 0.6, need_both=True)
    else:
        add(_group(_pieces(_fallback_lines(full_text, loose=True))), 0.7, need_both=False)
    if any(not _is_secondary(s) for s in schools):
        schools = [s for s in schools if not _is_secondary(s)]
    return schools


_SECONDARY_RE = re.compile(
    r"high\s*school|higher\s+secondary|senior\s+secondary|secondary\s+(?:school|college|education)"
    r"|public\s+school|primary|elementary|middle\s+school|convent|junior\s+college|jr\.?\s+college"
    r"|vidyalaya|grammar\s+school|\b(?:ssc|hsc|sslc|hssc|puc|cbse|icse|gcse|vce)\b|1[02]th"
    r"|\bclass\s+(?:x|xii|10|12)\b|\bstd\.?\s*(?:x|xii|10|12)\b|matriculation|intermediate|board"
    r"|a[\s-]levels?|o[\s-]levels?|\bpu\s+college|h\.\s?s\.|certificate\s+of\s+education",
    re.IGNORECASE,
)


def _is_secondary(school: School) -> bool:
    return bool(_SECONDARY_RE.search(f"{school.degree} | {school.institution}"))


# --- languages ---------------------------------------------------------------------------

_LANGUAGES = {
    "english": "English", "hindi": "Hindi", "german": "German", "deutsch": "German",
    "french": "French", "français": "French", "francais": "French", "spanish": "Spanish",
    "español": "Spanish", "espanol": "Spanish", "castellano": "Spanish",
    "italian": "Italian", "italiano": "Italian", "portuguese": "Portuguese",
    "português": "Portuguese", "dutch": "Dutch", "nederlands": "Dutch", "russian": "Russian",
    "ukrainian": "Ukrainian", "polish": "Polish", "polski": "Polish", "czech": "Czech",
    "slovak": "Slovak", "hungarian": "Hungarian", "romanian": "Romanian",
    "bulgarian": "Bulgarian", "serbian": "Serbian", "croatian": "Croatian",
    "slovenian": "Slovenian", "greek": "Greek", "turkish": "Turkish", "arabic": "Arabic",
    "hebrew": "Hebrew", "persian": "Persian", "farsi": "Persian", "urdu": "Urdu",
    "bengali": "Bengali", "bangla": "Bengali", "punjabi": "Punjabi", "gujarati": "Gujarati",
    "marathi": "Marathi", "tamil": "Tamil", "telugu": "Telugu", "kannada": "Kannada",
    "malayalam": "Malayalam", "odia": "Odia", "oriya": "Odia", "assamese": "Assamese",
    "sanskrit": "Sanskrit", "nepali": "Nepali", "sinhala": "Sinhala", "chinese": "Chinese",
    "mandarin": "Chinese", "cantonese": "Cantonese", "japanese": "Japanese",
    "korean": "Korean", "vietnamese": "Vietnamese", "thai": "Thai", "indonesian": "Indonesian",
    "malay": "Malay", "tagalog": "Filipino", "filipino": "Filipino", "swedish": "Swedish",
    "norwegian": "Norwegian", "danish": "Danish", "finnish": "Finnish",
    "icelandic": "Icelandic", "estonian": "Estonian", "latvian": "Latvian",
    "lithuanian": "Lithuanian", "albanian": "Albanian", "macedonian": "Macedonian",
    "bosnian": "Bosnian", "catalan": "Catalan", "basque": "Basque", "galician": "Galician",
    "irish": "Irish", "welsh": "Welsh", "swahili": "Swahili", "amharic": "Amharic",
    "yoruba": "Yoruba", "hausa": "Hausa", "igbo": "Igbo", "zulu": "Zulu",
    "afrikaans": "Afrikaans", "latin": "Latin", "armenian": "Armenian",
    "georgian": "Georgian", "azerbaijani": "Azerbaijani", "kazakh": "Kazakh",
    "uzbek": "Uzbek", "pashto": "Pashto", "sindhi": "Sindhi", "konkani": "Konkani",
    "tulu": "Tulu", "kashmiri": "Kashmiri", "maithili": "Maithili", "bhojpuri": "Bhojpuri",
    "sign language": "Sign Language", "asl": "Sign Language",
}  # fmt: skip
_LANGUAGE_RE = re.compile(
    r"(?<![\w])("
    + "|".join(sorted(map(re.escape, _LANGUAGES), key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
_LANGUAGE_CUE_RE = re.compile(
    r"\b(?:languages?(?:\s+known|\s+skills|\s+proficiency)?\s*[:\-]|fluent|fluency|native"
    r"|mother\s+tongue|bilingual|trilingual|multilingual|proficient\s+in\s+(?=\w+\s+(?:and|,))"
    r"|conversant|speak|spoken|written\s+and\s+spoken)",
    re.IGNORECASE,
)
_PROGRAMMING_CUE_RE = re.compile(
    r"\b(?:programming|scripting|computer|coding|query|markup|software|technical|technologies)\b",
    re.IGNORECASE,
)


_LANGUAGE_LOWER_RE = re.compile(_LANGUAGE_RE.pattern)


def _languages_in(text: str) -> Iterator[str]:
    lowered = text.lower()
    if len(lowered) == len(text):  # the same offsets: scan the lower-cased text, case-sensitive
        spans = [match.span(1) for match in _LANGUAGE_LOWER_RE.finditer(lowered)]
    else:
        spans = [match.span(1) for match in _LANGUAGE_RE.finditer(text)]
    for start, end in spans:
        word = text[start:end]
        if word.islower() and len(text) > 40 and word not in {"english", "hindi"}:
            continue  # "latin american" / "thai food" style prose is capitalised when meant
        if word.lower() == "latin" and re.match(r"\s+america", text[end:], re.I):
            continue
        yield _LANGUAGES[word.lower()]


_LANGUAGE_CUE_WORDS = (
    "language", "fluen", "native", "mother tongue", "lingual", "conversant", "speak", "spoken",
    "proficient in",
)  # fmt: skip


def _find_all(text: str, word: str) -> Iterator[int]:
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + 1)


def find_languages(section_text: str, full_text: str) -> list[str]:
    """Human languages spoken, as canonical English names ("German"), in order found."""
    found: list[str] = []
    sources: list[str] = []
    if section_text.strip():
        sources.extend(
            line for line in section_text.splitlines() if not _PROGRAMMING_CUE_RE.search(line)
        )
    lowered = full_text.lower()
    wanted = {
        lowered.count("\n", 0, at)
        for word in _LANGUAGE_CUE_WORDS
        for at in _find_all(lowered, word)
    }
    for index, line in enumerate(full_text.split("\n")):
        if index not in wanted:
            continue
        for segment in _SEGMENT_SPLIT_RE.split(line):
            cue = _LANGUAGE_CUE_RE.search(segment)
            if cue is None or _PROGRAMMING_CUE_RE.search(segment[: cue.end() + 20]):
                continue
            sources.append(segment[cue.start() : cue.start() + 200])
    for text in sources:
        for language in _languages_in(text):
            if language not in found:
                found.append(language)
    return found


# --- certifications ----------------------------------------------------------------------

_CERT_ACRONYMS = (
    r"PMP|CAPM|PgMP|PMI-ACP|CCNA|CCNP|CCIE|CCDA|CCDP|CISSP|CISA|CISM|CRISC|CEH|OSCP|CompTIA"
    r"[ \t]+(?:A\+|Network\+|Security\+|Linux\+|Cloud\+|CySA\+|PenTest\+)|ITIL(?:[ \t]+v?\d)?"
    r"(?:[ \t]+Foundation)?|PRINCE2(?:[ \t]+(?:Foundation|Practitioner))?|CSM|CSPO|PSM[ \t]*I*|SAFe"
    r"(?:[ \t]+\w+)?|OCP|OCA|OCJP|SCJP|MCSE|MCSA|MCSD|MCTS|MCITP|MCP|MCAD|RHCE|RHCSA|RHCA|CKA|CKAD"
    r"|CKS|TOGAF(?:[ \t]+\d+)?|ISTQB(?:[ \t]+\w+)?|CPA|CFA|ACCA|CIMA|FRM|CMA|SHRM-(?:CP|SCP)"
    r"|PHR|SPHR|CSSGB|CSSBB|(?:Lean[ \t]+)?Six[ \t]+Sigma(?:[ \t]+\w+[ \t]+Belt)?|VCP|CCSP"
    r"|GIAC|GCIH|GSEC|CPR|BLS|ACLS|CNA|LPN|RN"
)
_CERT_RE = re.compile(
    rf"(?<![\w-])(?:(?:(?:AWS|Amazon|Microsoft|Oracle|Cisco|Google(?:[ \t]+Cloud)?|Salesforce"
    rf"|Red[ \t]+Hat|IBM|SAP|VMware|Azure|Certified|Professional|Scrum[ \t]+Alliance)[ \t]+)+"
    rf"Certified(?:[ \t]+(?:[A-Z][\w+#.-]*|-|\u2013|in|of|and|&|for))*[\w+#)]"
    rf"|Certified[ \t]+(?:[A-Z][\w+#.-]*[ \t]*)+(?:\([A-Z]+\))?"
    rf"|(?:{_CERT_ACRONYMS}))(?![\w-])",
)
_CERT_CUE_RE = re.compile(r"certif|licen[cs]|accredit|credential|diploma|\bexam\b", re.IGNORECASE)
_CERT_LINE_DROP_RE = re.compile(
    r"\b(?:responsible|worked|managed|led|using|experience|team|project|client|willing"
    r"|relocate|having|expert|skills?|ability)\b|https?:|www\.",
    re.I,
)


def _cert_clean(text: str) -> str:
    text = _DATE_RE.sub(" ", text)
    text = re.sub(r"\b(?:issued|obtained|completed|valid\s+until|expires?|credential\s+id)\b.*$",
                  "", text, flags=re.IGNORECASE)  # fmt: skip
    return _clean(text.rstrip(" .-\u2013\u2014,(")).rstrip(" -\u2013\u2014,(")


# Every certification opens with a capital letter that opens a word. Finding those first and
# trying _CERT_RE only there is what _CERT_RE.finditer does, in half the time.
_WORD_CAPITAL_RE = re.compile(r"[A-Z](?<![\w-].)")


def _cert_matches(text: str) -> list[re.Match[str]]:
    """_CERT_RE.finditer(text), as a list."""
    found: list[re.Match[str]] = []
    end = 0
    match_at = _CERT_RE.match
    for capital in _WORD_CAPITAL_RE.finditer(text):
        start = capital.start()
        if start >= end:
            match = match_at(text, start)
            if match is not None:
                found.append(match)
                end = match.end()
    return found


def find_certifications(section_text: str, full_text: str) -> list[str]:
    """Certifications: each line of a certifications section, plus well-known names anywhere."""
    found: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        key = re.sub(r"\W+", " ", name.lower()).strip()
        if key and key not in seen and not any(key in other for other in seen):
            seen.add(key)
            found.append(name)

    for line in section_text.splitlines():
        for segment in _SEGMENT_SPLIT_RE.split(line):
            name = _cert_clean(segment)
            words = len(name.split())
            if not (1 <= words <= 14 and name[:1].isupper()) or _CERT_LINE_DROP_RE.search(name):
                continue
            # The section may hold courses and trainings too: a line is kept when it names a
            # credential, or is a short title-like name on its own line.
            if (
                _CERT_CUE_RE.search(name)
                or _CERT_RE.search(name)
                or (
                    words <= 6
                    and segment.strip() == line.strip().strip(_BULLETS).strip()
                    and not re.search(r"[,:;%/]|https?:|\d{3,}", name)
                )
            ):
                add(name)
    for match in _cert_matches(full_text):
        name = _clean(match.group())
        if name.lower() not in {"certified", "professional certified"}:
            add(name)
    return found
