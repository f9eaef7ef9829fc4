"""Report bodies are plain text: paragraphs separated by one blank line."""

import re
from html.parser import HTMLParser

BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "tr",
    "figcaption",
    "pre",
}
SKIP_TAGS = {"script", "style", "noscript", "template"}
# No "<" inside a tag: a text of many "<a" and no ">" is then read in linear time.
TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
SPACE_RE = re.compile(r"[ \t\u00a0\u200b]+")
# What XML 1.0, and so no feed, can carry: C0 controls other than tab, line feed and
# carriage return; lone surrogates (JSON's "\ud800"); U+FFFE and U+FFFF.
XML_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Of those, the ones that stand between words: a soft line break pasted from a word
# processor is a vertical tab, a page break a form feed.
WORD_BREAKS = {"\x0b": " ", "\x0c": " "}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(TAG_RE.search(text))


def html_to_text(html: str) -> str:
    """Reduce HTML to paragraphs of text; scripts and styles are dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def paragraphs(text: str) -> list[str]:
    """Split a body into paragraphs, folding runs of spaces inside each."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    result = []
    for block in blocks:
        block = SPACE_RE.sub(" ", block)
        if "\n" in block:
            block = " ".join(filter(None, (line.strip() for line in block.split("\n"))))
        else:  # most paragraphs are one line: a body may hold tens of thousands
            block = block.strip()
        if block:
            result.append(block)
    return result


def is_subhead(paragraph: str) -> bool:
    """Scraped reports mark section heads by capitals: "LEAVING NO STONE UNTURNED"."""
    return len(paragraph) <= 100 and paragraph.isupper() and not paragraph.endswith(".")


def xml_safe(text: str) -> str:
    """``text`` without what XML 1.0 cannot carry: breaks become spaces, the rest goes."""
    if not XML_ILLEGAL_RE.search(text):
        return text
    return XML_ILLEGAL_RE.sub(lambda match: WORD_BREAKS.get(match.group(), ""), text)


def control_characters(text: str) -> list[str]:
    """The characters of ``text`` that XML 1.0 cannot carry, each once, as "U+000B"."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in XML_ILLEGAL_RE.findall(text)))


def clean_body(text: str) -> str:
    """The canonical stored form of a body, from plain text or HTML."""
    text = xml_safe(text)
    if looks_like_html(text):
        text = html_to_text(text)
    return "\n\n".join(paragraphs(text))


def short_slug(text: str, length: int = 80) -> str:
    """A slug of at most ``length`` characters, cut between words; Korean in Latin
    letters (신년사 → sinnyeonsa)."""
    from django.utils.text import slugify

    from .hangul import in_latin_letters

    slug = slugify(in_latin_letters(text[: length * 4]))
    if len(slug) > length:
        slug = slug[: length + 1].rsplit("-", 1)[0] if "-" in slug[:length] else slug[:length]
    return slug.strip("-")
