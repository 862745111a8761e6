"""Contact fields from resume text: name, e-mails, phones, links, location, headline.

The name is the first person-like line near the top ("Name: X" wins); e-mails and links are
found anywhere; phones go through `phonenumbers` (E.164) after cheap shape checks that keep
dates, year ranges and postal codes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

from talentloop.duplicates.nicknames import FAMILIES
from talentloop.resumes.work import title_score


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EMAIL_RE = re.compile(
    r"(?<![\w.+'-])([A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9-])"
)
_URL_RE = re.compile(
    r"(?<![@\w.-])((?:https?://|www\.)[^\s<>\"'|,;()]{2,200}"
    r"|(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|behance\.net"
    r"|dribbble\.com|stackoverflow\.com|medium\.com|twitter\.com|x\.com|kaggle\.com"
    r"|indeed\.com)/[^\s<>\"'|,;()]{1,200}"
    r"|[a-z0-9][a-z0-9-]{1,62}(?:\.[a-z0-9-]{2,62})*\.(?:com|net|org|io|dev|me|info|co|in|uk|de"
    r"|fr)(?:/[^\s<>\"'|,;()]*)?)(?![\w@])",
    re.IGNORECASE,
)
# "://", "www." or ".com" in any case. Each branch opens with a literal character (the case
# rule only inside), so sre skips ahead to ":", "w", "W" or "." instead of trying every spot.
_URL_HINT_RE = re.compile(
    r":(?=//)|w(?=[wW]{2}\.)|W(?=[wW]{2}\.)"
    r"|\.(?=(?i:com|net|org|io|dev|me|info|co|in|uk|de|fr)(?!\w))"
)
_PHONE_CANDIDATE_RE = re.compile(r"(?<![\w/.-])(\+?\(?\d[\d ().\-\u2013/]{6,22}\d)(?![\w/-])")
# The digits-to-digits core of a candidate: a cheap scan (it opens with a digit) that finds
# the lines worth the full pattern, which holds within one line.
_PHONE_CORE_RE = re.compile(r"\d[\d ().\-\u2013/]{6,22}\d")
_DATE_LIKE_RE = re.compile(
    r"^(?:(?:19|20)\d\d\s*[-\u2013/]\s*(?:19|20)?\d\d|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2}[/.-](?:19|20)\d\d\s*[-\u2013]\s*\d{1,2}[/.-](?:19|20)\d\d)$"
)
_LABEL_RE = re.compile(
    r"^\s*(?:full\s+)?name\s*[:\-\u2013]\s*(?:(?:mr|mrs|ms|miss|dr)\.?\s+)?(?P<name>[^\n|,;:]{3,60})",
    re.IGNORECASE | re.MULTILINE,
)
_LOCATION_LABEL_RE = re.compile(
    r"^\s*(?:location|address|city|current\s+location|place|lives?\s+in)\s*[:\-\u2013]\s*"
    r"(?P<place>[^\n|]{3,80})$",
    re.IGNORECASE | re.MULTILINE,
)
_NAME_TOKEN_RE = re.compile(r"^(?:[A-Z][a-zA-Z'\u2019\-]*\.?|[A-Z]\.|[A-Z][a-z]+-[A-Z][a-z]+)$")
_NAME_PARTICLES = {"de", "van", "von", "da", "der", "den", "bin", "al", "del", "la", "le", "di"}
_CREDENTIALS_RE = re.compile(
    r",?\s+(?:ph\.?\s?d|m\.?\s?d|mba|cpa|pmp|p\.h\.r|sphr|rn|esq|jr|sr|ii|iii|ed\.?\s?d)\.?\s*$",
    re.IGNORECASE,
)
_NAME_SPLIT_RE = re.compile(r"\s{2,}|\t|[|•·~,;:(\[{<]|\s[-\u2013\u2014]\s|\d|\S+@|https?:|www\.")

# Words that do not stand in a person's name: resume boilerplate, headings, titles, places.
NOT_NAME_WORDS = _wordset(
    """
resume résumé cv curriculum vitae sample template example format page profile name your mr
mrs ms miss dr prof street st road rd avenue ave drive dr lane ln apt suite box po city
nagar colony sector block floor house flat building plot near opp post district phone
mobile tel telephone cell fax email e-mail mail contact address linkedin github website
web portfolio summary objective career experience education skills skill projects project
profile personal details information references declaration languages certifications
achievements awards interests hobbies qualification qualifications professional work
employment history engineer engineering manager management developer development analyst
consultant intern internship lead head officer executive assistant associate director
specialist architect administrator coordinator designer tester programmer representative
advisor adviser supervisor accountant teacher president founder owner trainee member
technician clerk agent chef nurse student seeking looking job position company university
college school institute department faculty senior junior sr jr principal staff chief vice
general software hardware systems system network data sales marketing business finance
financial hr human resources operations service services customer support technical
technology information it web java android digital media quality assurance test testing
project program product research science sciences arts commerce bachelor master masters
diploma degree mba btech mtech the of and for in at with to a an on from by as our my is
are was am be india usa united states kingdom new york california texas london bangalore
bengaluru hyderabad pune chennai mumbai delhi karnataka maharashtra telangana microsoft
oracle infosys accenture google amazon ibm cisco tcs wipro capgemini cognizant limited ltd
inc pvt llc corporation corp group solutions technologies bank present current date year
years month months total certified seeking dear sir madam objective overview highlights
accomplishments strengths expertise competencies do not copy birth born font fonts styles
style marital status nationality gender age very proficient last updated elementary editor
physical los san santa new north south east west upper lower mountain heights
magna cum laude summa honors honours children state teaching licenses license
licensed expected graduation graduate active directory tours tour volunteer contestant
sample samples guidelines tips example examples copy font size margins margin document
address addresses permanent present correspondence residence home office birth place
job seeker candidate applicant areas area strengths hands windows server network
networks security cloud support admin services solutions consulting training trainer
sales operations account accounts retail store stores district county public schools high
elementary middle primary secondary club society association team teams committee board
department faculty lab laboratory center centre hospital clinic services
"""
)

_US_STATES = _wordset(
    """
AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC
"""
)
_REGIONS = _wordset(
    """
andhra pradesh arunachal assam bihar chhattisgarh goa gujarat haryana himachal jharkhand
karnataka kerala madhya maharashtra manipur meghalaya mizoram nagaland odisha orissa
punjab rajasthan sikkim tamil nadu telangana tripura uttar uttarakhand bengal west delhi
chandigarh puducherry jammu kashmir alabama alaska arizona arkansas california colorado
connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas kentucky
louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana
nebraska nevada hampshire jersey mexico york carolina dakota ohio oklahoma oregon
pennsylvania rhode island tennessee texas utah vermont virginia washington wisconsin
wyoming ontario quebec alberta columbia england scotland wales ireland india usa uk canada
germany france australia singapore uae dubai portugal spain italy
netherlands belgium switzerland austria sweden norway denmark finland poland brazil japan
china argentina nigeria kenya egypt pakistan bangladesh sri lanka nepal philippines malaysia
indonesia vietnam thailand israel qatar saudi arabia africa zealand united kingdom states
emirates arab
"""
)
# Words of NOT_NAME_WORDS that are at home in a place ("London", "New York", "City of X").
_PLACE_WORDS = _wordset(
    """
london bangalore bengaluru hyderabad pune chennai mumbai delhi new york los san santa north
south east west upper lower mountain heights city
"""
)
_CITY_STATE_RE = re.compile(
    r"(?<![\w])(?P<loc>[A-Z][A-Za-z.'\-]+(?:\s[A-Z][A-Za-z.'\-]+){0,2}\s?,\s?"
    r"(?:[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?|[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}))(?![\w])"
)
_INDEED_LOCATION_RE = re.compile(r"^(?P<loc>[^\n]{2,60}?)\s*-\s*Email me on Indeed", re.MULTILINE)


@dataclass(slots=True)
class Contact:
    name: str = ""
    name_confidence: float = 0.0
    emails: list[str] | None = None
    phones: list[str] | None = None
    links: list[str] | None = None
    location: str = ""
    location_confidence: float = 0.0


def find_emails(text: str) -> list[str]:
    """Distinct e-mail addresses, lower-cased, in order of appearance."""
    found: list[str] = []
    if "@" not in text:
        return found
    lines = "\n".join(line for line in text.split("\n") if "@" in line)
    for match in _EMAIL_RE.finditer(lines):
        email = match.group(1).lower().strip(".'")
        local, _, domain = email.partition("@")
        if ".." in email or not local or domain.startswith("-"):
            continue
        if email not in found:
            found.append(email)
    return found


def find_phones(text: str, default_region: str | None = None) -> list[str]:
    """Distinct phone numbers: E.164 when `phonenumbers` accepts them, else the digits.

    Without a default region only numbers written with a "+" country code are accepted
    as parsed; the others are kept as digits when they have a phone-like shape.
    """
    found: list[str] = []
    for match in _phone_candidates(text):
        raw = match.group(1).strip()
        digits = re.sub(r"\D", "", raw)
        if not 7 <= len(digits) <= 15 or _DATE_LIKE_RE.match(raw):
            continue
        # A bare run of digits without any grouping is more often an ID than a phone.
        if raw.isdigit() and not 10 <= len(digits) <= 12:
            continue
        before = text[max(0, match.start() - 12) : match.start()].lower()
        if any(word in before for word in ("pin", "zip", "id", "no.", "code")) and not any(
            word in before for word in ("ph", "mob", "tel", "cell", "contact")
        ):
            continue
        value = _normalize_phone(raw, digits, default_region)
        if value and value not in found:
            found.append(value)
    return found


def _phone_candidates(text: str) -> Iterator[re.Match[str]]:
    """`_PHONE_CANDIDATE_RE.finditer(text)`, run only over the lines that hold a core."""
    pos = 0
    while (core := _PHONE_CORE_RE.search(text, pos)) is not None:
        start = text.rfind("\n", 0, core.start()) + 1
        end = text.find("\n", core.end())
        end = len(text) if end < 0 else end
        yield from _PHONE_CANDIDATE_RE.finditer(text, start, end)
        pos = end


def _normalize_phone(raw: str, digits: str, default_region: str | None) -> str:
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(digits) >= 10 and (raw.startswith("+") or re.search(r"[\s().-]", raw)):
        return ("+" if raw.startswith("+") else "") + digits
    return ""


def find_links(text: str, emails: list[str] | None = None) -> list[str]:
    """Distinct profile and site URLs, normalised to "https://host/path" (no trailing "/")."""
    email_domains = {email.partition("@")[2] for email in emails or find_emails(text)}
    found: list[str] = []
    # Only lines that can hold an address go through the (slow) URL pattern.
    lines = "\n".join(line for line in text.split("\n") if _URL_HINT_RE.search(line))
    for match in _URL_RE.finditer(lines):
        url = match.group(1).rstrip(".,;:!?)]}'\"")
        bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
        host = bare.split("/", 1)[0].lower()
        if not host or "." not in host or host in email_domains:
            continue
        # A bare "word.com" mention is a site only when it looks like one.
        bare_mention = "/" not in bare and not url.lower().startswith(("http", "www."))
        if bare_mention and (host.count(".") > 2 or len(host) > 40):
            continue
        path = bare[len(host) :].split("?", 1)[0].rstrip("/")
        if host.endswith("indeed.com") and not path.startswith("/r/"):
            continue
        normalized = f"https://{host}{path}"
        if normalized not in found:
            found.append(normalized)
    return found


# Where a hyperlink points to a person rather than to an employer or a tool: the host, and
# what its path must open with ("" when any first path segment is a profile).
_PROFILE_HOSTS = {
    "linkedin.com": ("/in/",),
    "github.com": ("",),
    "gitlab.com": ("",),
    "bitbucket.org": ("",),
    "stackoverflow.com": ("/users/",),
    "twitter.com": ("",),
    "x.com": ("",),
    "behance.net": ("",),
    "dribbble.com": ("",),
    "medium.com": ("/@",),
    "kaggle.com": ("",),
    "orcid.org": ("",),
}


def profile_links(hyperlinks: Sequence[str], found: Sequence[str] = ()) -> list[str]:
    """The hyperlink targets of a document that are a person's profile (LinkedIn, GitHub,
    Stack Overflow, ...), normalised as `find_links` does and not in `found`: a resume often
    shows "LinkedIn" and links it to the profile. Other targets (employers' sites, tools,
    "mailto:") are left out; the text names those itself."""
    out: list[str] = []
    for url in hyperlinks:
        parts = urlsplit(url.strip() if "://" in url else "https://" + url.strip())
        host = parts.netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
        host = host.removeprefix("www.").removeprefix("m.")
        host = host.split(".", 1)[1] if host.endswith(".linkedin.com") else host
        openings = _PROFILE_HOSTS.get(host, ())
        opening = next((o for o in openings if parts.path.startswith(o)), None)
        if parts.scheme not in ("http", "https") or opening is None:
            continue
        segment, _, deeper = parts.path[len(opening) :].strip("/").partition("/")
        # "github.com/acme/tool" is a project (maybe an employer's), not a person's profile.
        if len(segment) < 2 or (deeper and not opening):
            continue
        normalized = f"https://{host}{opening or '/'}{segment}"
        if normalized not in found and normalized not in out:
            out.append(normalized)
    return out


def _person_like(candidate: str, longest: int = 4) -> bool:
    tokens = candidate.split()
    if not 2 <= len(tokens) <= longest or len(candidate) > 10 * longest:
        return False
    capitalised = 0
    for token in tokens:
        lowered = token.lower().strip(".'\u2019")
        if lowered in NOT_NAME_WORDS:
            return False
        if token in _NAME_PARTICLES:
            continue
        if not (_NAME_TOKEN_RE.match(token) or (token.isupper() and token.isalpha())):
            return False
        capitalised += 1
    return capitalised >= 2


def _name_from_line(line: str, *, loose: bool = True, first: bool = False) -> tuple[str, float]:
    # A name opens its line: the first 200 characters are plenty, and a run of thousands of
    # spaces further on must not cost the credential pattern quadratic time.
    cleaned = line[:200].strip().strip("\"'*#>•·-\u2013\u2014 ")
    cleaned = _RESUME_OF_RE.sub("", cleaned)
    cleaned = _CREDENTIALS_RE.sub("", cleaned)
    if not cleaned or "@" in cleaned[:3]:
        return "", 0.0
    longest = 15 if first else 4
    whole = cleaned if _person_like(cleaned, longest) else ""
    if whole:
        return whole, 0.95 if len(whole.split()) <= 3 else 0.85
    prefix = _NAME_SPLIT_RE.split(cleaned, maxsplit=1)[0].strip().strip(".")
    prefix = _CREDENTIALS_RE.sub("", prefix)
    after_words = cleaned[len(prefix) :].lstrip(" ,").split()
    after = after_words[0].strip(",.").lower() if after_words else ""
    closes = len(after_words) == 1 or (len(after_words) > 1 and after_words[1][:1].isdigit())
    if (after.upper() in _US_STATES and closes) or after in _REGIONS:
        return "", 0.0  # "Stone Mountain, Georgia 30083" is a place
    if prefix != cleaned and _person_like(prefix, longest):
        return prefix, 0.8
    if not loose:
        return "", 0.0
    # "Allen Neal King ESB Integration Developer": the leading person-like words.
    run: list[str] = []
    for token in prefix.split():
        lowered = token.lower().strip(".'\u2019")
        if lowered in NOT_NAME_WORDS or not _NAME_TOKEN_RE.match(token):
            break
        if run and token.isupper() != run[-1].isupper():
            break
        run.append(token)
    if 2 <= len(run) <= 3 and len(run) < len(prefix.split()) and _person_like(" ".join(run)):
        return " ".join(run), 0.7
    return "", 0.0


_RESUME_OF_RE = re.compile(
    r"^(?:(?:resume|résumé|cv|curriculum\s+vitae|bio[- ]?data)\s+of|name\s*[:\-\u2013])\s+",
    re.IGNORECASE,
)
_HANDLE_RE = re.compile(
    r"(?:indeed\.com/r/|linkedin\.com/in/|github\.com/)(?P<handle>[A-Za-z][\w.\-]{2,60})",
    re.IGNORECASE,
)


def _handle_words(text: str) -> frozenset[str]:
    """The words of profile handles ("indeed.com/r/Asha-Verma/...") in `text`."""
    words: set[str] = set()
    if ".com/" not in text.lower():  # every handle address holds one
        return frozenset(words)
    for match in _HANDLE_RE.finditer(text):
        words.update(w for w in re.split(r"[\W_]+", match.group("handle").lower()) if len(w) > 1)
    return frozenset(words)


def _name_in_handle(line: str, handles: frozenset[str]) -> tuple[str, float]:
    """A line written in any case ("asha verma") whose words the profile handle repeats."""
    words = line.strip().split()
    if not 2 <= len(words) <= 5 or not all(w.isalpha() for w in words):
        return "", 0.0
    lowered = [w.lower() for w in words]
    if any(w in NOT_NAME_WORDS for w in lowered):
        return "", 0.0
    if sum(1 for w in lowered if w in handles) >= 2:
        return line.strip(), 0.9
    return "", 0.0


def _job_title_like(name: str) -> bool:
    """Ends in a job title's word ("Health Coach", "AVIATION MECHANIC") and opens with no
    given name we know ("Tim Cook" is a person)."""
    first = name.split()[0].lower()
    return title_score(name) >= 2 and first not in FAMILIES


def name_lines(lines: list[str], body_start: int | None) -> list[str] | None:
    """The lines a name may stand alone in: those above the body, down to the contact details
    when those come later (a template's "Education" heading over the name and address); None
    (the first lines) without a body heading or with nothing above it. So a resume without a
    name, an anonymised one, gives none, not "Strategic Planning" from its skills list."""
    if body_start is None:
        return None
    end = body_start
    for index, line in enumerate(lines[:40]):
        phone = _PHONE_CANDIDATE_RE.search(line)
        if _EMAIL_RE.search(line) or (phone and sum(c.isdigit() for c in phone.group()) >= 9):
            end = max(end, index + 1)  # not "2013 - 2016"
            break
    above = lines[:end]
    return above if any(line.strip() for line in above) else None


def find_name(
    lines: list[str], *, limit: int = 15, candidates: list[str] | None = None
) -> tuple[str, float]:
    """(name, confidence) from the first lines of a resume; ("", 0.0) when none is seen. A
    "Name:" label and profile handles are read in the first lines; a name standing alone only
    in `candidates` (the lines above the resume's body) when given."""
    head = "\n".join(lines[:60])
    for label in _LABEL_RE.finditer(head):
        name = _CREDENTIALS_RE.sub("", label.group("name").strip().strip("."))
        name = _NAME_SPLIT_RE.split(name, maxsplit=1)[0].strip().strip(".")
        words = name.split()
        if not 1 <= len(words) <= 5 or any(c.isdigit() for c in name):
            continue
        if any(w.lower().strip(".'\u2019") in NOT_NAME_WORDS for w in words):
            continue  # "Name:  Date of Birth:" is an empty form field
        return name, 0.95
    handles = _handle_words(head)
    seen = 0
    for line in lines if candidates is None else candidates:
        if not line.strip():
            continue
        seen += 1
        if seen > limit:
            break
        name, confidence = _name_from_line(line, loose=seen == 1, first=seen == 1)
        if name and _job_title_like(name):
            continue  # "PLANT OPERATOR" over an anonymised resume
        if not name and handles:
            name, confidence = _name_in_handle(line, handles)
        if name:
            return name, confidence if seen <= 5 else confidence - 0.2
    return "", 0.0


_NOT_PLACE_WORDS = NOT_NAME_WORDS - _REGIONS - _PLACE_WORDS


def find_location(lines: list[str]) -> tuple[str, float]:
    """(location, confidence) from the top of a resume: labels, "City, ST 12345", regions."""
    head = "\n".join(lines[:25])
    for regex in (_LOCATION_LABEL_RE, _INDEED_LOCATION_RE):
        match = regex.search(head)
        if match is not None:
            place = match.group(match.lastgroup or 1).strip(" -,.")
            if place and "@" not in place:
                return place, 0.9
    for line in lines[:25]:
        if "@" in line or "http" in line:
            continue
        for match in _CITY_STATE_RE.finditer(line):
            loc = match.group("loc").strip()
            city, _, region = loc.partition(",")
            region_words = region.split()
            if not region_words or city.lower().split()[-1] in _NOT_PLACE_WORDS:
                continue
            if region_words[0] in _US_STATES or all(w.lower() in _REGIONS for w in region_words):
                return loc, 0.8
    return "", 0.0


def find_contact(
    lines: list[str],
    text: str,
    default_region: str | None = None,
    hyperlinks: Sequence[str] = (),
    body_start: int | None = None,
) -> Contact:
    """Everything this module finds, from the document's lines and its full text, and from
    the targets of its hyperlinks (`profile_links`). `body_start` is the line of the first
    body heading ("Summary", "Experience"): see `name_lines`."""
    emails = find_emails(text)
    links = find_links(text, emails)
    name, name_confidence = find_name(lines, candidates=name_lines(lines, body_start))
    location, location_confidence = find_location(lines)
    return Contact(
        name=name,
        name_confidence=name_confidence,
        emails=emails,
        phones=find_phones(text, default_region),
        links=links + profile_links(hyperlinks, links),
        location=location,
        location_confidence=location_confidence,
    )
