from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from talentloop.core.errors import Forbidden, NotFound


class ServiceErrorMiddleware:
    """Pages let NotFound and Forbidden from access functions become 404 and 403 pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, Forbidden):
            raise PermissionDenied(exception.message)
