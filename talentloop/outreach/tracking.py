"""Signed tracking links: the open pixel, click redirects, unsubscribe links and reply addresses.

A token is the message's ledger id in base 36 followed by 24 hex digits (96 bits) of an
HMAC-SHA256 keyed by SECRET_KEY and a per-purpose salt, so an open token (seen by every image
proxy) never unsubscribes anyone, and no token can be made for another message. Both alphabets
are lower-case letters and digits: a reply address survives mail systems that change the case
of its local part. A click token also signs the exact destination, carried in the token as
URL-safe base64, so the redirect goes only where the message itself pointed (no open redirect).

Nothing here touches the database: links are built for thousands of messages a second.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from html import unescape
from typing import Literal, overload

from django.conf import settings

from talentloop.core.errors import NotFound

Kind = Literal["open", "click", "unsubscribe", "reply"]
KINDS: tuple[Kind, ...] = ("open", "click", "unsubscribe", "reply")
SIGNATURE_CHARS = 24  # 24 hex digits: 96 bits of the HMAC (hex: base32 is 10x slower here)
MAX_URL_CHARS = 2000  # MessageEvent.url's length; longer links are left untracked
PATH_PREFIX = "/t/"  # where urls_public is mounted (talentloop/urls.py)

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_ID = re.compile(r"[0-9a-z]{1,13}\Z")  # 13 base-36 digits hold any 64-bit id
_SIGNATURE = re.compile(rf"[0-9a-f]{{{SIGNATURE_CHARS}}}\Z")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


class InvalidTrackingToken(NotFound):
    """A tracking token that is malformed, truncated, forged, or signed for another purpose."""

    code = "invalid_token"

    def __init__(self, message: str = "This link is not valid.") -> None:
        super().__init__(message, code=self.code)


# --- tokens ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _mac(secret: str, kind: str) -> hmac.HMAC:
    """An HMAC with its key schedule done once; each token copies it (3x faster than anew)."""
    key = hashlib.sha256(f"talentloop.outreach.tracking.{kind}\x00{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _signature(secret: str, kind: str, payload: bytes) -> str:
    mac = _mac(secret, kind).copy()
    mac.update(payload)
    return mac.digest()[: SIGNATURE_CHARS // 2].hex()


def _base36(number: int) -> str:
    if number <= 0:
        raise ValueError(f"a message id is a positive integer, not {number!r}")
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def _payload(id36: str, url: str | None) -> bytes:
    return id36.encode("ascii") if url is None else f"{id36}\x00{url}".encode()


def make_token(message_id: int, kind: Kind, url: str | None = None) -> str:
    """The token of `kind` for a message (and, for clicks, its destination `url`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    if (kind == "click") != (url is not None):
        raise ValueError("a click token needs a URL; other tokens take none")
    id36 = _base36(message_id)
    token = id36 + _signature(settings.SECRET_KEY, kind, _payload(id36, url))
    if url is None:
        return token
    encoded = base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode("ascii")
    return f"{token}.{encoded}"


@overload
def read_token(token: str, kind: Literal["click"]) -> tuple[int, str]: ...
@overload
def read_token(token: str, kind: Literal["open", "unsubscribe", "reply"]) -> int: ...
@overload
def read_token(token: str, kind: Kind) -> int | tuple[int, str]: ...


def read_token(token: str, kind: Kind) -> int | tuple[int, str]:
    """The message id a token was made for (with the URL, for a click token).

    Raises InvalidTrackingToken (404) for anything but a token this server signed for `kind`:
    truncated, tampered, another kind's, or signed with a key no longer in SECRET_KEY or
    SECRET_KEY_FALLBACKS.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    if not isinstance(token, str) or len(token) > 4 * MAX_URL_CHARS:
        raise InvalidTrackingToken()
    url: str | None = None
    signed = token
    if kind == "click":
        signed, dot, encoded = token.partition(".")
        if not dot:
            raise InvalidTrackingToken()
        url = _decode_url(encoded)
    id36, signature = signed[:-SIGNATURE_CHARS], signed[-SIGNATURE_CHARS:]
    # A leading zero would be a second spelling of the same id.
    if not _ID.match(id36) or id36[0] == "0" or not _SIGNATURE.match(signature):
        raise InvalidTrackingToken()
    payload = _payload(id36, url)
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        if hmac.compare_digest(_signature(secret, kind, payload), signature):
            message_id = int(id36, 36)
            return (message_id, url) if url is not None else message_id
    raise InvalidTrackingToken()


def _decode_url(encoded: str) -> str:
    if not encoded or len(encoded) > 4 * MAX_URL_CHARS // 3 + 4:
        raise InvalidTrackingToken()
    try:
        url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidTrackingToken() from None
    if not is_trackable_url(url):
        raise InvalidTrackingToken()
    return url


def is_trackable_url(url: str) -> bool:
    """An absolute http(s) link with a host, no whitespace or control characters."""
    lowered = url[:8].lower()
    if lowered.startswith("https://"):
        rest = url[8:]
    elif lowered.startswith("http://"):
        rest = url[7:]
    else:
        return False
    if not rest or rest[0] in "/?#" or len(url) > MAX_URL_CHARS:
        return False
    return _UNSAFE.search(url) is None


# --- links ----------------------------------------------------------------------------------


def _site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def open_pixel_url(message_id: int) -> str:
    return f"{_site()}{PATH_PREFIX}o/{make_token(message_id, 'open')}.gif"


def click_url(message_id: int, url: str) -> str:
    """The redirect through which `url` is counted. ValueError if `url` is not http(s)."""
    if not is_trackable_url(url):
        raise ValueError(f"only absolute http(s) links are tracked, not {url[:80]!r}")
    return f"{_site()}{PATH_PREFIX}c/{make_token(message_id, 'click', url)}"


def unsubscribe_url(message_id: int) -> str:
    """The unsubscribe page; also the RFC 8058 one-click target of the List-Unsubscribe header."""
    return f"{_site()}{PATH_PREFIX}u/{make_token(message_id, 'unsubscribe')}"


def reply_address(message_id: int) -> str | None:
    """reply+<token>@TALENTLOOP_REPLY_DOMAIN, or None when no reply domain is configured."""
    domain = settings.TALENTLOOP_REPLY_DOMAIN.strip().lower()
    if not domain:
        return None
    return f"reply+{make_token(message_id, 'reply')}@{domain}"


_REPLY_LOCAL = re.compile(r"reply\+([0-9a-z]{25,37})\Z")


def message_of_reply_address(address: str) -> int | None:
    """The message a reply+token address belongs to, or None for any other address."""
    domain = settings.TALENTLOOP_REPLY_DOMAIN.strip().lower()
    local, at, host = address.strip().lower().rpartition("@")
    if not domain or not at or host != domain:
        return None
    found = _REPLY_LOCAL.match(local)
    if found is None:
        return None
    try:
        return read_token(found.group(1), "reply")
    except InvalidTrackingToken:
        return None


# --- HTML -----------------------------------------------------------------------------------

# The href of every <a> tag, quoted either way or bare. One pass over the document.
_LINK = re.compile(
    r"""(<a\s+(?:[^>]*?\s)?href\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""",
    re.IGNORECASE,
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def track_html(html: str, *, message_id: int, opens: bool, clicks: bool) -> str:
    """Route the http(s) links of `html` through the click redirect and append the open pixel.

    Left alone: mailto:, tel:, anchors and other schemes, the message's own unsubscribe link,
    and links already on the tracking prefix (the preferences page). The pixel goes just before
    </body>, or at the end of a fragment.
    """
    if clicks:
        own = f"{_site()}{PATH_PREFIX}"
        mac_secret = settings.SECRET_KEY
        id36 = _base36(message_id)
        base = f"{own}c/{id36}"

        def rewrite(match: re.Match[str]) -> str:
            value = match.group(2)
            quote = '"'
            if value[0] in "\"'":
                quote, value = value[0], value[1:-1]
            url = unescape(value).strip() if "&" in value else value.strip()
            if not is_trackable_url(url) or url.startswith(own):
                return match.group(0)
            signature = _signature(mac_secret, "click", _payload(id36, url))
            encoded = base64.urlsafe_b64encode(url.encode()).rstrip(b"=").decode("ascii")
            return f"{match.group(1)}{quote}{base}{signature}.{encoded}{quote}"

        html = _LINK.sub(rewrite, html)
    if opens:
        pixel = (
            f'<img src="{open_pixel_url(message_id)}" width="1" height="1" alt="" '
            'style="display:block;width:1px;height:1px;border:0">'
        )
        end = html.rfind("</body>")
        if end < 0:
            ends = list(_BODY_END.finditer(html))
            end = ends[-1].start() if ends else len(html)
        html = f"{html[:end]}{pixel}{html[end:]}"
    return html
