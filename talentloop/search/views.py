"""The search page, saved searches and their alerts: forms in, one selector or service, HTML out."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Seniority, Source
from talentloop.core.errors import InvalidInput, TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.search import selectors, services
from talentloop.search.forms import SaveSearchForm, SearchForm
from talentloop.search.models import SavedSearch

PAGE_SIZE = 20
_LABELS = {**dict(Seniority.choices), **dict(Source.choices)}


def _search_url(saved: SavedSearch) -> str:
    """The search page's address for a saved search (its filters as query parameters)."""
    params = QueryDict(mutable=True)
    if saved.query:
        params["q"] = saved.query
    for name, value in saved.filters.items():
        if name in ("seniority", "source"):
            params.setlist(name, [str(v) for v in value])
        elif isinstance(value, list):
            params[name] = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            params[name] = "on" if value else ""
        else:
            params[name] = str(value)[:10] if name.endswith("contacted_since") else str(value)
    return reverse("search:search") + "?" + params.urlencode()


@member_required
def search_page(request: MemberRequest) -> HttpResponse:
    """Query box, filter sidebar, results with highlighted snippets, "save this search"."""
    actor = request.actor
    searched = bool(request.GET)
    form = SearchForm(request.GET or None, actor=actor)
    page = None
    error = ""
    if searched and form.is_valid():
        query = form.cleaned_data["q"] or ""
        if query.strip() or not form.filters.is_empty:
            try:
                page = selectors.search(
                    actor,
                    query=query,
                    filters=form.filters,
                    cursor=request.GET.get("cursor", ""),
                    limit=PAGE_SIZE,
                    contacts=("tags",),
                )
            except InvalidInput as exc:
                error = exc.message
    params = request.GET.copy()
    params.pop("cursor", None)
    next_params = params.copy()
    if page and page.next_cursor:
        next_params["cursor"] = page.next_cursor
    for row in page.rows if page else []:
        row["location"] = ", ".join(p for p in (row["city"], row["region"], row["country"]) if p)
        row["seniority_label"] = _LABELS.get(row["seniority"], row["seniority"])
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "page": page,
            "error": error,
            "first_page_query": params.urlencode(),
            "next_page_query": next_params.urlencode() if page and page.next_cursor else "",
            "is_first_page": not request.GET.get("cursor"),
            "save_form": SaveSearchForm(initial={"alert": True}),
            "can_save": actor.user is not None and page is not None,
            "can_bulk": actor.can(Capability.EDIT_CANDIDATES),
            "candidates_url": reverse("candidates:list"),
            "show_distance": page is not None and form.filters.point is not None,
        },
    )


@require_POST
@member_required
def save_search(request: MemberRequest) -> HttpResponse:
    """Save the search the page shows (its query string travels in a hidden field)."""
    search = SearchForm(QueryDict(request.POST.get("search", "")), actor=request.actor)
    save = SaveSearchForm(request.POST)
    back = reverse("search:search") + "?" + request.POST.get("search", "")
    if not search.is_valid() or not save.is_valid():
        messages.error(request, "This search cannot be saved: give it a name and a valid query.")
        return redirect(back)
    try:
        saved = services.create_saved_search(
            actor=request.actor,
            data={
                "name": save.cleaned_data["name"],
                "query": search.cleaned_data["q"] or "",
                "filters": search.filters.to_json(),
                "alert": save.cleaned_data["alert"],
            },
        )
    except TalentloopError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"Saved “{saved.name}”.")
    return redirect("search:saved")


@member_required
def saved_list(request: MemberRequest) -> HttpResponse:
    """The member's saved searches and their recent alerts."""
    actor = request.actor
    saved = [(item, _search_url(item)) for item in selectors.saved_searches(actor)]
    alerts = list(selectors.recent_alerts(actor))
    return render(request, "search/saved_searches.html", {"saved": saved, "alerts": alerts})


@member_required
def saved_run(request: MemberRequest, saved_search_id: int) -> HttpResponse:
    """Open a saved search (the alert e-mail links here); its alerts count as seen."""
    saved = selectors.access_saved_search(request.actor, saved_search_id)
    services.mark_alerts_seen(actor=request.actor, saved_search=saved)
    return redirect(_search_url(saved))


@require_POST
@member_required
def saved_alert(request: MemberRequest, saved_search_id: int) -> HttpResponse:
    saved = selectors.access_saved_search(request.actor, saved_search_id)
    services.update_saved_search(
        actor=request.actor, saved_search=saved, data={"alert": request.POST.get("alert") == "on"}
    )
    return redirect("search:saved")


@require_POST
@member_required
def saved_delete(request: MemberRequest, saved_search_id: int) -> HttpResponse:
    saved = selectors.access_saved_search(request.actor, saved_search_id)
    services.delete_saved_search(actor=request.actor, saved_search=saved)
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("search:saved")
