"""Reads of pools, stages, segments and bulk actions, and the one way in to each (`access_*`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Candidate, CustomFieldDefinition
from talentloop.candidates.selectors import candidate_rows, visible_candidates
from talentloop.core import rows
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.pools.models import BulkAction, Pool, PoolMembership, PoolStage, Segment
from talentloop.pools.rules import RuleContext, RuleError, compile_rules

# A segment's stored size is shown as is for this long; older sizes are counted again.
SIZE_FRESH_FOR = dt.timedelta(minutes=5)


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def visible_pools(actor: Actor) -> QuerySet[Pool]:
    """The workspace's team pools, and the actor's own private ones."""
    pools = Pool.objects.filter(workspace=actor.workspace)
    return pools.filter(Q(visibility=Pool.Visibility.TEAM) | Q(owner_id=actor.user_id))


def access_pool(actor: Actor, pool_id: int) -> Pool:
    """The pool if `actor` may see it, else NotFound: someone else's private pool and another
    workspace's pool look the same as a missing one."""
    if not _valid_id(pool_id):
        raise NotFound("No such pool.")
    pool = visible_pools(actor).select_related("owner").filter(pk=pool_id).first()
    if pool is None:
        raise NotFound("No such pool.")
    return pool


def pool_list(actor: Actor, *, kind: str = "") -> list[Pool]:
    """The visible pools by name, each with `member_count` (one query)."""
    pools = visible_pools(actor)
    if kind:
        pools = pools.filter(kind=kind)
    return list(
        pools.select_related("owner")
        .annotate(member_count=Count("memberships"))
        .order_by("name", "id")
    )


def workspace_stages(actor: Actor) -> list[PoolStage]:
    """The workspace's stages in order, the five defaults made on first use."""
    from talentloop.pools.services import ensure_default_stages

    return ensure_default_stages(actor.workspace)


def access_stage(actor: Actor, stage_id: int) -> PoolStage:
    if not _valid_id(stage_id):
        raise NotFound("No such stage.")
    stage = PoolStage.objects.filter(workspace=actor.workspace, pk=stage_id).first()
    if stage is None:
        raise NotFound("No such stage.")
    return stage


MAX_MEMBERS_PAGE = 500


def pool_members(
    actor: Actor,
    pool: Pool,
    *,
    stage_id: int | None = None,
    candidate_id: int | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Up to `limit` members the actor may see (candidate rows plus stage and dates), newest
    first."""
    if not 1 <= limit <= MAX_MEMBERS_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_MEMBERS_PAGE}.", field="limit")
    memberships = (
        PoolMembership.objects.filter(pool=pool, candidate__in=visible_candidates(actor))
        .select_related("stage")
        .order_by("-added_at", "-id")
    )
    if stage_id is not None:
        memberships = memberships.filter(stage_id=stage_id)
    if candidate_id is not None:
        memberships = memberships.filter(candidate_id=candidate_id)
    found = list(memberships[:limit])
    rows = {
        row["id"]: row
        for row in candidate_rows(
            Candidate.objects.filter(pk__in=[m.candidate_id for m in found]), ("emails", "tags")
        )
    }
    members = []
    for membership in found:
        row = rows.get(membership.candidate_id)
        if row is None:
            continue
        row.update(
            membership_id=membership.pk,
            stage_id=membership.stage_id,
            stage=membership.stage.name,
            added_at=membership.added_at,
            stage_changed_at=membership.stage_changed_at,
            checked_in_at=membership.checked_in_at,
        )
        members.append(row)
    return members


def stage_counts(actor: Actor, pool: Pool) -> list[dict[str, Any]]:
    """Every stage in order with the number of visible members at it (one query)."""
    counts = dict(
        PoolMembership.objects.filter(pool=pool, candidate__in=visible_candidates(actor))
        .values_list("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
    return [
        {"id": stage.pk, "name": stage.name, "count": counts.get(stage.pk, 0)}
        for stage in workspace_stages(actor)
    ]


def access_membership(actor: Actor, pool: Pool, candidate_id: int) -> PoolMembership:
    """The candidate's membership of `pool`, if the actor may see the candidate."""
    if not _valid_id(candidate_id):
        raise NotFound("This candidate is not in the pool.")
    membership = (
        PoolMembership.objects.filter(
            pool=pool, candidate_id=candidate_id, candidate__in=visible_candidates(actor)
        )
        .select_related("stage", "candidate")
        .first()
    )
    if membership is None:
        raise NotFound("This candidate is not in the pool.")
    return membership


def candidate_pools(actor: Actor, candidate: Candidate) -> list[PoolMembership]:
    """The visible pools a candidate is in, with their stage (for the profile): team pools and
    the actor's own private ones, as `visible_pools`.

    Hand-written SQL (`core/rows`): every profile view reads it, and compiling the ORM query
    (a subquery and two joins) cost more than running it.
    """
    sql = (
        f"SELECT {rows.columns(PoolMembership, 'm')}, {rows.columns(Pool, 'p')}, "  # noqa: S608
        f"{rows.columns(PoolStage, 's')} FROM {PoolMembership._meta.db_table} m "
        f"JOIN {Pool._meta.db_table} p ON p.id = m.pool_id "
        f"JOIN {PoolStage._meta.db_table} s ON s.id = m.stage_id "
        "WHERE m.candidate_id = %s AND p.workspace_id = %s "
        "AND (p.visibility = %s OR p.owner_id = %s) ORDER BY p.name, m.id"
    )
    params = [candidate.pk, actor.workspace.pk, Pool.Visibility.TEAM.value, actor.user_id]
    memberships = []
    for membership, pool, stage in rows.fetch_all(sql, params, PoolMembership, Pool, PoolStage):
        membership._state.fields_cache["pool"] = pool
        membership._state.fields_cache["stage"] = stage
        memberships.append(membership)
    return memberships


# --- segments -------------------------------------------------------------------------------


def visible_segments(actor: Actor) -> QuerySet[Segment]:
    return Segment.objects.filter(workspace=actor.workspace)


def access_segment(actor: Actor, segment_id: int) -> Segment:
    """The segment if it is the actor's workspace's, else NotFound."""
    if not _valid_id(segment_id):
        raise NotFound("No such segment.")
    segment = visible_segments(actor).select_related("owner").filter(pk=segment_id).first()
    if segment is None:
        raise NotFound("No such segment.")
    return segment


def rule_context(actor: Actor) -> RuleContext:
    """What compiling rules needs to know about the actor's workspace (three small queries)."""
    definitions = CustomFieldDefinition.objects.filter(workspace=actor.workspace)
    return RuleContext(
        now=timezone.now(),
        me=actor.user_id,
        custom_fields={d.key: (d.field_type, tuple(d.choices)) for d in definitions},
        pool_ids=frozenset(visible_pools(actor).values_list("pk", flat=True)),
        stages={stage.name_key: stage.pk for stage in workspace_stages(actor)},
    )


def matching_candidates(
    actor: Actor, rules: Any, context: RuleContext | None = None
) -> QuerySet[Candidate]:
    """The live, not archived candidates the actor may see that match `rules` (unordered).

    Raises RuleError for bad rules.
    """
    q = compile_rules(rules, context or rule_context(actor))
    return visible_candidates(actor).filter(is_archived=False).filter(q)


def segment_preview(
    actor: Actor, rules: Any, *, limit: int = 25
) -> tuple[int, list[dict[str, Any]]]:
    """The number of matching candidates and the first `limit` of them, newest change first."""
    if not 1 <= limit <= MAX_MEMBERS_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_MEMBERS_PAGE}.", field="limit")
    queryset = matching_candidates(actor, rules)
    size = queryset.count()
    rows = candidate_rows(queryset.order_by("-updated_at", "-id")[:limit], ("emails", "tags"))
    return size, rows


def segment_size(actor: Actor, segment: Segment, *, fresh: bool = True) -> int | None:
    """How many candidates match the segment now: counted again unless `fresh` is False and
    the stored size is recent. Members are always computed on read; only the count is kept.

    None when the rules no longer compile (a pool or custom field they name was deleted).
    """
    from talentloop.pools.services import store_segment_size

    computed_at = segment.size_computed_at
    if (
        not fresh
        and segment.size is not None
        and computed_at is not None
        and timezone.now() - computed_at < SIZE_FRESH_FOR
        and actor.can(Capability.VIEW_ALL_CANDIDATES)
    ):
        return segment.size
    try:
        size = matching_candidates(actor, segment.rules).count()
    except RuleError:
        return None
    # The stored size is the whole team's view; a narrower role's count is not kept.
    if actor.can(Capability.VIEW_ALL_CANDIDATES):
        store_segment_size(segment=segment, size=size)
    return size


# --- bulk actions ---------------------------------------------------------------------------


def access_bulk_action(actor: Actor, action_id: int) -> BulkAction:
    """A bulk action the actor started (others' exports hold data they may not see)."""
    if not _valid_id(action_id):
        raise NotFound("No such bulk action.")
    action = _started_by(actor).filter(pk=action_id).first()
    if action is None:
        raise NotFound("No such bulk action.")
    return action


def _started_by(actor: Actor) -> QuerySet[BulkAction]:
    actions = BulkAction.objects.filter(workspace=actor.workspace)
    if actor.user is not None:
        return actions.filter(created_by=actor.user)
    if actor.api_key is not None:
        return actions.filter(api_key=actor.api_key, created_by__isnull=True)
    return actions.none()


def recent_bulk_actions(actor: Actor, *, limit: int = 10) -> list[BulkAction]:
    return list(
        _started_by(actor)
        .defer("candidate_ids", "export_csv")
        .order_by("-created_at", "-id")[:limit]
    )
