"""Korean records: which language a text is in, and the furniture of Korean sources.

The New Year addresses as collected (``nk_new_year_addresses_ko.jsonl``) open with
a line naming the paper and the day ("… 공동사설 - 1995년 01월 01일"), then a South
Korean editor's summary under "해 제" and the address itself under "원 문"; a
broadcaster's copy opens with its own time stamp and desk ("[ 2012-01-01 오전
11:52:56 ]", "[CBS정치부 정보보고]"). The summary is someone else's text: it is kept
apart (in the editors' notes), never mixed into the address.
"""

import re

from ...common.hangul import HANGUL_RE

LANGUAGES = ("en", "ko")
KOREAN_SHARE = 0.5  # of a text's letters, for it to be in Korean
SUMMARY_RE = re.compile(r"^\s*해\s*제\s*$", re.MULTILINE)
ORIGINAL_RE = re.compile(r"^\s*원\s*문\s*$", re.MULTILINE)
DATELINE_RE = re.compile(r"^\s*(.*?)\s*-?\s*(\d{4}년\s*\d{1,2}월\s*\d{1,2}일)\s*$")
DESK_RE = re.compile(r"^\s*\[[^\]\n]{1,60}\]\s*$")  # "[CBS정치부 정보보고]"


def language_of(text: str) -> str:
    """ "ko" when most of the text's letters are Hangul, else "en"."""
    letters = [c for c in text[:5_000] if c.isalpha()]
    if not letters:
        return "en"
    korean = sum(1 for c in letters if HANGUL_RE.match(c))
    return "ko" if korean / len(letters) >= KOREAN_SHARE else "en"


def apart(body: str) -> tuple[str, str, str, list[str]]:
    """(text, subtitle, editor's summary, furniture removed) of a Korean body."""
    removed: list[str] = []
    summary = subtitle = ""
    summary_at, original_at = SUMMARY_RE.search(body), ORIGINAL_RE.search(body)
    if summary_at and original_at and summary_at.end() <= original_at.start():
        head = body[: summary_at.start()]
        summary = body[summary_at.end() : original_at.start()].strip()
        body = body[original_at.end() :]
        for line in filter(str.strip, head.splitlines()):
            dateline = DATELINE_RE.match(line)
            if dateline and dateline.group(1).strip(" -"):
                subtitle = dateline.group(1).strip(" -")
            removed.append(line.strip())
    lines = body.strip().splitlines()
    while lines and (DESK_RE.match(lines[0]) or not lines[0].strip()):
        if lines[0].strip():
            removed.append(lines[0].strip())
        lines.pop(0)
    return "\n".join(lines), subtitle, summary, removed
