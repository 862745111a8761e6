"""Message templates: compile once, render many; sanitized author HTML; a plain-text part.

Templates use the Django template language in an isolated engine that knows only a few tags and
filters and the tokens in TOKENS. Everything that can be wrong with a template (a syntax error,
an unknown token, a forbidden tag, a missing snippet) is found when it is compiled, which
happens when it is saved, so a send never fails on it.

The compiled form renders three parts: the subject, the full HTML document (the author's body
inside a responsive single-column wrapper), and the text part, which is either the author's or
generated once from the HTML at compile time, so rendering costs tens of microseconds.

No database queries here: `message_context` reads objects the caller loaded.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, ClassVar

import nh3
from django.template import (
    Context,
    Engine,
    Library,
    Node,
    NodeList,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import (
    DebugLexer,
    FilterExpression,
    Lexer,
    Parser,
    Token,
    TokenType,
    Variable,
    VariableNode,
)
from django.template.defaulttags import FirstOfNode, IfNode, NowNode, TemplateLiteral, WithNode
from django.utils.safestring import SafeData

from talentloop.core.errors import InvalidInput

if TYPE_CHECKING:
    from talentloop.accounts.models import User, Workspace
    from talentloop.candidates.models import Candidate
    from talentloop.jobs.models import Job

# The tokens a template may use, in the order the editor's menu shows them.
TOKENS: dict[str, str] = {
    "candidate.first_name": "The candidate's first name",
    "candidate.last_name": "The candidate's last name",
    "candidate.full_name": "The candidate's first and last name",
    "candidate.headline": "The candidate's headline",
    "candidate.current_title": "The candidate's current job title",
    "candidate.current_company": "The candidate's current company",
    "candidate.location": "City, region and country of the candidate",
    "candidate.city": "The candidate's city",
    "sender.first_name": "The sender's first name",
    "sender.full_name": "The sender's full name",
    "sender.email": "The sender's e-mail address",
    "job.title": "The job's title",
    "job.department": "The job's department",
    "job.location": "City, region and country of the job",
    "workspace.name": "Your organisation's name",
    "unsubscribe_url": "Link to unsubscribe (added as a footer to marketing messages that lack it)",
    "preferences_url": "Link to the candidate's e-mail preferences",
}
# The only tokens an href may start with: the rest are text a candidate may have typed.
URL_TOKENS = frozenset({"unsubscribe_url", "preferences_url"})

MAX_SOURCE = 200_000  # characters of one part; the services' limits are lower
SNIPPET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Tags and filters of Django that messages may not use, named so the error says "not allowed"
# rather than "unknown": they load files, leak settings, switch escaping off, or loop.
_FORBIDDEN_TAGS = _words(
    "autoescape block csrf_token cycle debug extends filter for ifchanged include load lorem "
    "partial partialdef querystring regroup resetcycle spaceless ssi static templatetag url "
    "verbatim widthratio"
)
_FORBIDDEN_FILTERS = _words(
    "safe safeseq escapejs json_script center ljust rjust stringformat pprint force_escape "
    "urlize urlizetrunc unordered_list linebreaks dictsort dictsortreversed make_list"
)
_ALLOWED_FILTERS = _words(
    "default default_if_none upper lower title capfirst date time truncatechars truncatewords "
    "yesno pluralize linebreaksbr urlencode cut length striptags"
)

_FIELD_NAMES = {"subject": "subject", "html": "body", "text": "text_body"}


class TemplateSyntaxProblem(InvalidInput):
    """A template that cannot be compiled: `field` names the part, `line` its line (1-based)."""

    def __init__(self, message: str, *, field: str, line: int | None = None) -> None:
        super().__init__(f"Line {line}: {message}" if line else message, field=field)
        self.line = line


# --- the engine -----------------------------------------------------------------------------


@dataclass
class _Compiling:
    """What the snippet tag needs while a part compiles: the snippets and the part's kind."""

    snippets: Mapping[str, str]
    as_text: bool
    in_snippet: bool = False


_COMPILING: ContextVar[_Compiling | None] = ContextVar("compiling_message", default=None)


class SnippetNode(Node):
    """A snippet's own nodes, compiled into the template that includes it."""

    def __init__(self, name: str, nodelist: NodeList, tokens: frozenset[str]) -> None:
        self.name = name
        self.nodelist = nodelist
        self.tokens = tokens

    def render(self, context: Context) -> str:
        return str(self.nodelist.render(context))


def _snippet_tag(parser: Parser, token: Token) -> SnippetNode:
    """{% snippet "name" %}: the snippet's body, resolved now so a missing one fails here."""
    bits = token.split_contents()
    if len(bits) != 2 or len(bits[1]) < 2 or bits[1][0] not in "'\"" or bits[1][-1] != bits[1][0]:
        raise TemplateSyntaxError('write {% snippet "name" %} with the name in quotes')
    name = bits[1][1:-1]
    state = _COMPILING.get()
    if state is None or state.in_snippet:
        raise TemplateSyntaxError("a snippet cannot include another snippet")
    body = state.snippets.get(name)
    if body is None:
        raise TemplateSyntaxError(f'unknown snippet "{name}"')
    source = text_source_from_html(body) if state.as_text else body
    state.in_snippet = True
    try:
        nodelist = Parser(Lexer(source).tokenize(), builtins=[_LIBRARY]).parse()
        tokens = _check_tokens(nodelist)
    except TemplateSyntaxError as error:
        line = getattr(getattr(error, "token", None), "lineno", None)
        where = f", line {line}" if line else ""
        raise TemplateSyntaxError(f'in snippet "{name}"{where}: {_explain(error)}') from None
    finally:
        state.in_snippet = False
    return SnippetNode(name, nodelist, tokens)


def _plain(value: Any) -> Any:
    """Text that is not marked safe (so it is escaped in HTML)."""
    return "".join((str(value),)) if isinstance(value, SafeData) else value


# Django marks a filter's quoted argument safe when it renders, so its own `default` would put
# {{ x|default:"<script>…" }} into the HTML unescaped (and past the sanitizer, which saw a
# token). These two return the argument as plain text.
def _default(value: Any, arg: Any) -> Any:
    return value or _plain(arg)


def _default_if_none(value: Any, arg: Any) -> Any:
    return _plain(arg) if value is None else value


def _library() -> Library:
    library = Library()
    for name in ("if", "firstof", "with", "comment", "now"):
        library.tag(name, defaulttags.register.tags[name])
    library.tag("snippet", _snippet_tag)
    for name in _ALLOWED_FILTERS - {"default", "default_if_none"}:
        library.filter(name, defaultfilters.register.filters[name])
    library.filter("default", _default, is_safe=False)
    library.filter("default_if_none", _default_if_none, is_safe=False)
    return library


class _MessageEngine(Engine):
    # Django's own builtins would bring {% include %}, {% load %} and the rest back.
    default_builtins: ClassVar[list[str]] = []


_LIBRARY = _library()
ENGINE = _MessageEngine(loaders=[], libraries={}, autoescape=True, string_if_invalid="")
ENGINE.template_builtins = [_LIBRARY]


# --- compiling and checking -----------------------------------------------------------------

_INVALID_TAG = re.compile(
    r"Invalid block tag on line \d+: '([^']*)'(?:, expected (.*?))?\. Did you forget"
)
_INVALID_FILTER = re.compile(r"Invalid filter: '([^']*)'")
_UNCLOSED = re.compile(r"Unclosed tag on line \d+: '([^']*)'\. Looking for one of: (.*)\.")
_ON_LINE = re.compile(r" on line \d+")


def _explain(error: TemplateSyntaxError) -> str:
    """Django's message in the words of a message template (without its own line numbers)."""
    message = str(error)
    if match := _INVALID_TAG.search(message):
        command, expected = match.groups()
        if command in _FORBIDDEN_TAGS:
            return f"{{% {command} %}} is not allowed in messages"
        if expected:
            return f"unexpected {{% {command} %}} (expected {expected.replace("'", '')})"
        return f"unknown tag {{% {command} %}}"
    if match := _INVALID_FILTER.search(message):
        name = match.group(1)
        if name in _FORBIDDEN_FILTERS:
            return f"the filter |{name} is not allowed in messages"
        return f"unknown filter |{name}"
    if match := _UNCLOSED.search(message):
        command, closers = match.groups()
        return f"{{% {command} %}} is not closed (add {{% {closers.split(', ')[-1]} %}})"
    return _ON_LINE.sub("", message)


def _unknown_token(path: str, token: Any) -> TemplateSyntaxError:
    message = f"unknown token {path}"
    root, _, rest = path.partition(".")
    fields = [t.partition(".")[2] for t in TOKENS if t.startswith(root + ".")]
    if fields and rest:  # a known group: compare the field names only
        close = [f"{root}.{f}" for f in difflib.get_close_matches(rest, fields, n=1, cutoff=0.75)]
    else:
        close = difflib.get_close_matches(path, TOKENS, n=1, cutoff=0.8)
    if close:
        message += f". Did you mean {close[0]}?"
    error = TemplateSyntaxError(message)
    error.token = token  # type: ignore[attr-defined]
    return error


def _unknown_root(path: str, token: Any) -> TemplateSyntaxError:
    fields = [t for t in TOKENS if t.startswith(path + ".")]
    return _error_at(token, f"unknown token {path}: use one of its fields, such as {fields[0]}")


def _check_variable(
    variable: Variable, aliases: Mapping[str, str], used: set[str], token: Any
) -> None:
    lookups = variable.lookups
    if lookups is None:  # a literal: "text", 3, _("…")
        return
    path = ".".join(lookups)
    if len(lookups) == 1 and path in aliases:
        used.add(aliases[path])
        return
    if path not in TOKENS:
        if any(t.startswith(path + ".") for t in TOKENS):
            raise _unknown_root(path, token)
        raise _unknown_token(path, token)
    used.add(path)


def _check_expression(
    expression: Any, aliases: Mapping[str, str], used: set[str], token: Any
) -> None:
    if isinstance(expression, FilterExpression):
        if isinstance(expression.var, Variable):
            _check_variable(expression.var, aliases, used, token)
        else:  # a quoted literal, which Django marks safe: {{ "<b>" }}, {% firstof "<b>" %}
            expression.var = _plain(expression.var)
        for _, arguments in expression.filters:
            for is_variable, argument in arguments:
                if is_variable:
                    _check_variable(argument, aliases, used, token)
    elif isinstance(expression, TemplateLiteral):
        _check_expression(expression.value, aliases, used, token)
    elif expression is not None:  # an operator of {% if %}: `first` and `second` operands
        _check_expression(getattr(expression, "first", None), aliases, used, token)
        _check_expression(getattr(expression, "second", None), aliases, used, token)


def _check_tokens(nodelist: NodeList, aliases: Mapping[str, str] | None = None) -> frozenset[str]:
    """The tokens `nodelist` uses; raises TemplateSyntaxError (with its token) for others."""
    used: set[str] = set()
    _walk(nodelist, aliases or {}, used)
    return frozenset(used)


def _walk(nodelist: NodeList, aliases: Mapping[str, str], used: set[str]) -> None:
    for node in nodelist:
        token = getattr(node, "token", None)
        if isinstance(node, VariableNode):
            _check_expression(node.filter_expression, aliases, used, token)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                _check_expression(condition, aliases, used, token)
                _walk(branch, aliases, used)
        elif isinstance(node, FirstOfNode):
            for expression in node.vars:
                _check_expression(expression, aliases, used, token)
            if node.asvar:
                raise _error_at(token, "{% firstof … as … %} is not supported in messages")
        elif isinstance(node, WithNode):
            inner = dict(aliases)
            for name, expression in node.extra_context.items():
                _check_expression(expression, aliases, used, token)
                var = expression.var if isinstance(expression, FilterExpression) else None
                lookups = var.lookups if isinstance(var, Variable) else None
                # An alias stands for its token (for "uses unsubscribe_url"), or for a literal.
                inner[name] = ".".join(lookups) if lookups else ""
            _walk(node.nodelist, inner, used)
        elif isinstance(node, NowNode):
            if node.asvar:
                raise _error_at(token, "{% now … as … %} is not supported in messages")
            if set(node.format_string) & set("<>&\"'"):
                # The tag's output is not escaped, and a format can spell out markup.
                raise _error_at(token, "a {% now %} format cannot contain < > & or quotes")
        elif isinstance(node, SnippetNode):
            used.update(node.tokens)
        # TextNode and CommentNode hold no tokens.
    used.discard("")


def _error_at(token: Any, message: str) -> TemplateSyntaxError:
    error = TemplateSyntaxError(message)
    error.token = token  # type: ignore[attr-defined]
    return error


_MISSING = object()


class _TokenNode(VariableNode):
    """{{ token }} or {{ token|default:"literal" }} read straight from the context's dicts.

    These are nearly all of a message's tokens, and Django's general path (lookups that try
    attributes and calls, localization, filter machinery) costs about four times as much. Any
    value that is not a str in nested dicts takes the general path, so the output is the same.
    """

    def __init__(self, node: VariableNode, lookups: tuple[str, ...], default: str | None) -> None:
        super().__init__(node.filter_expression)
        self.token = node.token
        self.origin = node.origin
        self.root, self.rest, self.default = lookups[0], lookups[1:], default

    def render(self, context: Context) -> str:
        value = context.get(self.root, _MISSING)
        for bit in self.rest:
            if type(value) is dict:
                value = value.get(bit, _MISSING)
            elif value is _MISSING:
                break
            else:
                return str(super().render(context))
        if value is _MISSING:
            value = ""
        if self.default is not None and not value:
            value = self.default
        if type(value) is not str:
            return str(super().render(context))
        return escape(value) if context.autoescape else value


def _speed_up(nodelist: NodeList) -> None:
    """Swap simple token nodes for _TokenNode, in place."""
    for index, node in enumerate(nodelist):
        if isinstance(node, VariableNode) and not isinstance(node, _TokenNode):
            expression = node.filter_expression
            var, filters = expression.var, expression.filters
            if not isinstance(var, Variable) or not var.lookups or var.translate:
                continue
            default: str | None = None
            if filters:
                function, arguments = filters[0]
                if len(filters) > 1 or function is not _default:
                    continue
                if arguments[0][0] or not isinstance(arguments[0][1], str):
                    continue
                default = arguments[0][1]
            nodelist[index] = _TokenNode(node, tuple(var.lookups), default)
        elif isinstance(node, IfNode):
            for _, branch in node.conditions_nodelists:
                _speed_up(branch)
        elif isinstance(node, WithNode | SnippetNode):
            _speed_up(node.nodelist)


@dataclass(frozen=True)
class _Part:
    template: Template
    tokens: frozenset[str]


MAX_NESTING = 50
_BLOCK_TAG = re.compile(r"\{%\s*(\w+)")


def _nesting(source: str) -> int:
    """How deep the block tags of `source` nest ({% if %} in {% for %} is 2): a tag opens a
    block when its end tag ({% endif %}) is written somewhere."""
    names = _BLOCK_TAG.findall(source)
    closed = {name[3:] for name in names if name.startswith("end")}
    depth = deepest = 0
    for name in names:
        if name in closed:
            depth += 1
            deepest = max(deepest, depth)
        elif name.startswith("end") and name[3:] in closed:
            depth = max(0, depth - 1)
    return deepest


def _compile_part(source: str, *, field: str, snippets: Mapping[str, str], as_text: bool) -> _Part:
    if len(source) > MAX_SOURCE:
        raise TemplateSyntaxProblem(f"At most {MAX_SOURCE:,} characters.", field=field)
    if "\x00" in source:
        raise TemplateSyntaxProblem("Text cannot contain NUL characters.", field=field)
    if _nesting(source) > MAX_NESTING:
        # Django's template parser recurses once per open block: some hundreds run it out of
        # stack.
        raise TemplateSyntaxProblem(f"Blocks nest at most {MAX_NESTING} deep.", field=field)
    reset = _COMPILING.set(_Compiling(snippets=snippets, as_text=as_text))
    try:
        template = Template(source, engine=ENGINE)
        tokens = _check_tokens(template.nodelist)
        _speed_up(template.nodelist)
    except TemplateSyntaxError as error:
        line = getattr(getattr(error, "token", None), "lineno", None)
        raise TemplateSyntaxProblem(_explain(error), field=field, line=line) from None
    finally:
        _COMPILING.reset(reset)
    return _Part(template, tokens)


# --- sanitizing author HTML -----------------------------------------------------------------

# Template tokens are swapped for these markers while HTML is parsed, so the parser neither
# mangles nor is fooled by them; private-use characters never occur in real text.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")

_TAGS = (nh3.ALLOWED_TAGS - {"map", "area", "details", "summary"}) | {"span", "div"}
_CELL = {"width", "height", "colspan", "rowspan", "valign", "bgcolor", "align"}
_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "dir", "lang", "title", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"width", "cellpadding", "cellspacing", "border", "role", "bgcolor", "align"},
    "td": _CELL,
    "th": _CELL | {"scope"},
    "tr": {"valign", "bgcolor"},
    "ol": {"start", "type"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "hr": {"width", "size"},
}
_CSS = _words(
    "color background-color font-family font-size font-style font-weight line-height "
    "letter-spacing text-align text-decoration text-transform text-indent vertical-align "
    "white-space word-break overflow-wrap width min-width max-width height min-height "
    "max-height display table-layout border-collapse border-spacing border-radius border "
    "border-top border-right border-bottom border-left border-color border-style border-width "
    "padding padding-top padding-right padding-bottom padding-left margin margin-top "
    "margin-right margin-bottom margin-left"
)
_UNSAFE_CSS_VALUE = re.compile(r"url\s*\(|expression\s*\(|javascript:|@import|\\", re.IGNORECASE)
# A link starts with its scheme and, for the web, a host the author wrote: a token further on
# cannot send the reader elsewhere.
_SAFE_LINK = re.compile(r"^(?:https?://[^/?#\s\ue000\ue001]+(?:[/?#]|$)|mailto:|tel:)", re.I)
_SAFE_IMAGE = re.compile(r"^https://[^/?#\s\ue000\ue001]+(?:[/?#]|$)", re.I)


@dataclass(frozen=True)
class _Marked:
    """A template with its tokens swapped for markers, and what each marker stands for."""

    text: str
    sources: list[str]
    tokens: list[Token]

    def restore(self, text: str) -> str:
        return _MARKER.sub(lambda m: self.sources[int(m.group(1))], text)


def _mark(source: str, *, share_variables: bool = False) -> _Marked:
    source = source.replace(_OPEN, "").replace(_CLOSE, "")
    parts: list[str] = []
    sources: list[str] = []
    tokens: list[Token] = []
    # With share_variables the same {{ token }} gets one marker, so "text (url)" can tell that
    # a link's text is its address.
    variables: dict[str, int] = {}
    for token in DebugLexer(source).tokenize():
        start, end = token.position or (0, 0)  # DebugLexer always sets it
        text = source[start:end]
        if token.token_type == TokenType.TEXT:
            parts.append(text)
            continue
        shared = share_variables and token.token_type == TokenType.VAR
        index = variables.get(text) if shared else None
        if index is None:
            index = len(sources)
            sources.append(text)
            tokens.append(token)
            if token.token_type == TokenType.VAR:
                variables[text] = index
        parts.append(f"{_OPEN}{index}{_CLOSE}")
    return _Marked("".join(parts), sources, tokens)


def _variable_path(token: Token) -> str:
    if token.token_type != TokenType.VAR:
        return ""
    return token.contents.split("|", 1)[0].strip()


def sanitize_html(html: str, *, field: str = "body") -> str:
    """Author HTML cleaned with nh3: formatting, links, https images and tables stay; scripts,
    event handlers, javascript: links and risky CSS go. Template tokens come through intact.

    Raises TemplateSyntaxProblem when a block tag ({% if %} …) sits where HTML cannot keep it
    in place: between table rows, or in an attribute that had to be removed.
    """
    marked = _mark(html)

    def url_token(value: str) -> bool:
        match = _MARKER.fullmatch(value.strip())
        if match is None:
            return False
        return _variable_path(marked.tokens[int(match.group(1))]) in URL_TOKENS

    def attribute_filter(element: str, attribute: str, value: str) -> str | None:
        if attribute == "href":
            return value if _SAFE_LINK.match(value.strip()) or url_token(value) else None
        if attribute == "src":
            return value if _SAFE_IMAGE.match(value.strip()) else None
        if attribute == "style":
            if _OPEN in value:  # a candidate's text must not become CSS
                return None
            kept = [
                rule.strip()
                for rule in value.split(";")
                if ":" in rule
                and rule.split(":", 1)[0].strip().lower() in _CSS
                and not _UNSAFE_CSS_VALUE.search(rule)
            ]
            return "; ".join(kept) or None
        return value

    cleaned = nh3.clean(
        marked.text,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=None,
        filter_style_properties=set(_CSS),
        strip_comments=True,
    )
    _check_tokens_kept(marked, [int(i) for i in _MARKER.findall(cleaned)], field=field)
    return marked.restore(cleaned)


def _check_tokens_kept(marked: _Marked, kept: list[int], *, field: str) -> None:
    """Tokens must come through in their order, and every block tag must come through, or the
    template's meaning changed (HTML moves text found between table rows before the table)."""
    blocks = [i for i, t in enumerate(marked.tokens) if t.token_type == TokenType.BLOCK]
    culprit: int | None = None
    for before, after in itertools.pairwise(kept):
        if after < before:
            # Blame the block tag the moved token sat in (the last one before it).
            opened = [b for b in blocks if b < after]
            culprit = opened[-1] if opened else before
            break
    if culprit is None:
        missing = sorted(set(blocks) - set(kept))
        if not missing:
            return
        culprit = missing[0]
    raise TemplateSyntaxProblem(
        f"{marked.sources[culprit]} sits where HTML cannot keep it (between table rows or "
        "cells, or in an attribute that is not allowed): put it inside a cell or around the "
        "whole table",
        field=field,
        line=marked.tokens[culprit].lineno,
    )


# --- HTML to plain text ---------------------------------------------------------------------

_PARAGRAPHS = _words("p h1 h2 h3 h4 h5 h6 ul ol table blockquote pre dl hr")
_LINES = _words(
    "div tr li dt dd section article header footer aside nav center caption figure figcaption "
    "address thead tbody tfoot"
)
_HIDDEN = _words("script style head title template")


class _TextWriter(HTMLParser):
    """Readable text from HTML: paragraphs, list items as "- " or "1. ", links as
    "text (url)", images as their alt text, table cells side by side."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.newlines = 0  # line breaks owed before the next text
        self.space = False  # a space owed before the next text
        self.line_start = True
        self.hidden = 0
        self.pre = 0
        self.lists: list[list[Any]] = []  # [tag, next number]
        self.links: list[tuple[str, int]] = []  # href, where its text starts in parts
        self.cells = 0

    def _break(self, count: int) -> None:
        if self.parts:
            self.newlines = max(self.newlines, count)

    def _write(self, text: str) -> None:
        if not text:
            return
        if self.newlines:
            self.parts.append("\n" * self.newlines)
            self.line_start = True
        elif self.space and not self.line_start:
            self.parts.append(" ")
        self.newlines, self.space = 0, False
        self.parts.append(text)
        self.line_start = text.endswith("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            if self.parts:
                self.parts.append("\n" * (self.newlines + 1))
                self.newlines, self.space, self.line_start = 0, False, True
        elif tag == "hr":
            self._break(2)
            self._write("----")
            self._break(2)
        elif tag == "img":
            alt = " ".join((dict(attrs).get("alt") or "").split())
            if alt:
                self._write(alt)
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))
        elif tag in ("ul", "ol"):
            self._break(1 if self.lists else 2)
            self.lists.append([tag, int(dict(attrs).get("start") or 1) if tag == "ol" else 0])
        elif tag == "li":
            self._break(1)
            if self.lists:
                kind = self.lists[-1]
                marker = f"{kind[1]}. " if kind[0] == "ol" else "- "
                kind[1] += 1
                self._write("  " * (len(self.lists) - 1) + marker)
                self.line_start = True  # no space after the marker
        elif tag in ("td", "th"):
            self.space = self.space or self.cells > 0
            self.cells += 1
        elif tag == "pre":
            self.pre += 1
            self._break(2)
        elif tag in _PARAGRAPHS:
            self._break(2)
        elif tag in _LINES:
            if tag == "tr":
                self.cells = 0
            self._break(1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            self._end_link(href.strip(), "".join(self.parts[start:]).strip())
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break(1 if self.lists else 2)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag in _PARAGRAPHS:
            self._break(2)
        elif tag in _LINES or tag == "li":
            self._break(1)

    def _end_link(self, href: str, text: str) -> None:
        if not href or href.startswith("#"):
            return
        shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
        if text in (href, shown):
            return
        if text:
            self.parts.append(f" ({shown})")
            self.line_start = False
        else:
            self._write(shown)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            self._write(data)
            return
        words = data.split()
        if data[:1].isspace():
            self.space = True
        if words:
            self._write(" ".join(words))
            self.space = data[-1:].isspace()

    def text(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r"[ \t]+\n", "\n", text)
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(html: str) -> str:
    """The plain-text reading of an HTML fragment or document."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    return writer.text()


def text_source_from_html(source: str) -> str:
    """A text template from an HTML template: the HTML becomes text, the tokens stay."""
    marked = _mark(source, share_variables=True)
    return marked.restore(html_to_text(marked.text))


# --- the message wrapper --------------------------------------------------------------------

_FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
_HEAD = (
    '<!DOCTYPE html>\n<html lang="en" xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
    '<meta name="x-apple-disable-message-reformatting">\n'
    '<meta name="color-scheme" content="light">\n<title>'
)
# Outlook for Windows ignores max-width, so it gets a fixed 600px table in conditional comments;
# everything else gets a fluid column up to 600px. The <style> block only adds what inline CSS
# cannot say (image scaling, phone padding); clients that drop it still get the inline layout.
_OPEN_BODY = (
    "</title>\n<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96"
    "</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->\n<style>\n"
    "body{margin:0;padding:0;width:100%;-webkit-text-size-adjust:100%;"
    "-ms-text-size-adjust:100%}\ntable{border-collapse:collapse;mso-table-lspace:0;"
    "mso-table-rspace:0}\nimg{border:0;max-width:100%;height:auto;"
    "-ms-interpolation-mode:bicubic}\n"
    "@media (max-width:620px){.tl-body{padding:20px 16px !important}}\n</style>\n</head>\n"
    '<body style="margin:0;padding:0;background-color:#f6f7f9;">\n'
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
    'style="background-color:#f6f7f9;">\n<tr><td align="center" style="padding:24px 8px;">\n'
    '<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" '
    'border="0" align="center"><tr><td><![endif]-->\n'
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
    'style="max-width:600px;width:100%;background-color:#ffffff;border:1px solid #dde2e8;'
    'border-radius:8px;">\n<tr><td class="tl-body" style="padding:32px;font-family:'
    f'{_FONT};font-size:16px;line-height:1.5;color:#1d2430;text-align:left;">\n'
)
_CLOSE_CARD = "\n</td></tr>\n</table>\n"
_FOOTER_OPEN = (
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
    'style="max-width:600px;width:100%;">\n<tr><td style="padding:16px 32px;font-family:'
    f'{_FONT};font-size:12px;line-height:1.5;color:#5f6b7a;text-align:center;">'
)
_LINK_STYLE = 'style="color:#5f6b7a;text-decoration:underline;"'
_TAIL = "<!--[if mso]></td></tr></table><![endif]-->\n</td></tr>\n</table>\n</body>\n</html>\n"


def _footer(context: Mapping[str, Any], url: str) -> tuple[str, str]:
    """The unsubscribe footer of a marketing message: (HTML, text)."""
    workspace = context.get("workspace") or {}
    name = str(workspace.get("name", "")) if isinstance(workspace, Mapping) else ""
    who = f"You are receiving this e-mail from {name}." if name else ""
    preferences = str(context.get("preferences_url") or "")
    html = [_FOOTER_OPEN, escape(who), " " if who else ""]
    html.append(f'<a href="{escape(url)}" {_LINK_STYLE}>Unsubscribe</a>')
    text = [who, f"Unsubscribe: {url}"]
    if preferences:
        html.append(f' · <a href="{escape(preferences)}" {_LINK_STYLE}>E-mail preferences</a>')
        text.append(f"E-mail preferences: {preferences}")
    html.append("</td></tr>\n</table>\n")
    return "".join(html), "\n".join(t for t in text if t)


# --- compiled messages ----------------------------------------------------------------------


_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class CompiledMessage:
    """A template ready to render for any number of people (see `compile_message`)."""

    kind: str
    subject: Template | None
    html: Template | None
    text: Template | None  # None for e-mail: the text is made from the rendered HTML
    tokens: frozenset[str] = field(default_factory=frozenset)
    html_has_unsubscribe: bool = False
    text_has_unsubscribe: bool = False
    # Block tags leave the blank lines of their own lines in the text part.
    tidy_text: bool = False

    def render(self, context: Mapping[str, Any], *, marketing: bool = False) -> Rendered:
        """The message for one person. `context` comes from `message_context`.

        A marketing e-mail whose body has no {{ unsubscribe_url }} gets a footer with it (when
        the context has one). SMS messages have only `text`.
        """
        values = Context(dict(context), autoescape=False)
        subject = " ".join(self.subject.render(values).split()) if self.subject else ""
        text = str(self.text.render(values)).strip() if self.text else ""
        if self.tidy_text:
            text = _BLANK_LINES.sub("\n\n", text)
        if self.html is None:
            return Rendered(subject, "", text)
        values.autoescape = True
        body = str(self.html.render(values))
        if self.text is None:
            text = html_to_text(body)
        url = str(context.get("unsubscribe_url") or "") if marketing else ""
        footer_html = footer_text = ""
        if url and not (self.html_has_unsubscribe and self.text_has_unsubscribe):
            footer_html, footer_text = _footer(context, url)
        if footer_html and not self.html_has_unsubscribe:
            body = body + _CLOSE_CARD + footer_html
        else:
            body = body + _CLOSE_CARD
        if footer_text and not self.text_has_unsubscribe:
            text = f"{text}\n\n-- \n{footer_text}"
        html = "".join((_HEAD, escape(subject), _OPEN_BODY, body, _TAIL))
        return Rendered(subject, html, text)


def compile_message(
    *,
    subject: str,
    html: str,
    text: str = "",
    snippets: Mapping[str, str] | None = None,
    kind: str = "email",
) -> CompiledMessage:
    """Compile a message template once; render it with `CompiledMessage.render`.

    `html` is the author's body, already sanitized (`sanitize_html`) when it was saved. Raises
    TemplateSyntaxProblem naming the field ("subject", "body", "text_body") and the line.
    """
    snippets = snippets or {}
    if kind == "sms":
        if not text.strip():
            raise TemplateSyntaxProblem("An SMS needs its text.", field="text_body")
        part = _compile_part(text, field="text_body", snippets=snippets, as_text=True)
        return CompiledMessage(
            kind=kind,
            subject=None,
            html=None,
            text=part.template,
            tokens=part.tokens,
            tidy_text="{%" in text,
        )
    if kind != "email":
        raise InvalidInput("Kind is email or sms.", field="kind")
    subject_part = _compile_part(subject, field="subject", snippets=snippets, as_text=True)
    html_part = _compile_part(html, field="body", snippets=snippets, as_text=False)
    text_part: _Part | None = None
    text_source = text
    if text.strip():
        text_part = _compile_part(text, field="text_body", snippets=snippets, as_text=True)
    else:
        # The text part of most messages is generated: once here, as a template of its own, so
        # each render costs a template render, not an HTML parse.
        try:
            text_source = text_source_from_html(html)
            text_part = _compile_part(
                text_source, field="text_body", snippets=snippets, as_text=True
            )
        except TemplateSyntaxProblem:
            text_part = None  # unusual markup: made from each rendered body instead
    tokens = subject_part.tokens | html_part.tokens | (text_part.tokens if text_part else set())
    html_has = "unsubscribe_url" in html_part.tokens
    return CompiledMessage(
        kind=kind,
        subject=subject_part.template,
        html=html_part.template,
        text=text_part.template if text_part else None,
        tokens=frozenset(tokens),
        html_has_unsubscribe=html_has,
        text_has_unsubscribe="unsubscribe_url" in text_part.tokens if text_part else html_has,
        tidy_text="{%" in text_source,
    )


def check_snippet(body: str, *, field: str = "body") -> frozenset[str]:
    """Compile a snippet on its own: the tokens it uses, or TemplateSyntaxProblem."""
    state = _Compiling(snippets={}, as_text=False, in_snippet=True)
    reset = _COMPILING.set(state)
    try:
        if len(body) > MAX_SOURCE:
            raise TemplateSyntaxProblem(f"At most {MAX_SOURCE:,} characters.", field=field)
        if _nesting(body) > MAX_NESTING:
            raise TemplateSyntaxProblem(f"Blocks nest at most {MAX_NESTING} deep.", field=field)
        nodelist = Parser(Lexer(body).tokenize(), builtins=[_LIBRARY]).parse()
        return _check_tokens(nodelist)
    except TemplateSyntaxError as error:
        line = getattr(getattr(error, "token", None), "lineno", None)
        raise TemplateSyntaxProblem(_explain(error), field=field, line=line) from None
    finally:
        _COMPILING.reset(reset)


_SNIPPET_USE = re.compile(r"{%\s*snippet\s+(['\"])([^'\"]*)\1\s*%}")


def snippet_names(*sources: str) -> set[str]:
    """The snippet names the sources include."""
    return {m.group(2) for source in sources for m in _SNIPPET_USE.finditer(source)}


# --- token values ---------------------------------------------------------------------------


def _first_name(full_name: str) -> str:
    return full_name.split()[0] if full_name.split() else ""


# The candidate fields message_context reads (senders load only these; plus the timezone,
# which the engine's send windows need).
CANDIDATE_FIELDS = (
    "workspace_id",
    "first_name",
    "last_name",
    "headline",
    "current_title",
    "current_company",
    "city",
    "region",
    "country",
    "timezone",
)


def message_context(
    *,
    candidate: Candidate,
    sender: User | None,
    job: Job | None,
    workspace: Workspace,
    unsubscribe_url: str = "",
    preferences_url: str = "",
) -> dict[str, Any]:
    """The token values for one message, from objects already loaded (no queries)."""
    sender_values: dict[str, str] = {}
    if sender is not None:
        sender_values = {
            "first_name": _first_name(sender.full_name),
            "full_name": sender.full_name,
            "email": sender.email,
        }
    job_values: dict[str, str] = {}
    if job is not None:
        job_values = {"title": job.title, "department": job.department, "location": job.location}
    return {
        "candidate": {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "full_name": candidate.full_name,
            "headline": candidate.headline,
            "current_title": candidate.current_title,
            "current_company": candidate.current_company,
            "location": candidate.location,
            "city": candidate.city,
        },
        "sender": sender_values,
        "job": job_values,
        "workspace": {"name": workspace.name},
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }


def sample_context() -> dict[str, Any]:
    """Made-up values for every token, for a preview before any candidate is chosen."""
    return {
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "headline": "Analyst and mathematician",
            "current_title": "Analyst",
            "current_company": "Analytical Engines Ltd",
            "location": "London, GB",
            "city": "London",
        },
        "sender": {"first_name": "Sam", "full_name": "Sam Sender", "email": "sam@example.com"},
        "job": {"title": "Staff Engineer", "department": "Engineering", "location": "Remote"},
        "workspace": {"name": "Example Talent"},
        "unsubscribe_url": "https://example.com/unsubscribe",
        "preferences_url": "https://example.com/preferences",
    }


def token_menu() -> Iterator[tuple[str, str, str]]:
    """(token, description, what to insert) for the editor's menu."""
    for name, description in TOKENS.items():
        # A greeting is the usual place of a first name, and "Hi ," the usual slip.
        fallback = '|default:"there"' if name == "candidate.first_name" else ""
        yield name, description, "{{ " + name + fallback + " }}"
