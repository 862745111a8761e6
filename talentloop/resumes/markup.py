"""Plain-text resumes written in a lightweight markup (Markdown, AsciiDoc): the text a reader
of the rendered page sees, and the web addresses its links point to. No Django.

Developers often send `resume.md` or a `.txt` exported from AsciiDoc. Read as it is, such a
file gives "**Data Engineer** at [Acme](https://acme.example)" and "_June 2011 - Present_":
the markers stick to titles, employers and dates. `to_plain` removes them (headings, their
underlines, emphasis, links, anchors, table rules, HTML entities) and keeps each link's label
in the text and its address in the returned list.

Only text that `looks_marked_up` is converted: three or more markup constructs, so that an
ordinary text file with a stray asterisk or underscore is left exactly as written.
"""

from __future__ import annotations

import html
import re

# Lines longer than this are left as they are: no resume line is that long, and the inline
# patterns below then never read more than this much at once.
MAX_MARKUP_LINE = 2000
MAX_MARKUP_TEXT = 1_000_000
_SAMPLE = 20_000  # characters read to decide whether a text is marked up
_THRESHOLD = 3

# Label and address patterns never hold the bracket that opens them, so that a search from
# each "[", "<" or "(" of a hostile line stops at the next one (linear time).
_MD_LINK = re.compile(
    r"\[([^\[\]\n]{0,300})\]\(\s*<?([^()<>\s]{1,2000})>?(?:\s+\"[^\"\n]*\")?\s*\)"
)
_MD_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\([^()\n]{0,2000}\)")
_MD_REFERENCE = re.compile(r"\[([^\[\]\n]{1,300})\]\[[^\[\]\n]{0,300}\]")
_MD_DEFINITION = re.compile(r"^ {0,3}\[[^\[\]\n]{1,300}\]:\s+<?(\S{1,2000}?)>?(?:\s+.*)?$")
_AUTOLINK = re.compile(
    r"<((?:https?|ftp)://[^<>\s]{1,2000}|(?:mailto:)?[^<>@\s]{1,200}@[^<>@\s]{1,200})>"
)
# AsciiDoc: "https://acme.example[Acme]", "link:https://…[Acme]", "mailto:a@b.example[a@b]".
# An address starts where no other could have ("http:http:…" is one attempt, not many).
_ADOC_LINK = re.compile(
    r"(?<![\w:/.\-])(?:link:)?((?:https?|ftp|mailto|tel|irc):(?://)?[^\s\[\]]{1,2000})"
    r"\[([^\[\]\n]{0,300})\]"
)
_ADOC_ANCHOR = re.compile(r"\[\[[^\[\]\n]{0,300}\]\]|\[#[\w-]{1,200}\]")
_ADOC_ATTRIBUTE = re.compile(r"^:!?[A-Za-z][\w-]*!?:(?:\s.*)?$")
_ADOC_DEFINITION = re.compile(r"^(\S[^\n]{0,200}?):{2,4}(?=\s|$)")
_ADOC_CONTINUATION = re.compile(r"\s\+$")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_ADOC_HEADING = re.compile(r"^={1,6}\s+(\S.*)$")
# Underlines of setext and AsciiDoc headings, horizontal rules and block delimiters.
_RULE = re.compile(r"^\s*(?:([=\-~^+*_#.])\1{2,}|(?:[-*_]\s+){2,}[-*_]|\|={3,})\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_QUOTE = re.compile(r"^ {0,3}>\s?")
_STRONG = re.compile(r"(\*\*\*|\*\*|__)(?=[^\s*_])([^*\n]{1,300}?)(?<=[^\s*_])\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_])_(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])_(?![\w_])"
)
_CODE = re.compile(r"`([^`\n]{1,300})`")
_SUPERSCRIPT = re.compile(r"\^([^\s^]{1,20})\^")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~^])")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")

_SIGNALS = (
    _MD_LINK,
    _ADOC_LINK,
    re.compile(r"^ {0,3}#{1,6}\s+\S", re.MULTILINE),
    re.compile(r"^={1,6}\s+\S", re.MULTILINE),
    re.compile(r"^\s*(?:[=\-~^]){3,}\s*$", re.MULTILINE),
    re.compile(r"\*\*[^*\s][^*\n]{0,300}\*\*|__[^_\s][^_\n]{0,300}__"),
    re.compile(r"^\[\[[^\]\n]{0,300}\]\]\s*$", re.MULTILINE),
    re.compile(r"(?:^|\s)_[^_\s][^_\n]{0,300}_(?=\s|$)", re.MULTILINE),
    _AUTOLINK,
)


# Constructs a plain text does not hold by chance (an underline under a heading it may): only
# where one of them appears are paragraphs taken to be wrapped by the source.
_INLINE_SIGNALS = (_MD_LINK, _ADOC_LINK, _SIGNALS[2], _SIGNALS[5])
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def looks_marked_up(text: str) -> bool:
    """Whether `text` holds three or more Markdown or AsciiDoc constructs (and is no longer
    than a resume can be: a text of megabytes is not converted line by line)."""
    if len(text) > MAX_MARKUP_TEXT:
        return False
    sample = text[:_SAMPLE]
    found = 0
    for signal in _SIGNALS:
        found += sum(1 for _ in zip(range(_THRESHOLD), signal.finditer(sample), strict=False))
        if found >= _THRESHOLD:
            return True
    return False


def to_plain(text: str) -> tuple[str, list[str]]:
    """The text without its markup, and the web addresses (http, https) its links point to, in
    the order written, each once."""
    links: list[str] = []

    def md_link(match: re.Match[str]) -> str:
        label, url = match.group(1).strip(), match.group(2)
        add_link(links, url)
        return label or _address(url)

    def adoc_link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        add_link(links, url)
        # "[Acme^]", "[Acme,window=_blank]": the label is what comes before the attributes.
        label = label.split(",", 1)[0].rstrip("^").strip().strip('"')
        return label or _address(url)

    def autolink(match: re.Match[str]) -> str:
        add_link(links, match.group(1))
        return _address(match.group(1))

    # Escaped characters ("\*", "\_") are hidden from the patterns, then put back.
    text = _ESCAPED.sub(lambda m: chr(0xF0000 + ord(m.group(1))), text)
    out: list[str] = []
    widths: list[int] = []  # each output line's source width; 0: a line nothing continues
    for line in _with_whole_labels(text.split("\n")):
        if len(line) > MAX_MARKUP_LINE:
            out.append(line)
            widths.append(0)
            continue
        if _RULE.match(line) or _TABLE_RULE.match(line) or _ADOC_ATTRIBUTE.match(line):
            # An underline ends the heading above it (and goes); a rule or a table's border
            # is no text, but it parts what is above from what is below.
            if out and out[-1].strip():
                widths[-1] = 0
            else:
                out.append("")
                widths.append(0)
            continue
        definition = _MD_DEFINITION.match(line)
        if definition:
            add_link(links, definition.group(1))
            continue
        width = len(line)
        line = _QUOTE.sub("", line)
        heading = _ATX_HEADING.match(line) or _ADOC_HEADING.match(line)
        if heading:
            line = heading.group(1)
            width = 0
        unanchored = _ADOC_ANCHOR.sub("", line)
        if line.strip() and not unanchored.strip():
            continue  # an anchor alone on its line ("[[experience]]")
        line = unanchored
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(md_link, line)
        line = _MD_REFERENCE.sub(r"\1", line)
        line = _AUTOLINK.sub(autolink, line)
        line = _ADOC_LINK.sub(adoc_link, line)
        line = _ADOC_DEFINITION.sub(r"\1:", line)
        line = _ADOC_CONTINUATION.sub("", line)
        line = _STRONG.sub(r"\2", line)
        line = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
        line = _CODE.sub(r"\1", line)
        line = _SUPERSCRIPT.sub(r"\1", line)
        if "&" in line:
            line = _ENTITY.sub(lambda m: html.unescape(m.group()), line)
        out.append(line)
        widths.append(width)
    sample = text[:_SAMPLE]
    if any(signal.search(sample) for signal in _INLINE_SIGNALS):
        out = _unwrapped(out, widths)
    plain = "\n".join(out)
    plain = re.sub("[\U000f0000-\U000f00ff]", lambda m: chr(ord(m.group()) - 0xF0000), plain)
    return plain, links


def _with_whole_labels(lines: list[str]) -> list[str]:
    """`lines` with each link label that the source wrapped onto the next line ("[Moxie" /
    "Interactive](…)", "…com[Fernhollow" / "Labs]") put back on one line."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        opened = line.rfind("[")
        if opened >= 0 and line.rfind("]") < opened and len(line) <= MAX_MARKUP_LINE:
            after = lines[index + 1][:300] if index + 1 < len(lines) else ""
            closed = after.find("]")
            if closed >= 0 and "[" not in after[:closed]:
                out.append(line + " " + lines[index + 1])
                index += 2
                continue
        out.append(line)
        index += 1
    return out


_LIST_ITEM = re.compile(r"^\s*(?:[*+\-\u2022]{1,5}|\d{1,2}[.)]|[a-z][.)])\s")


def _unwrapped(lines: list[str], widths: list[int]) -> list[str]:
    """Paragraphs that the source wrapped at a fixed width ("... for clients such as Coke,
    Home" / "Depot, Verizon ...") joined again, as the rendered page shows them. A line
    continues the one above when that one reached about two thirds of the wrap width and
    this one opens no list item; short lines ("**Data Engineer**" over "Acme Corp") and lines
    with a year (a job's header) end where they end."""
    used = [width for width in widths if width]
    if len(used) < 10 or sum(width > 100 for width in used) > 0.05 * len(used):
        return lines  # not wrapped at a fixed width
    wrap = max(width for width in used if width <= 100)
    out: list[list[str]] = []  # each output line as its pieces (joined once, at the end)
    previous, previous_line = 0, ""
    for line, width in zip(lines, widths, strict=True):
        wrapped = previous >= 0.65 * wrap and previous_line.strip() and line.strip()
        if wrapped and not _LIST_ITEM.match(line) and not _YEAR.search(previous_line):
            out[-1].append(line.strip())
        else:
            out.append([line.rstrip()])
        previous, previous_line = width, line
    return [" ".join(pieces) for pieces in out]


def add_link(links: list[str], url: str) -> None:
    """Add a web address (http, https, www.) to `links` unless it is there already."""
    url = url.strip()
    if url.lower().startswith(("http://", "https://", "www.")) and url not in links:
        links.append(url)


def _address(url: str) -> str:
    """What a link without a label shows: its address without "mailto:" or "tel:"."""
    return re.sub(r"^(?:mailto|tel):(?://)?", "", url, flags=re.IGNORECASE)
