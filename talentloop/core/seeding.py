"""Demo and bulk data: a realistic workspace fast enough for a million candidates.

Bulk rows bypass the services on purpose (they would audit and index row by row): rows are
written with explicit ids in batches, by executemany on SQLite and COPY on PostgreSQL, and the
result is what the services would have written, minus the per-row audit entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import CustomFieldDefinition, Tag
from talentloop.candidates.normalize import build_search_text
from talentloop.candidates.search import SQLITE_FTS_TABLE
from talentloop.core import bulk

DEMO_PASSWORD = "talentloop-demo"  # noqa: S105 - printed by `talentloop demo`, demo data only
DEMO_CAST = [
    # (email, name, workspace, role)
    ("alice@acme.test", "Alice Admin", "acme", Role.ADMIN),
    ("bob@acme.test", "Bob Recruiter", "acme", Role.RECRUITER),
    ("sam@acme.test", "Sam Sourcer", "acme", Role.SOURCER),
    ("cora@acme.test", "Cora Coordinator", "acme", Role.COORDINATOR),
    ("hank@acme.test", "Hank Manager", "acme", Role.HIRING_MANAGER),
    ("audrey@acme.test", "Audrey Auditor", "acme", Role.AUDITOR),
    ("charlie@globex.test", "Charlie Other", "globex", Role.ADMIN),
]
WORKSPACES = {"acme": "Acme Talent", "globex": "Globex Recruiting"}

TITLES = {
    "Engineering": [
        "Software Engineer",
        "Backend Engineer",
        "Frontend Engineer",
        "Full-Stack Developer",
        "Data Engineer",
        "Site Reliability Engineer",
        "Mobile Developer",
        "DevOps Engineer",
        "Machine Learning Engineer",
        "Security Engineer",
        "QA Engineer",
        "Engineering Manager",
    ],
    "Data": ["Data Scientist", "Data Analyst", "Analytics Engineer", "BI Developer"],
    "Product": ["Product Manager", "Product Designer", "UX Researcher", "Technical Writer"],
    "Sales": [
        "Account Executive",
        "Sales Development Rep",
        "Solutions Engineer",
        "Customer Success Manager",
    ],
    "Operations": [
        "Recruiter",
        "People Partner",
        "Financial Analyst",
        "Operations Manager",
        "Marketing Manager",
        "Content Strategist",
    ],
}
SKILLS = {
    "Engineering": [
        "Python",
        "Go",
        "Java",
        "TypeScript",
        "React",
        "Kubernetes",
        "AWS",
        "PostgreSQL",
        "Django",
        "Rust",
        "Terraform",
        "Kafka",
        "Swift",
        "Kotlin",
    ],
    "Data": ["SQL", "Python", "dbt", "Spark", "Tableau", "Statistics", "Airflow", "PyTorch"],
    "Product": ["Figma", "Roadmapping", "User Research", "A/B Testing", "Accessibility"],
    "Sales": ["Salesforce", "Negotiation", "SaaS", "Enterprise Sales", "HubSpot"],
    "Operations": ["Excel", "Workday", "Budgeting", "SEO", "Employer Branding"],
}
SENIORITY_BY_YEARS = [
    (1, "intern"),
    (3, "junior"),
    (6, "mid"),
    (10, "senior"),
    (14, "lead"),
    (18, "principal"),
    (99, "director"),
]
CITIES = [
    # city, region, country, timezone, Faker locale
    ("San Francisco", "California", "US", "America/Los_Angeles", "en_US"),
    ("New York", "New York", "US", "America/New_York", "en_US"),
    ("Austin", "Texas", "US", "America/Chicago", "en_US"),
    ("Seattle", "Washington", "US", "America/Los_Angeles", "en_US"),
    ("Chicago", "Illinois", "US", "America/Chicago", "en_US"),
    ("Boston", "Massachusetts", "US", "America/New_York", "en_US"),
    ("Toronto", "Ontario", "CA", "America/Toronto", "en_CA"),
    ("London", "England", "GB", "Europe/London", "en_GB"),
    ("Manchester", "England", "GB", "Europe/London", "en_GB"),
    ("Berlin", "Berlin", "DE", "Europe/Berlin", "de_DE"),
    ("Munich", "Bavaria", "DE", "Europe/Berlin", "de_DE"),
    ("Paris", "Île-de-France", "FR", "Europe/Paris", "fr_FR"),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", "fr_FR"),
    ("Madrid", "Madrid", "ES", "Europe/Madrid", "es_ES"),
    ("Amsterdam", "North Holland", "NL", "Europe/Amsterdam", "nl_NL"),
    ("Stockholm", "Stockholm", "SE", "Europe/Stockholm", "sv_SE"),
    ("Warsaw", "Masovia", "PL", "Europe/Warsaw", "pl_PL"),
    ("Bangalore", "Karnataka", "IN", "Asia/Kolkata", "en_IN"),
    ("Singapore", "", "SG", "Asia/Singapore", "en_US"),
    ("Sydney", "New South Wales", "AU", "Australia/Sydney", "en_AU"),
]
US_AREA_CODES = ["212", "415", "646", "312", "617", "206", "512", "303", "404", "503"]
SOURCES = (
    ["sourced"] * 5
    + ["past_applicant"] * 3
    + ["referral"] * 2
    + ["event", "career_site", "career_site", "import", "api"]
)
SOURCE_DETAILS = {
    "sourced": ["LinkedIn search", "GitHub", "Conference speaker list", ""],
    "past_applicant": ["Applied 2024", "Applied 2025", "Silver medalist"],
    "referral": ["Employee referral"],
    "event": ["PyCon 2026", "Women in Tech meetup", "Campus fair"],
    "career_site": ["Talent community sign-up"],
    "import": ["Spreadsheet from agency"],
    "api": ["ATS sync"],
}
EXTRA_TAGS = [
    "silver-medalist",
    "boomerang",
    "relocation",
    "remote-only",
    "diversity-event",
    "hot",
    "nurture",
    "visa-sponsorship",
]
NOTE_TEXTS = [
    "Great conversation about the platform team. Interested in 6 months.",
    "Prefers remote roles; salary expectations above band, revisit next cycle.",
    "Strong referral from the data team. Wants to hear about staff-level roles.",
    "Not looking right now: just started a new job. Re-engage next spring.",
    "Met at the meetup; loved our engineering blog.",
    "Finished the interview loop last year: silver medalist for the backend role.",
]
BATCH = 5_000


@dataclass
class Pools:
    """Names, companies and phrases drawn once, then combined at random (Faker is slow)."""

    names: dict[str, tuple[list[str], list[str]]]
    companies: list[str]

    @classmethod
    def build(cls, seed: int) -> Pools:
        names = {}
        for locale in {c[4] for c in CITIES}:
            fake = Faker(locale)
            fake.seed_instance(seed)
            # sorted, not set order: string hashes are salted per process, and the same
            # --seed must give the same people every time.
            names[locale] = (
                sorted({fake.first_name() for _ in range(400)}),
                sorted({fake.last_name() for _ in range(600)}),
            )
        fake = Faker("en_US")
        fake.seed_instance(seed)
        companies = sorted({fake.company() for _ in range(800)})
        return cls(names=names, companies=companies)


def ensure_demo_cast() -> dict[str, Workspace]:
    """Create the demo workspaces and people (idempotent); return workspaces by slug."""
    workspaces = {}
    for slug, name in WORKSPACES.items():
        workspaces[slug], _ = Workspace.objects.get_or_create(slug=slug, defaults={"name": name})
    for email, full_name, slug, role in DEMO_CAST:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        Membership.objects.get_or_create(
            user=user, workspace=workspaces[slug], defaults={"role": role}
        )
    for workspace in workspaces.values():
        _ensure_custom_fields(workspace)
    return workspaces


def _ensure_custom_fields(workspace: Workspace) -> None:
    definitions = [
        ("desired_salary", "Desired salary (k)", "number", []),
        ("notice_period", "Notice period", "choice", ["none", "2 weeks", "1 month", "3 months"]),
        ("open_to_relocation", "Open to relocation", "boolean", []),
        ("available_from", "Available from", "date", []),
    ]
    for position, (key, label, field_type, choices) in enumerate(definitions):
        CustomFieldDefinition.objects.get_or_create(
            workspace=workspace,
            key=key,
            defaults={
                "label": label,
                "field_type": field_type,
                "choices": choices,
                "position": position,
            },
        )


@functools.lru_cache(maxsize=65_536)
def _words(text: str) -> str:
    """search_text of a pooled phrase (names, titles and companies repeat: compute each once)."""
    return build_search_text(text)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def seed_candidates(
    workspace: Workspace,
    count: int,
    *,
    seed: int = 42,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add `count` realistic candidates (contacts, tags, custom fields, timelines)."""
    rng = random.Random(seed)
    pools = Pools.build(seed)
    owners = list(
        Membership.objects.filter(
            workspace=workspace, role__in=[Role.ADMIN, Role.RECRUITER, Role.SOURCER]
        ).values_list("user_id", flat=True)
    )
    tag_names = sorted({s.lower() for skills in SKILLS.values() for s in skills} | set(EXTRA_TAGS))
    tags = {}
    for name in tag_names:
        tags[name], _ = Tag.objects.get_or_create(
            workspace=workspace, name_key=name.casefold(), defaults={"name": name}
        )
    tag_ids = {name: tag.pk for name, tag in tags.items()}
    now = timezone.now()
    written = 0
    with _bulk_load():
        while written < count:
            size = min(BATCH, count - written)
            with transaction.atomic():
                _seed_batch(workspace, size, rng, pools, owners, tag_ids, now)
            written += size
            if progress:
                progress(size)
    bulk.reset_sequences(
        [
            "candidates_candidate",
            "candidates_candidateemail",
            "candidates_candidatephone",
            "candidates_candidatelink",
            "candidates_candidatetag",
            "candidates_activity",
            "candidates_note",
        ]
    )
    return written


FTS_INSERT_TRIGGER = "candidate_fts_insert"


@contextmanager
def _bulk_load() -> Iterator[None]:
    """On SQLite: a large page cache, and the search index rebuilt once instead of per row.

    Indexing each row through the FTS5 trigger took a quarter of the seeding time (92 s
    against 69 s for 200k rows); one rebuild afterwards takes 2 s per 200k. The trigger's own
    SQL is read back and re-created, so it cannot drift from the migration that made it.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        # Keeps the B-trees of the growing indexes in memory (up to 1 GB).
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [FTS_INSERT_TRIGGER],
        )
        found = cursor.fetchone()
        if found is None:
            raise RuntimeError(
                "The search index trigger is missing (an earlier seed was interrupted?). "
                "Repair it with: talentloop migrate candidates 0001 && talentloop migrate"
            )
        cursor.execute(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(found[0])
            table = SQLITE_FTS_TABLE
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")  # noqa: S608


def _seed_batch(
    workspace: Workspace,
    size: int,
    rng: random.Random,
    pools: Pools,
    owners: list[int],
    tag_ids: dict[str, int],
    now: dt.datetime,
) -> None:
    ids = {
        t: bulk.next_id(f"candidates_{t}")
        for t in (
            "candidate",
            "candidateemail",
            "candidatephone",
            "candidatelink",
            "candidatetag",
            "activity",
            "note",
        )
    }
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in ids}
    ws = workspace.pk
    for offset in range(size):
        cid = ids["candidate"] + offset
        city, region, country, tz, locale = rng.choice(CITIES)
        first_names, last_names = pools.names[locale]
        first, last = rng.choice(first_names), rng.choice(last_names)
        family = rng.choice(list(TITLES))
        years = round(min(max(rng.gauss(8, 5), 0), 35), 1)
        seniority = next(label for limit, label in SENIORITY_BY_YEARS if years < limit)
        title = rng.choice(TITLES[family])
        if seniority in {"senior", "lead", "principal"} and "Manager" not in title:
            title = f"{seniority.title()} {title}"
        company = rng.choice(pools.companies)
        source = rng.choice(SOURCES)
        skills = rng.sample(SKILLS[family], k=min(len(SKILLS[family]), rng.randint(2, 5)))
        created = now - dt.timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
        updated = created + (now - created) * rng.random() ** 2
        name_words = _words(f"{first} {last}")
        email = name_words.replace(" ", ".") + f".{cid}@example.com"
        custom: dict[str, Any] = {"desired_salary": rng.randrange(50, 260, 5)}
        if rng.random() < 0.5:
            custom["notice_period"] = rng.choice(["none", "2 weeks", "1 month", "3 months"])
        if rng.random() < 0.3:
            custom["open_to_relocation"] = rng.random() < 0.5
        resume = {
            "basics": {"label": title},
            "skills": [{"name": s} for s in skills],
            "work": [{"name": company, "position": title, "startDate": f"{created.year - 2}-01"}],
        }
        rows["candidate"].append(
            (
                cid,
                ws,
                first,
                last,
                f"{title} at {company}",
                city,
                region,
                country,
                tz,
                title,
                company,
                seniority,
                years,
                source,
                rng.choice(SOURCE_DETAILS[source]),
                rng.choice(owners) if owners and rng.random() < 0.8 else None,
                _json(custom),
                _json(resume),
                rng.random() < 0.02,
                rng.random() < 0.03,
                # Each word once, as build_search_text writes it ("Ann Davis" at "Davis Inc").
                " ".join(
                    dict.fromkeys(
                        f"{name_words} {cid} example com {_words(title)} {_words(company)}".split()
                    )
                ),
                None,
                created,
                updated,
            )
        )
        rows["candidateemail"].append(
            (ids["candidateemail"] + len(rows["candidateemail"]), cid, ws, email, True, created)
        )
        if country == "US" and rng.random() < 0.7:
            n = cid
            area = US_AREA_CODES[n % len(US_AREA_CODES)]
            rest = n // len(US_AREA_CODES)
            number = f"+1{area}{200 + (rest // 10_000) % 700:03d}{rest % 10_000:04d}"
            rows["candidatephone"].append(
                (
                    ids["candidatephone"] + len(rows["candidatephone"]),
                    cid,
                    ws,
                    number,
                    "mobile",
                    True,
                    created,
                )
            )
        if rng.random() < 0.6:
            handle = name_words.replace(" ", "-") + f"-{cid}"
            rows["candidatelink"].append(
                (
                    ids["candidatelink"] + len(rows["candidatelink"]),
                    cid,
                    ws,
                    "linkedin",
                    f"https://linkedin.com/in/{handle}",
                    created,
                )
            )
        chosen = {s.lower() for s in skills[:2]}
        if rng.random() < 0.15:
            chosen.add(rng.choice(EXTRA_TAGS))
        for name in chosen:
            rows["candidatetag"].append(
                (ids["candidatetag"] + len(rows["candidatetag"]), cid, tag_ids[name])
            )
        for activity in _timeline(rng, created, updated, source):
            aid = ids["activity"] + len(rows["activity"])
            kind, channel, summary, payload, at = activity
            actor = rng.choice(owners) if owners and kind in {"note", "call"} else None
            rows["activity"].append(
                (aid, ws, cid, kind, channel, actor, summary, _json(payload), None, at, at)
            )
            if kind == "note":
                remind: dt.datetime | None = at + dt.timedelta(days=rng.randint(30, 180))
                # Only future reminders: a fresh demo should not e-mail a backlog of old ones.
                if remind is not None and (remind <= now or rng.random() < 0.7):
                    remind = None
                rows["note"].append(
                    (
                        ids["note"] + len(rows["note"]),
                        ws,
                        cid,
                        actor,
                        aid,
                        summary,
                        "team",
                        remind,
                        None,
                        None,
                        at,
                        at,
                    )
                )
    bulk.insert_rows(
        "candidates_candidate",
        (
            "id",
            "workspace_id",
            "first_name",
            "last_name",
            "headline",
            "city",
            "region",
            "country",
            "timezone",
            "current_title",
            "current_company",
            "seniority",
            "years_experience",
            "source",
            "source_detail",
            "owner_id",
            "custom_fields",
            "resume",
            "is_do_not_contact",
            "is_archived",
            "search_text",
            "last_contacted_at",
            "created_at",
            "updated_at",
        ),
        rows["candidate"],
    )
    bulk.insert_rows(
        "candidates_candidateemail",
        ("id", "candidate_id", "workspace_id", "email", "is_primary", "created_at"),
        rows["candidateemail"],
    )
    bulk.insert_rows(
        "candidates_candidatephone",
        ("id", "candidate_id", "workspace_id", "number", "kind", "is_primary", "created_at"),
        rows["candidatephone"],
    )
    bulk.insert_rows(
        "candidates_candidatelink",
        ("id", "candidate_id", "workspace_id", "kind", "url", "created_at"),
        rows["candidatelink"],
    )
    bulk.insert_rows(
        "candidates_candidatetag", ("id", "candidate_id", "tag_id"), rows["candidatetag"]
    )
    bulk.insert_rows(
        "candidates_activity",
        (
            "id",
            "workspace_id",
            "candidate_id",
            "type",
            "channel",
            "actor_id",
            "summary",
            "payload",
            "private_to_id",
            "occurred_at",
            "created_at",
        ),
        rows["activity"],
    )
    bulk.insert_rows(
        "candidates_note",
        (
            "id",
            "workspace_id",
            "candidate_id",
            "author_id",
            "activity_id",
            "body",
            "visibility",
            "remind_at",
            "reminder_done_at",
            "reminder_notified_at",
            "created_at",
            "updated_at",
        ),
        rows["note"],
    )


def _timeline(
    rng: random.Random, created: dt.datetime, updated: dt.datetime, source: str
) -> Iterator[tuple[str, str, str, dict[str, Any], dt.datetime]]:
    label = source.replace("_", " ")
    yield "created", "internal", f"Added to Talentloop (source: {label})", {}, created
    span = max((updated - created).total_seconds(), 60)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        at = created + dt.timedelta(seconds=rng.uniform(60, span))
        roll = rng.random()
        if roll < 0.35:
            yield (
                "email_sent",
                "email",
                "Sent: Quick hello from Acme",
                {"subject": "Quick hello"},
                at,
            )
            if rng.random() < 0.5:
                yield (
                    "email_opened",
                    "email",
                    "Opened: Quick hello from Acme",
                    {},
                    at + dt.timedelta(hours=rng.randint(1, 48)),
                )
        elif roll < 0.6:
            yield "note", "internal", rng.choice(NOTE_TEXTS), {}, at
        elif roll < 0.8:
            yield (
                "call",
                "phone",
                "Intro call: discussed goals and timing",
                {"direction": "outbound"},
                at,
            )
        elif roll < 0.9:
            yield (
                "linkedin_message",
                "linkedin",
                "Sent a connection request",
                {"direction": "outbound"},
                at,
            )
        else:
            yield "page_visit", "web", "Visited the careers page", {"path": "/careers"}, at


# --- an import file -------------------------------------------------------------------------

CSV_HEADER = [
    "First Name",
    "Last Name",
    "Email Address",
    "Mobile",
    "LinkedIn URL",
    "Job Title",
    "Employer",
    "City",
    "Country",
    "Skills",
]
_AREA_CODES = ["212", "312", "415", "512", "617", "646", "702", "206", "303", "404"]
_NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "Michael": "Mike",
    "James": "Jim",
    "Jennifer": "Jen",
    "Katherine": "Kate",
    "Christopher": "Chris",
}


def _phone(index: int) -> str:
    """A valid North American number unique to `index` (for 8M rows)."""
    area = _AREA_CODES[index // 8_000_000 % len(_AREA_CODES)]
    exchange = 200 + index // 10_000 % 800
    return f"+1 ({area}) {exchange}-{index % 10_000:04d}"


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name + name[-1]
    at = rng.randrange(1, len(name) - 1)
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]  # two letters swapped


def write_candidates_csv(
    stream: IO[str],
    count: int,
    *,
    seed: int = 42,
    exact_duplicates: float = 0.05,
    fuzzy_duplicates: float = 0.05,
    progress: Callable[[int], object] | None = None,
    origins: list[int] | None = None,
) -> dict[str, int]:
    """Write `count` rows of a realistic candidate export (headers as a spreadsheet would have
    them) for `talentloop bench import`. A share of rows repeat an earlier person: exactly (the
    same e-mail, upper-cased, with the rest blank or changed) or fuzzily (a nickname or typo in
    the name, another e-mail: the same person to a human, a different record to identity keys).
    Returns how many rows of each kind it wrote.

    `origins`, when given, gets one entry per row: the index of the row that person first
    appeared in (the row's own index for a new person), the ground truth of `bench dedupe`.
    It does not change what is written."""
    rng = random.Random(seed)
    pools = Pools.build(seed)
    writer = csv.writer(stream)
    writer.writerow(CSV_HEADER)
    # A sample of earlier rows to repeat, each with its index. rng.choice draws by length
    # only, so pairing rows with their index leaves the random stream (and the file) as is.
    people: list[tuple[int, list[str]]] = []
    kinds = {"unique": 0, "exact": 0, "fuzzy": 0}
    for index in range(count):
        roll = rng.random()
        if people and roll < exact_duplicates:
            origin, copied = rng.choice(people)
            row = list(copied)
            row[2] = row[2].upper()  # the same address, written differently
            row[3] = ""  # no phone this time
            row[5] = rng.choice(TITLES[rng.choice(list(TITLES))])  # a newer title
            kinds["exact"] += 1
        elif people and roll < exact_duplicates + fuzzy_duplicates:
            origin, copied = rng.choice(people)
            row = list(copied)
            first = row[0]
            row[0] = _NICKNAMES.get(first) or _typo(first, rng)
            row[2] = f"{_words(row[0]).replace(' ', '.')}.{index}@mail.example.org"
            row[3] = _phone(count + index)
            row[4] = ""
            kinds["fuzzy"] += 1
        else:
            city, _, country, _, locale = rng.choice(CITIES)
            first_names, last_names = pools.names[locale]
            first, last = rng.choice(first_names), rng.choice(last_names)
            family = rng.choice(list(TITLES))
            slug = _words(f"{first} {last}").replace(" ", "-")
            row = [
                first,
                last,
                f"{slug.replace('-', '.')}.{index}@example.com",
                _phone(index),
                f"https://www.linkedin.com/in/{slug}-{index}" if rng.random() < 0.6 else "",
                rng.choice(TITLES[family]),
                rng.choice(pools.companies),
                city,
                country,
                "; ".join(rng.sample(SKILLS[family], k=min(3, len(SKILLS[family])))),
            ]
            kinds["unique"] += 1
            origin = index
            if len(people) < 50_000:
                people.append((index, row))
            else:
                people[rng.randrange(len(people))] = (index, row)
        writer.writerow(row)
        if origins is not None:
            origins.append(origin)
        if progress and index % 10_000 == 9_999:
            progress(10_000)
    if progress:
        progress(count % 10_000)
    return kinds
