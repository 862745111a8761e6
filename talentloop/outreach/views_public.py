"""The pages people reach from a message, without signing in: pixel, click, unsubscribe.

The signed token in the URL is the only credential. The open pixel answers with the image
whatever the token, so a broken token never shows a broken image; the click redirect goes only
to the URL its token signs; the unsubscribe page asks before it acts on a GET (mail scanners
follow links) and acts at once on a POST, including RFC 8058's one-click POST from the mail
client, which carries no CSRF token and needs none: the token proves who may unsubscribe.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from talentloop.accounts.selectors import client_ip
from talentloop.outreach import events
from talentloop.outreach.models import Message, MessageEvent, Purpose
from talentloop.outreach.tracking import InvalidTrackingToken, read_token

# A transparent 1 x 1 GIF (42 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = "no-store, no-cache, must-revalidate, max-age=0, private"
_USER_AGENT_CHARS = 200


def _no_store(response: HttpResponse) -> HttpResponse:
    # Every hit must reach us, and nothing about the person may sit in a shared cache.
    # (Three headers, not more: each costs the pixel ~5 µs, a tenth of its own work.)
    response["Cache-Control"] = NO_STORE
    response["Pragma"] = "no-cache"
    response["Expires"] = "0"
    return response


def _invalid(request: HttpRequest, status: int = 404) -> HttpResponse:
    response = render(request, "outreach/public_invalid.html", status=status)
    return _no_store(response)


def _agent(request: HttpRequest) -> dict[str, str]:
    agent = request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_CHARS]
    return {"ua": agent} if agent else {}


@require_safe
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The 1 x 1 image of a message; its first fetch is the open."""
    try:
        message_id = read_token(token, "open")
    except InvalidTrackingToken:
        pass  # still the image: the person sees nothing odd, and we record nothing
    else:
        if request.method == "GET":  # a HEAD is a proxy checking, not a person reading
            events.record_event(
                message_id=message_id, type=MessageEvent.Type.OPEN, detail=_agent(request)
            )
    return _no_store(HttpResponse(PIXEL, content_type="image/gif"))


@require_safe
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Count the click and send the person on, to the exact URL the token signs."""
    try:
        message_id, url = read_token(token, "click")
    except InvalidTrackingToken:
        return _invalid(request)
    if request.method == "GET":
        events.record_event(
            message_id=message_id, type=MessageEvent.Type.CLICK, url=url, detail=_agent(request)
        )
    return _no_store(HttpResponseRedirect(url))


def _masked(address: str) -> str:
    """grace@navy.test → g••••@navy.test: enough to recognise, not to harvest."""
    local, at, domain = address.partition("@")
    if not at:
        return ""
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"


def _message(token: str) -> Message | None:
    message_id = read_token(token, "unsubscribe")
    return Message.objects.select_related("workspace", "candidate").filter(pk=message_id).first()


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: ask. POST from the page: unsubscribe (optionally from everything). POST with
    `List-Unsubscribe=One-Click` (RFC 8058): unsubscribe from this kind of e-mail, answer 200."""
    try:
        message = _message(token)
    except InvalidTrackingToken:
        return _invalid(request)
    if message is None:  # signed by us, but the message was deleted since
        return _invalid(request, status=410)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        events.unsubscribe(message=message, everything=False, ip=client_ip(request), one_click=True)
        return _no_store(HttpResponse("Unsubscribed.\n", content_type="text/plain"))
    context = {
        "message": message,
        "workspace_name": message.workspace.name,
        "address": _masked(message.to_address),
        "marketing": message.purpose == Purpose.MARKETING,
    }
    if request.method == "POST":
        everything = request.POST.get("everything") == "1"
        done = events.unsubscribe(message=message, everything=everything, ip=client_ip(request))
        context.update(everything=everything, done=done)
        return _no_store(render(request, "outreach/public_unsubscribed.html", context))
    context["state"] = events.unsubscribe_state(message)
    return _no_store(render(request, "outreach/public_unsubscribe.html", context))
