"""Hangul: finding it, writing North Korean spelling the South's way, and in Latin letters.

North Korean spelling keeps an initial ㄹ and ㄴ that the South drops or softens
(로동/노동, 리설주/이설주, 량강도/양강도, 녀성/여성). ``folded`` writes the South's way
a syllable starting with ㄹ anywhere (compounds such as 조선로동당 are one word to an
analyser, and one name), and one starting with ㄴ before i or y at the start. The
search index (``search_backend.korean``) and the names' keys (``names.romanization``)
both use it, so Korean words and names meet in either spelling.
"""

import re

HANGUL_RE = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
SYLLABLES_RE = re.compile(r"[\uac00-\ud7a3]+")
_FIRST, _LAST = 0xAC00, 0xD7A3
RIEUL, NIEUN, IEUNG = 5, 2, 11  # initial consonants' indexes in a syllable
# Vowels before which the South writes an initial ㄹ or ㄴ as ㅇ (ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ).
Y_VOWELS = {2, 3, 6, 7, 12, 17, 20}


def has_hangul(text: str) -> bool:
    return HANGUL_RE.search(text) is not None


def in_latin_letters(text: str) -> str:
    """The text with each run of Hangul syllables in Revised Romanization, by ``ko-pron``
    (as pronounced: 신년사 → sinnyeonsa), for slugs; anything else is left as it is."""
    if not has_hangul(text):
        return text
    from ko_pron import romanise

    return SYLLABLES_RE.sub(lambda run: f" {romanise(run.group(0), 'rr').strip()} ", text)


def folded(form: str, first_only: bool = False) -> str:
    """A form in the South's spelling of initial sounds: 로동 → 노동, 리설주 → 이설주,
    량강도 → 양강도, 녀성 → 여성; with ``first_only``, the South's own rule (the
    first syllable only: a written word before it is read)."""
    if not form:
        return form
    first = _AS_FIRST.get(form[0], form[0])
    if first_only:
        return first + form[1:]
    return first + form[1:].translate(_WITHIN)


def _south(initial: int, vowel: int, first: bool) -> int:
    """The initial consonant the South writes for one the North writes."""
    if initial == RIEUL:
        return IEUNG if vowel in Y_VOWELS else NIEUN
    if initial == NIEUN and first and vowel in Y_VOWELS:
        return IEUNG
    return initial


def _table(first: bool) -> dict[int, str]:
    """Every syllable whose initial the South writes otherwise, and how it writes it."""
    table = {}
    for code in range(_FIRST, _LAST + 1):
        initial, rest = divmod(code - _FIRST, 21 * 28)
        south = _south(initial, rest // 28, first)
        if south != initial:
            table[code] = chr(_FIRST + south * 21 * 28 + rest)
    return table


_WITHIN = _table(first=False)  # for str.translate: ㄹ anywhere
_AS_FIRST = {chr(code): syllable for code, syllable in _table(first=True).items()}
