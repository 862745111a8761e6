"""Errors that services raise and every interface (API, pages, CLI) turns into a clear answer."""

from __future__ import annotations


class TalentloopError(Exception):
    """Base class: `code` is stable for API clients, `message` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(TalentloopError):
    """The object does not exist or belongs to another workspace: the two look the same."""

    code = "not_found"
    status = 404


class Forbidden(TalentloopError):
    """The actor may see the object but not do this with it."""

    code = "forbidden"
    status = 403


class InvalidInput(TalentloopError):
    """A value is wrong; `field` names it."""

    code = "invalid"
    status = 422


class Conflict(TalentloopError):
    """The request clashes with something already stored (a duplicate e-mail, a reused key)."""

    code = "conflict"
    status = 409
