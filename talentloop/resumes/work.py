"""Work history entries from the text of a resume's work section(s).

Dates anchor the entries: each line holding a date range starts (or ends) one job. The short
lines around an anchor are its header; they are cut into fragments at separators
(" | ", " - ", ",", " at ", ...) and each fragment is scored as a title, a company or a place
from cue words (Engineer, Manager... / Ltd, Inc, Technologies, Bank... / "City, ST").
The other lines up to the next entry are its description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from talentloop.resumes.dates import MONTHS, is_range, iter_periods
from talentloop.resumes.parsed import Job, Period
from talentloop.resumes.sections import CONTINUED_RE


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLE_WORDS = _wordset(
    """
engineer engineers manager developer analyst consultant intern internship lead head
officer executive assistant associate director specialist architect administrator admin
coordinator designer tester programmer representative rep advisor adviser supervisor
accountant teacher lecturer professor president vp founder co-founder cofounder owner
partner trainee member technician clerk agent chef cook nurse scientist researcher fellow
instructor tutor trainer counselor counsellor officer secretary receptionist cashier
auditor controller editor writer author journalist producer planner buyer merchandiser
strategist marketer recruiter economist attorney lawyer advocate paralegal pharmacist
physician therapist technologist operator mechanic electrician driver superintendent
foreman inspector surveyor estimator underwriter banker broker teller dba sde sdet qa
devops expert evangelist leader principal chairman ceo cto cfo coo cio apprentice
apprenticeship volunteer contractor freelancer freelance student graduate headmaster
librarian assistant staff crew worker handler guard attendant host hostess waiter server
bartender barista stylist artist photographer illustrator animator model educator coach
pilot steward stewardess captain sergeant lieutenant commander specialist programmer-
nco ncoic corporal
analyst sme incharge in-charge
"""
)
TITLE_PREFIXES = _wordset(
    """
senior sr sr. junior jr jr. lead chief head assistant associate principal staff deputy
general regional national global vice executive trainee acting interim
"""
)
COMPANY_WORDS = _wordset(
    """
ltd ltd. limited inc inc. incorporated llc llp plc pvt pvt. private corp corp. corporation
co co. company gmbh ag sa s.a. bv b.v. oy ab spa s.p.a. srl sarl kg pte pty technologies
technology tech solutions solution systems services service software consulting
consultants consultancy labs lab bank banking university college school institute academy
hospital clinic group holdings industries international enterprises infotech infosystems
infoway networks communications telecom media studios studio partners associates
foundation trust agency ventures capital motors pharma pharmaceuticals healthcare
insurance finance financial securities logistics retail stores store restaurant hotel
hotels resorts airlines airways automotive energy power electronics global worldwide india
america corporate organization organisation council ministry department government federal
authority board club society church center centre infra projects constructions
construction builders exports imports textiles mills
"""
)
_PLACEHOLDER_COMPANY = "company name"

_SEPARATORS_RE = re.compile(
    r"\s+[|•·]\s+|\s[-\u2013\u2014]+\s|\s[-\u2013\u2014]+$|^[-\u2013\u2014]+\s|\t|\s{2,}|\s*[|•]\s*"
)
_AT_RE = re.compile(r"\s(?:at|@|chez|bei)\s", re.IGNORECASE)
_BULLET_RE = re.compile(r"^\s*[-\u2013\u2014•·*▪►●◦○■□✓✔➢➤→>❖〓\uf020-\uf0ff]+\s*")
_LOCATION_RE = re.compile(
    r"(?:(?<=\s)|^)(?P<loc>(?:City|[A-Z][a-zA-Z.'\-]+(?:\s[A-Z][a-zA-Z.'\-]+)?)\s?,\s?"
    r"(?:State|[A-Z]{2}(?:\s\d{5})?|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?))(?=\s|$|[,.)])"
)
# "Pittsburgh PA", "Kent OH.": a city and a US state's code, no comma between.
_CITY_STATE_RE = re.compile(
    r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|"
    r"ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|"
    r"WV|WI|WY)\.?"
)
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_ACRONYM_RE = re.compile(r"[A-Z][A-Z&./-]{1,7}")
# What a bracket after a title says of the job: "(Intern)", "(part-time)", "(Co-Op)".
_EMPLOYMENT_WORDS = _wordset(
    "intern internship trainee apprentice apprenticeship seasonal summer part full time "
    "contract contractor temporary temp permanent freelance volunteer voluntary co op "
    "internal resident remote acting interim graduate placement consultant consulting "
    "employment position role fixed term on site onsite hybrid"
)
_PIECE_END_RE = re.compile(r"\s*$|\s*[,;|\u2013\u2014]|\s+-\s|\s{2,}|\t")
_NOISE_RE = re.compile(
    r"^(?:(?:duration|period|role|designation|title|position|company|employer|"
    r"organi[sz]ation|client|dates?|tenure)\s*[:\-]\s*"
    r"|(?:from|to|since|as|worked|working|present|current)\b\s*[:\-]?\s*)",
    re.IGNORECASE,
)
_LABELLED_RE = re.compile(
    r"^\s*(?P<label>company(?:\s+name)?|employer|organi[sz]ation|designation|title|role|"
    r"position|job\s+title)\s*[:\-\u2013]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
# "Designation: Analyst", "Company: Acme": what the label says the value is.
_LABEL_SLOTS = {
    "company": "company",
    "employer": "company",
    "organization": "company",
    "organisation": "company",
    "designation": "title",
    "title": "title",
    "role": "title",
    "position": "title",
    "job": "title",
}
_REGIONS = _wordset(
    """
andhra pradesh karnataka maharashtra telangana tamil nadu kerala gujarat punjab haryana
delhi uttar bengal odisha orissa rajasthan bihar goa assam chandigarh madhya jharkhand
india usa us uk canada germany france singapore uae dubai australia
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york
carolina dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah vermont
virginia washington wisconsin wyoming ontario quebec
"""
)


_WORD_RE = re.compile(r"[a-z][a-z.&/'-]*")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower())


def title_score(fragment: str) -> float:
    words = [w.strip(".,/&'-") for w in _words(fragment)]
    if not words or len(words) > 9:
        return 0.0
    score = 0.0
    if words[-1] in TITLE_WORDS or (len(words) > 1 and words[-2] in TITLE_WORDS):
        score += 2.0
    elif any(w in TITLE_WORDS for w in words):
        score += 1.2
    if words[0] in TITLE_PREFIXES:
        score += 0.5
    if any(w in COMPANY_WORDS for w in words[-1:]):
        score -= 1.0
    return score


def company_score(fragment: str) -> float:
    words = [w.strip(",'") for w in _words(fragment)]
    if not words:
        return 0.0
    lowered = fragment.lower()
    if lowered.strip() == _PLACEHOLDER_COMPANY:
        return 3.0
    score = 0.0
    if words[-1] in COMPANY_WORDS or words[-1].rstrip(".") in COMPANY_WORDS:
        score += 2.0
    elif any(w in COMPANY_WORDS or w.rstrip(".") in COMPANY_WORDS for w in words):
        score += 1.0
    letters = [c for c in fragment if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(words) <= 4:
        score += 0.5
    if "&" in fragment or ".com" in lowered:
        score += 0.3
    return score


def location_score(fragment: str) -> float:
    text = fragment.strip()
    if not text:
        return 0.0
    if _LOCATION_RE.fullmatch(text):
        # "Seamless Technologies, San Jose" is an employer and its city, not a place.
        first, _, second = text.partition(",")
        head = _words(first)
        if head and head[-1].rstrip(".") in COMPANY_WORDS and head[-1] not in _REGIONS:
            return 0.0
        # "Medical Animatics, Inc" is an employer with its legal form.
        if second.strip().lower().rstrip(".") in _LEGAL_ONLY:
            return 0.0
        # "Analyst, Fernhollow Labs" is a title and its employer.
        tail = _words(second)
        if tail and tail[-1] in COMPANY_WORDS and title_score(first) >= 2:
            return 0.0
        return 2.0
    if _CITY_STATE_RE.fullmatch(text):
        return 2.0
    words = _words(text)
    if words and all(w.strip(",.") in _REGIONS for w in words):
        return 2.0
    if text.lower() in ("remote", "onsite", "on-site", "worldwide"):
        return 2.0
    return 0.0


_ABBREVIATION_END_RE = re.compile(
    r"(?:\b(?:inc|ltd|co|corp|pvt|jr|sr|llc|plc|dept|no|st|bros)|\b[A-Z]|[A-Z]\.[A-Z])\.$",
    re.IGNORECASE,
)
_DESCRIPTION_START = (
    "responsib",
    "role",
    "duties",
    "description",
    "project",
    "environment",
    "client",
    "team size",
    "technolog",
    "key ",
    "achievement",
    "tools",
    "skills",
    "job ",
    "worked ",
    "working ",
    "i ",
    "my ",
    "we ",
    "have ",
    "as ",
    "and ",
    "to ",
    "for ",
    "with ",
    "in ",
    "the ",
    "a ",
    "an ",
)


_SMALL_WORDS = _wordset("of and & the for in at de du la")

# Description openers that also open job titles ("Project Manager", "Key Account Manager",
# "Technology Director", "Client Services Lead", "Environmental Engineer").
_TITLE_OPENERS = ("project", "client", "technolog", "key ", "environment")


def _titled(line: str, lowered: str) -> bool:
    """A header that opens with a word descriptions also open with: "Project Manager at Acme"
    (a title before its employer), not "Project: Billing" or "Key achievements"."""
    if ":" in line or not lowered.startswith(_TITLE_OPENERS) or len(line.split()) > 8:
        return False
    return _opens_with_title(line)


_LIST_LINE_RE = re.compile(
    r"^(?!(?:present|current|till|to date|now|since)\b)[A-Z][a-zA-Z /&+.-]{1,30}:\s*[^,]+,[^,]+,",
    re.IGNORECASE,
)


def _is_description(line: str, bullet: bool) -> bool:
    words = line.split()
    if len(words) <= 8 and _LABELLED_RE.match(line):
        return False  # "Role : Lead Data Analyst" under an employer line
    if bullet and len(words) > 6:
        return True
    if len(words) > 12 or len(line) > 90:
        return True
    if line.endswith((".", ";")) and not _ABBREVIATION_END_RE.search(line):
        # "Systems Programmer, MIT Media Lab." is a header with a full stop; "Managed the
        # Director." a sentence.
        head = line[:-1].split(",")[0]
        return not (
            len(words) <= 6
            and title_score(head) >= 2
            and words[0][:1].isupper()
            and not words[0].lower().endswith(("ed", "ing"))
        )
    if words[0][0].islower() and words[0].islower() and len(words) >= 2:
        return True
    lowered = line.lower()
    if lowered.startswith(_DESCRIPTION_START) and not _titled(line, lowered):
        return True
    if line.count(",") >= 2 and _LIST_LINE_RE.match(line) and not _LABELLED_RE.match(line):
        return True  # "Databases: SQL Server, MySQL, Oracle"
    first = words[0].lower()
    if len(words) >= 5 and _SEPARATOR_FREE_RE.fullmatch(line):
        # "Supervise technical training for staff", "Attend required monthly staff meetings":
        # a duty, though it ends in a title word. Titles capitalise their words.
        lower = sum(1 for word in words[1:] if word[0].islower() and word not in _SMALL_WORDS)
        if lower >= 3 and lower * 2 >= len(words):
            return True
    if len(words) < 3 or not first.endswith(("ing", "ed")) or title_score(line) >= 2:
        return False
    # "Developed the billing module" is a sentence; "Bowling Green Motorsports" a name.
    lower = sum(1 for word in words[1:] if word[0].islower() and word not in _SMALL_WORDS)
    return lower > 0 and location_score(line) == 0


def _labelled(text: str) -> re.Match[str] | None:
    """ "Company: Acme", "Designation - Analyst". Not "Company Name - City , State" or
    "Company Name - Import Designer": a resume builder's placeholder employer, a dash, and the
    employer's place or the job's title."""
    found = _LABELLED_RE.match(text)
    if (
        found
        and found.group("label").lower().startswith("company")
        and ":" not in text[: found.start("value")]
    ):
        value = found.group("value")
        if (
            location_score(value) >= 2
            or _PLACEHOLDER_PLACE_RE.match(value)
            or value.strip() in _PLACEHOLDER_PLACES
            or (title_score(value) >= 2 and company_score(value) <= 0)
        ):
            return None
    return found


# The employer and place that anonymised resume-builder exports write ("Lead Teacher Company
# Name - City , State"): fragments of their own.
_PLACEHOLDER_PLACE_RE = re.compile(r"\bCity\s?,\s?State\b")
_PLACEHOLDER_COMPANY_RE = re.compile(r"\bCompany Name\b")
_PLACEHOLDER_PLACES = ("City", "State")  # "Company Name - City": the place alone
# A line with no header separators (commas, dashes, bars, "at", tabs, parentheses).
_SEPARATOR_FREE_RE = re.compile(r"[^,|\t()\u2013\u2014@]*")


def _unpaired_brackets_cut(line: str) -> str:
    """A bracket without its pair cuts a header like a separator: "EGS Inc. (for the Oregon
    Military Department", a bracket closed on the next line."""
    opened: list[int] = []
    unpaired: list[int] = []
    for index, char in enumerate(line):
        if char == "(":
            opened.append(index)
        elif char == ")":
            if opened:
                opened.pop()
            else:
                unpaired.append(index)
    if not opened and not unpaired:
        return line
    chars = list(line)
    for index in opened + unpaired:
        chars[index] = " | "
    return "".join(chars)


def _paren_piece(match: re.Match[str]) -> str:
    """A bracketed piece of a header is a fragment of its own ("Acme (Boston, MA)", "Amdocs
    (Raanana)", "Clerk (temp via ABC Agency)"), but an acronym or what a job is ("contract",
    "Part Time") that ends a piece stays with the words before: "Project Leader (contract)",
    "Analyst (TA)"."""
    inside = match.group(1)
    words = inside.lower().replace("-", " ").split()
    if (
        (_ACRONYM_RE.fullmatch(inside) or (words and _EMPLOYMENT_WORDS.issuperset(words)))
        and location_score(inside) == 0
        and _PIECE_END_RE.match(match.string, match.end())
    ):
        return match.group(0)
    return " | " + inside + " | "


def _fragments(line: str) -> list[str]:
    """A header line cut at separators; parentheses and " at " split too."""
    line = _PLACEHOLDER_PLACE_RE.sub(" | City, State | ", line)
    line = _PLACEHOLDER_COMPANY_RE.sub(" | Company Name | ", line)
    line = _PAREN_RE.sub(_paren_piece, line)
    if "(" in line or ")" in line:
        line = _unpaired_brackets_cut(line)
    pieces: list[str] = []
    whole: set[int] = set()  # pieces not cut at their commas
    for part in _SEPARATORS_RE.split(line):
        at_parts = _AT_RE.split(part)
        for number, piece in enumerate(at_parts):
            piece = _trim(piece, " ,;:-\u2013\u2014|/")
            head, colon, tail = piece.partition(": ")
            if colon and tail and title_score(head) >= 2 and not _LABELLED_RE.match(piece):
                pieces += [head.strip(), tail.strip()]  # "Instructor: Robert Morris College"
            elif piece:
                # "Technology Director, CSM at GSW": before " at " is the title, commas and all.
                if number == 0 and len(at_parts) == 2 and title_score(piece.split(",")[0]) >= 2:
                    whole.add(len(pieces))
                pieces.append(piece)
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if "," in piece and index not in whole and location_score(piece) == 0:
            out.extend(_comma_parts(piece))
        else:
            out.append(piece)
    cleaned = [_NOISE_RE.sub("", p).strip(" ,;:-") for p in out]
    # A bracket left open by a cut ("Associate Technology [") goes with the cut.
    cleaned = [p.rstrip(" [({") if p.endswith(("[", "(", "{")) else p for p in cleaned]
    # A full stop ends a sentence-like header ("MIT Media Lab."), not "Inc." or "Co.".
    cleaned = [
        p[:-1] if p.endswith(".") and not _ABBREVIATION_END_RE.search(p) else p for p in cleaned
    ]
    return [p for p in cleaned if p]


_REGION_QUALIFIERS = _wordset("new north south west east")


def _is_region(part: str) -> bool:
    """ "California", "New Jersey", "Tamil Nadu" (a state or country name, capitalised)."""
    words = part.split()
    if not words or len(words) > 3 or not part[:1].isupper():
        return False
    lowered = [word.lower() for word in words]
    if lowered[-1] not in _REGIONS:
        return False
    return all(word in _REGIONS or word in _REGION_QUALIFIERS for word in lowered)


def _comma_parts(piece: str) -> list[str]:
    """ "AMD, Inc., San Angelo, TX" -> ["AMD, Inc.", "San Angelo, TX"]."""
    parts = [p.strip() for p in piece.split(",") if p.strip()]
    merged: list[str] = []
    for part in parts:
        lowered = part.lower().rstrip(".")
        is_suffix = lowered in COMPANY_WORDS and len(part.split()) <= 2 and merged
        is_region = merged and len(part) == 2 and part.isupper() and location_score(merged[-1]) == 0
        if merged and not is_region and _is_region(part) and location_score(merged[-1]) == 0:
            # "Santa Rosa, California" is one place; "Acme Labs, Texas" an employer and one.
            previous = merged[-1]
            city_like = len(merged) > 1 and len(previous.split()) <= 3
            titled = len(previous.split()) > 3 and title_score(previous) > 0
            is_region = (city_like or titled) and company_score(previous) == 0
        if is_region:
            # "CME Group-Chicago, IL": the place is the last word(s) before the region.
            head, _, city = merged[-1].rpartition("-")
            if head and city[:1].isupper() and " " not in city.strip():
                merged[-1:] = [head.strip(), city.strip()]
            elif len(merged[-1].split()) > 3:
                words = merged[-1].split()
                merged[-1:] = [" ".join(words[:-2]), " ".join(words[-2:])]
            merged[-1] = f"{merged[-1]}, {part}"
        elif is_suffix:
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    return merged


def _strip_date(line: str, start: int, end: int) -> str:
    before, after = line[:start].rstrip(), line[end:].lstrip()
    closing = after[:1]
    opening = {")": "(", "]": "["}.get(closing, "")
    if opening and before.count(opening) > before.count(closing):
        # "Analyst (TA) (2008 - 2011)": the brackets go with the date; "Advisor (part time,
        # full time from 2013)": the bracket closes before it.
        before = before[:-1] if before.endswith(opening) else before + closing
        after = after[1:]
    return _trim(before + " | " + after)


def _trim(text: str, chars: str = " |,;:-\u2013\u2014") -> str:
    """`chars` and the brackets that a cut leaves at a header's edges ("Acme (" of "Acme
    (2015 - 2018)"); a bracket that closes one in the text stays ("Analyst (QMRP)"), and one
    around the whole text goes ("(Contract Position)")."""
    while True:
        text = text.strip(chars)
        for opening, closing in ("()", "[]"):
            opens, closes = text.count(opening), text.count(closing)
            if text.endswith(opening) or (text.endswith(closing) and closes > opens):
                text = text[:-1]
            elif text.startswith(closing) or (text.startswith(opening) and opens > closes):
                text = text[1:]
            elif text[:1] == opening and text[-1:] == closing and opens == closes == 1:
                text = text[1:-1]
            else:
                continue
            break
        else:
            return text


def _find_anchor(line: str) -> tuple[Period, int, int] | None:
    """The date range of a header line (a lone year or month counts at its ends)."""
    if len(line) > 140:
        return None
    for start, end, period in iter_periods(line):
        if is_range(period):
            return period, start, end
        stripped = line.strip()
        at_edge = start <= 1 or end >= len(stripped) - 1
        if at_edge and period.start_month is not None:
            return period, start, end
        if at_edge and len(stripped.split()) <= 8:
            return period, start, end
    return None


_ONLY_DATE_RE = re.compile(
    r"(?:[A-Za-z]{3,9}\.?\s+)?(?:19|20)\d\d|[A-Za-z]{3,9}\.?\s\d\d|[01]?\d/(?:19|20)\d\d"
    r"|present|current|till date|now|today|date",
    re.IGNORECASE,
)
# A line that opens with a date: "Present: Vehicle Technician, Santa Monica Garage".
_STARTS_WITH_DATE_RE = re.compile(
    r"(?:(?:[A-Za-z]{3,9}\.?\s+)?(?:19|20)\d\d|[01]?\d/(?:19|20)\d\d|present|current"
    r"|till date|to date|today)\b\s*[:,|]",
    re.IGNORECASE,
)
_ENDS_WITH_YEAR_RE = re.compile(
    rf"(?:(?:19|20)\d\d|\b(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})\.?\s?\d\d)"
    r"(?P<dash>\s*(?:[-\u2013\u2014]|to))?$",
    re.IGNORECASE,
)


def _merge_split_dates(lines: list[str]) -> list[str]:
    """ "January 2008" / "Present" on two lines -> one line; "( Sept 13" / "Till Date)",
    "June 17 -" / "Today" and "January 2015" / "- May 2015" too."""
    merged: list[str] = []
    for line in lines:
        stripped = line.strip()
        if merged and stripped and len(stripped) <= 20:
            only_date = _ONLY_DATE_RE.fullmatch(stripped.strip("()[] -\u2013\u2014"))
            previous = merged[-1].rstrip()
            ends = _ENDS_WITH_YEAR_RE.search(previous)
            if only_date and ends:
                dashed = ends["dash"] or stripped.startswith(("-", "\u2013", "\u2014"))
                merged[-1] = f"{previous} {stripped}" if dashed else f"{previous} - {stripped}"
                continue
        if merged and _STARTS_WITH_DATE_RE.match(stripped):
            # A lone date over a line that opens with one: a flattened text lost the dash
            # between them ("2005" / "Present: Technician, Garage").
            previous = merged[-1].strip()
            if _ONLY_DATE_RE.fullmatch(previous) and _ENDS_WITH_YEAR_RE.search(previous):
                merged[-1] = f"{previous} - {stripped}"
                continue
        merged.append(line)
    return merged


_DOMAIN_RE = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,10}(?:/\S*)?")


_LABEL_WORDS = _wordset(
    "position title designation role company employer organisation organization location "
    "duration period dates date client project team size responsibilities"
)
# A security clearance written beside a job ("U.S. Army | SECRET | May 2011 - Present").
_CLEARANCES = frozenset({"secret", "top secret", "ts/sci", "ts / sci", "top secret/sci"})
_OPENING_QUOTES = "\"'\u201c\u2018\u00ab"
_CLOSING_QUOTES = "\u201d\u2019\u00bb"
_LEGAL_ONLY = _wordset("inc ltd llc llp plc corp co pvt gmbh limited")
# How long a job lasted, as LinkedIn and others write it beside the dates: "(1 year 9 months)".
_DURATION_RE = re.compile(
    r"(?:less than (?:a|one) (?:year|month)|(?:about |over |under |~)?\d+(?:\.\d+)?\+?\s*"
    r"(?:years?|yrs?|months?|mos?)\.?(?:,?\s*(?:and\s+)?\d+\s*(?:months?|mos?)\.?)?)",
    re.IGNORECASE,
)


def _assign(fragments: list[str], job: Job, labelled: Mapping[str, str] | None = None) -> float:
    """Fill title, company and location of `job` from header fragments and from the values of
    labelled lines ("Designation: Analyst" is the title); returns a confidence."""
    labelled = labelled or {}
    job.title = labelled.get("title", "")
    job.company = labelled.get("company", "")
    confidence = 0.3 + 0.3 * len(labelled)
    known = {value.lower() for value in labelled.values()}
    candidates = []
    domains: list[str] = []
    # Beside a resume builder's placeholder employer, "City" or "State" alone is its place.
    placeholder = "Company Name" in fragments
    for index, fragment in enumerate(fragments):
        if fragment.lower() in known:
            continue  # "Analyst" above "Designation: Analyst"
        if _DOMAIN_RE.fullmatch(fragment):
            # "acme.com" under "Acme": the employer's site, a name only when nothing else is.
            domains.append(fragment)
            continue
        if len(fragment) > 80 or len(fragment) < 2 or len(fragment.split()) > 9:
            continue
        if sum(c.isalpha() for c in fragment) < 2 or fragment.lower() in _LABEL_WORDS:
            continue  # "16", a lone "Position"
        if fragment.lower() in _CLEARANCES:
            continue
        digits = sum(c.isdigit() for c in fragment)
        if digits > 2 and digits * 3 > len(fragment.replace(" ", "")):
            continue
        if fragment.split()[0] in ("in", "as", "a", "and", "of", "for", "with", "to", "the"):
            continue
        if fragment.lower().rstrip(".") in _LEGAL_ONLY or fragment[0] in _CLOSING_QUOTES:
            continue
        if _DURATION_RE.fullmatch(fragment):
            continue  # "10 months": how long, not who
        if "@" in fragment and " " not in fragment:
            continue  # an e-mail address over the first job of a resume without headings
        if fragment[0] in _OPENING_QUOTES and len(fragment.split()) >= 5:
            continue  # the quoted title of a paper or a talk
        candidates.append(
            (
                index,
                fragment,
                title_score(fragment),
                company_score(fragment),
                (
                    2.0
                    if placeholder and fragment in _PLACEHOLDER_PLACES
                    else location_score(fragment)
                ),
            )
        )
    # A name followed by its place ("Acme, Boston, MA") is an employer.
    for number, (index, fragment, title, company, loc) in enumerate(candidates[:-1]):
        if candidates[number + 1][4] >= 2 and loc == 0 and title < 2:
            candidates[number] = (index, fragment, title, company + 1.0, loc)
    used: set[int] = set()
    for index, fragment, _, _, loc in candidates:
        if loc >= 2 and not job.location:
            job.location = fragment
            used.add(index)
    rest = [c for c in candidates if c[0] not in used]
    titled = max((c for c in rest if c[2] > 0 and c[2] >= c[3]), key=lambda c: c[2], default=None)
    if titled:
        used.add(titled[0])
        if not job.title:
            job.title = titled[1]
            confidence += 0.25
    rest = [c for c in rest if c[0] not in used]
    companied = max((c for c in rest if c[3] > 0), key=lambda c: c[3], default=None)
    if companied:
        used.add(companied[0])
        if not job.company:
            job.company = companied[1]
            confidence += 0.25
    rest = [c for c in rest if c[0] not in used]
    # No cue left: the order decides (a title usually comes first unless a title was found).
    named = [c for c in rest if _name_like(c[1])]
    if named and not job.company and job.title:
        job.company = named[0][1]
        confidence += 0.1
    elif rest and not job.title and job.company:
        job.title = rest[0][1]
        confidence += 0.1
    elif rest and not job.title and not job.company:
        job.title = rest[0][1]
        if len(rest) > 1:
            job.company = rest[1][1]
    if domains and not job.company:
        job.company = domains[0]
    if job.title and not job.company and job.location:
        _split_employer_place(job)
    return min(confidence, 1.0)


def _name_like(fragment: str) -> bool:
    """Whether a fragment could be a name: not a phrase of lower-case words ("Identification
    of various channels for sourcing", "Customer service and order taking")."""
    words = fragment.split()
    lower = sum(1 for word in words[1:] if word[0].islower() and word not in _SMALL_WORDS)
    return lower < 2


def _split_employer_place(job: Job) -> None:
    """ "Acme Analytics, London" under a title, and no employer found: the name before the
    comma is the employer. Only when the part after it is one word that names no region
    ("Austin, TX", "Pune, India" and "London, United Kingdom" stay places) and the part
    before it is more than a lone town name (two words or more, or a hyphenated name)."""
    head, comma, tail = job.location.partition(",")
    head, tail = head.strip(), tail.strip()
    if not comma or " " in tail or not tail[:1].isupper() or len(tail) <= 2:
        return
    if tail.lower() in _REGIONS or tail.lower() in ("state", "city"):
        return
    if len(head.split()) < 2 and "-" not in head:
        return
    if any(word.strip(".,").lower() in _REGIONS for word in head.split()):
        return
    job.company, job.location = head, tail


_TEMPLATE_YEAR_RE = re.compile(r"(?<![\w])(?:19|20)XX(?![\w])", re.IGNORECASE)
_BULLET_ONLY_RE = re.compile(r"^\s*[-\u2013\u2014•·*▪►●◦○■□✓✔➢➤→>❖〓o\uf020-\uf0ff]\s*$")


@dataclass(slots=True)
class _Line:
    text: str
    bullet: bool
    period: Period | None = None
    rest: str = ""  # the text without its date

    @property
    def is_header(self) -> bool:
        if self.period is not None:
            return True
        return not _is_description(self.text, self.bullet)


def _opens_with_title(text: str) -> bool:
    """Whether a header's text (after its dates, if they open it) starts with a job title."""
    pieces = _fragments(text[:200])
    return bool(pieces) and title_score(pieces[0]) >= 2


def _read_lines(section_text: str) -> list[_Line]:
    lines: list[_Line] = []
    bullet_pending = False
    for raw in _merge_split_dates(section_text.split("\n")):
        if _BULLET_ONLY_RE.match(raw):
            bullet_pending = True
            continue
        bullet = bullet_pending or bool(_BULLET_RE.match(raw))
        bullet_pending = False
        text = _BULLET_RE.sub("", raw).strip()
        if not text:
            continue
        line = _Line(text=text, bullet=bullet)
        long_bullet = bullet and len(text.split()) > 8
        found = _find_anchor(text)
        # A long bulleted line is a description unless its dates close it, as a header's do:
        # "• Altisource Business Solutions Pvt Ltd, Bangalore (Sept 13 - Till Date)", or open
        # it before a title: "• July 2020 - now: Java Developer, Elpisor Ltd (Rehovot)".
        if found is not None and long_bullet and found[2] < len(text.rstrip(" )]")):
            titled = found[1] <= 1 and _opens_with_title(text[found[2] :])
            found = found if titled else None
        if found is not None or not long_bullet:
            if found is not None:
                period, start, end = found
                rest = _strip_date(text, start, end)
                if len(rest.split()) <= 14:
                    line.period, line.rest = period, rest
            elif _TEMPLATE_YEAR_RE.search(text) and len(text) < 80:
                match = _TEMPLATE_YEAR_RE.search(text)
                assert match is not None
                line.period = Period(raw=match.group(0))
                cut = re.sub(
                    r"(?:[A-Za-z]{3,9}\.?,?\s*)?(?:19|20)XX(?:\s*(?:-|\u2013|to)\s*(?:present|current))?",
                    " | ",
                    text,
                    flags=re.IGNORECASE,
                )
                line.rest = _trim(cut)
        lines.append(line)
    return lines


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of header lines, each run split so that it holds at most one dated line."""
    runs: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.is_header:
            current.append(line)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    blocks: list[list[_Line]] = []
    for run in runs:
        dated = [i for i, line in enumerate(run) if line.period is not None]
        if len(dated) <= 1:
            blocks.append(run)
            continue
        # Several dates in one run: a date closes its entry when text came before the first
        # date, else it opens one.
        closes = dated[0] > 0 or bool(run[0].rest)
        edges = [d + 1 for d in dated[:-1]] if closes else dated[1:]
        previous = 0
        for edge in edges:
            blocks.append(run[previous:edge])
            previous = edge
        blocks.append(run[previous:])
    return blocks


_YEARISH_RE = re.compile(r"\d\d")
_INDEED_COMPANY_RE = re.compile(r"^(?P<company>.+?)\s+-(?:\s+(?P<place>.*?)\s+-)?$")
# A job with no dates loses the trailing dash: "Accenture Services -  Pune, Maharashtra".
_INDEED_UNDATED_RE = re.compile(r"^(?P<company>[^-]+?)\s+-\s+(?P<place>[^-]+)$")


def _indeed_company(line: str, title_above: bool) -> re.Match[str] | None:
    if len(line) > 100:
        return None
    if line.endswith(" -"):
        return _INDEED_COMPANY_RE.match(line)
    match = _INDEED_UNDATED_RE.match(line) if title_above else None
    return match if match and location_score(match.group("place")) > 0 else None


def _date_only(line: str) -> Period | None:
    """The period when `line` is nothing but a date or a date range."""
    if len(line) > 60 or _YEARISH_RE.search(line) is None:
        return None
    for start, end, period in iter_periods(line):
        rest = (line[:start] + line[end:]).strip(" ,;:()[]|-\u2013\u2014")
        return period if not rest else None
    return None


def _indeed_jobs(raw_lines: list[str]) -> list[Job] | None:
    """The job-board layout ("Title" / "Company - City, ST -" / "Month YYYY to Present"), or
    None when the section is not written that way (no company line ending in " -" right
    above a line holding only dates). A job there may have no dates: a title-like line above
    a company line is a job too."""
    lines = [line.strip() for line in raw_lines if line.strip()]
    if not any(line.endswith(" -") for line in lines):
        return None
    dated = {index: period for index, line in enumerate(lines) if (period := _date_only(line))}
    cued = sum(1 for index in dated if index > 0 and lines[index - 1].endswith(" -"))
    if not cued or cued * 2 < len(dated):
        return None
    companies = {
        index: match
        for index, line in enumerate(lines)
        if (match := _indeed_company(line, index > 0 and title_score(lines[index - 1]) > 0))
    }
    jobs: list[Job] = []
    spans: list[tuple[int, int]] = []  # each job's first line and first line after its header
    for index in range(len(lines)):
        above = lines[index - 1] if index > 0 else ""
        titled = (
            index > 0
            and index - 1 not in dated
            and index - 1 not in companies
            and not _is_description(above, False)
        )
        if (match := companies.get(index)) is not None:
            job = Job(period=dated.get(index + 1), company=match.group("company").strip(" -,"))
            job.location = (match.group("place") or "").strip(" -,")
            if titled and (job.period is not None or title_score(above) > 0):
                job.title = above.strip(" -,")
            elif job.period is None:
                continue
            first = index - 1 if job.title else index
            after = index + (2 if job.period is not None else 1)
        elif index in dated and index - 1 not in companies:
            if not (titled and title_score(above) > 0):
                continue
            job = Job(period=dated[index], title=above.strip(" -,"))
            first, after = index - 1, index + 1
        else:
            continue
        if spans and first < spans[-1][1]:
            continue
        job.confidence = 0.85 if job.title and job.company else 0.6
        jobs.append(job)
        spans.append((first, after))
    bounds = [first for first, _ in spans[1:]] + [len(lines)]
    for job, (_, after), end in zip(jobs, spans, bounds, strict=True):
        job.description = "\n".join(_BULLET_RE.sub("", line) for line in lines[after:end])
    return jobs


def parse_work(section_text: str) -> list[Job]:
    """Jobs in the order written, each from a block of short header lines between
    descriptions; a block needs a date or a title-like line to count as a job."""
    raw_lines = section_text.split("\n")
    indeed = _indeed_jobs(raw_lines)
    if indeed is not None:
        return indeed
    lines = _read_lines(section_text)
    jobs: list[Job] = []
    position = {id(line): index for index, line in enumerate(lines)}
    blocks = _blocks(lines)
    for number, block in enumerate(blocks):
        dated = next((line for line in block if line.period is not None), None)
        if len(block) > 5 and dated is None:
            continue
        if dated is None and any(CONTINUED_RE.search(line.text.lower()) for line in block):
            continue  # "Sales Director (Continued)": the job above, over a page break
        if dated is not None:
            at = block.index(dated)
            block = block[max(0, at - 3) : at + 3]
        fragments: list[str] = []
        labelled_values: dict[str, str] = {}
        for line in block:
            text = line.rest if line.period is not None else line.text
            labelled = _labelled(text)
            if labelled:
                value = labelled.group("value").strip()
                slot = _LABEL_SLOTS[labelled.group("label").split()[0].lower()]
                if value and slot not in labelled_values:
                    labelled_values[slot] = value
                elif value:
                    fragments.append(value)
            elif text:
                fragments.extend(_fragments(text))
        job = Job(period=dated.period if dated else None)
        confidence = _assign(fragments, job, labelled_values)
        if not job.title and not job.company:
            continue
        job.location = _SPACE_BEFORE_COMMA_RE.sub(",", job.location)  # "Kent , OH"
        if dated is None and title_score(job.title) < 2:
            continue
        first_desc = position[id(block[-1])] + 1
        end = len(lines)
        if number + 1 < len(blocks):
            end = position[id(blocks[number + 1][0])]
        job.description = "\n".join(line.text for line in lines[first_desc:end])
        if dated is not None and dated.period is not None and is_range(dated.period):
            confidence += 0.1
        elif dated is None:
            confidence -= 0.2
        job.confidence = round(max(0.05, min(confidence, 1.0)), 2)
        jobs.append(job)
    return _nest_roles(_without_lone_years(jobs))


_SPACE_BEFORE_COMMA_RE = re.compile(r"\s+,")


def _lone_year(period: Period | None) -> bool:
    return period is not None and period.start_month is None and not is_range(period)


def _without_lone_years(jobs: list[Job]) -> list[Job]:
    """Where date ranges mark the jobs, an entry dated by a lone year is something else: an
    award, a paper, a product version ("Exchange Server 2010")."""
    ranged = sum(1 for job in jobs if job.period is not None and is_range(job.period))
    if ranged < 2:
        return jobs
    return [job for job in jobs if not _lone_year(job.period)]


def _within(job: Job, parent: Job) -> bool:
    """The years of `job` lie inside those of `parent`."""
    inner, outer = job.period, parent.period
    if inner is None or outer is None or inner.start_year is None or outer.start_year is None:
        return False
    if inner.start_year < outer.start_year:
        return False
    if outer.current:
        return True
    return outer.end_year is not None and (inner.end_year or inner.start_year) <= outer.end_year


def _nest_roles(jobs: list[Job]) -> list[Job]:
    """An employer line with its dates, then roles with their own dates and no employer: the
    roles were held there ("Acme Bank, 2000 to 2012" / "Manager, 2005 to 2012" / ...)."""
    out: list[Job] = []
    parent: Job | None = None
    for job in jobs:
        if job.company and not job.title and job.period is not None:
            parent = job if company_score(job.company) > 0 and is_range(job.period) else None
            out.append(job)
            continue
        if parent is not None and job.title and not job.company and _within(job, parent):
            job.company = parent.company
            job.location = job.location or parent.location
            if out and out[-1] is parent:
                out.pop()
                job.description = "\n".join(filter(None, [parent.description, job.description]))
            out.append(job)
            continue
        parent = None
        out.append(job)
    return out
