"""The search index's documents, saved searches and their alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate


class SearchDocument(models.Model):
    """One candidate's searchable words, per field, folded by `boolean.words`.

    The full-text indexes are built on these columns by migration 0002: an FTS5 table kept in
    step by triggers on SQLite, generated tsvector columns with GIN indexes on PostgreSQL. So
    writing this row is the whole of indexing a candidate. No database constraint: a raw
    delete of candidates elsewhere must not fail on this table; searches join the candidate,
    so a stray document is never shown, and the sweep removes it.
    """

    candidate = models.OneToOneField(
        Candidate,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    name = models.TextField(blank=True)
    title = models.TextField(blank=True)  # current and past job titles
    company = models.TextField(blank=True)  # current and past employers
    skills = models.TextField(blank=True)
    location = models.TextField(blank=True)  # city, region, country code and name
    school = models.TextField(blank=True)  # schools and what was studied there
    body = models.TextField(blank=True)  # headline, summaries, resume text
    # Structured values as words (boolean.facet): tags, seniority, source, country, years.
    facets = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=now)

    class Meta:
        # What changed since a moment, in order: the embedding sweep reads documents this way.
        indexes = [models.Index(fields=["indexed_at", "candidate"], name="searchdoc_indexed")]

    def __str__(self) -> str:
        return f"search document of {self.candidate_id}"


class GeoPoint(models.Model):
    """Where one candidate is on the map: their city geocoded offline (search/places.py).

    Written with the search document (services._index_batch), so the same create, update,
    merge, delete and rebuild paths keep it in step; a candidate whose city the gazetteer
    does not know has no row. The (latitude, longitude) index answers the bounding box of a
    "within N km" filter; the unit vector (x, y, z) then decides the exact great-circle
    distance with plain arithmetic, the same on SQLite and PostgreSQL.
    """

    candidate = models.OneToOneField(
        Candidate,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,  # as SearchDocument: a raw delete elsewhere must not fail here
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    x = models.FloatField()
    y = models.FloatField()
    z = models.FloatField()
    place = models.CharField(max_length=200)  # what the city was understood as: "Munich, DE"

    class Meta:
        # The box is a range on latitude then longitude; the vector and id make the scan
        # index-only (rows are never read): 5,000 points took 10 ms without, 4 ms with (SQLite).
        indexes = [
            models.Index(
                fields=["latitude", "longitude", "x", "y", "z", "candidate"],
                name="geopoint_box_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} at {self.place}"


class IndexCheckpoint(models.Model):
    """How far the sweep for changed candidates has read in one workspace: (updated_at, id)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(null=True)
    candidate_id = models.BigIntegerField(default=0)
    swept_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"index checkpoint at {self.updated_at} / {self.candidate_id}"


class SavedSearch(models.Model):
    """A member's search kept under a name; with `alert` on, new matches are announced."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=2000, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    alert = models.BooleanField(default=True)
    # Candidates with an id above this are "new" for the next alert (ids only grow).
    last_seen_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "owner", "name"], name="savedsearch_name")
        ]
        indexes = [models.Index(fields=["alert", "id"], name="savedsearch_alerting")]

    def __str__(self) -> str:
        return self.name


class SavedSearchAlert(models.Model):
    """New matches of a saved search, announced once: the in-app item and the e-mail's record.

    Unique on (saved search, up_to_id): a second run over the same new candidates finds this
    row and announces nothing.
    """

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    after_id = models.BigIntegerField()
    up_to_id = models.BigIntegerField()
    new_matches = models.PositiveIntegerField()  # capped at services.ALERT_COUNT_CAP
    candidate_ids = models.JSONField(default=list)  # the first few, for the notification
    seen_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "up_to_id"], name="alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.new_matches} new for {self.saved_search_id}"
