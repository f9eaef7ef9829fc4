"""Korean words as the index sees them: the word without its particles and endings,
North and South Korean spelling folded together.

Korean writes a noun and what follows it as one word (보위부가, 보위부는, 보위부를;
김정일동지께서), so splitting on spaces would make each form a different word.
Each written word is read by MeCab (``mecab-python3``) with NK-HanDic (``nkhandic``,
BSD-3-Clause), a dictionary of over 210,000 entries built from Rodong Sinmun and
North Korean textbooks, so it knows 로동당, 일군 and 량강도 as the North writes them.
Particles (J…), endings (E…), the copula, suffixes of verbs and punctuation go; a
noun's suffix stays on it (보위성, 혁명적) except the plural 들; a verb is its stem
(오셨다 → 오); a run of common nouns is one form (혁명위업, 양강도 read as 양 and
강도), and so is a run of proper nouns (김 + 정일 → 김정일); what is left are the
word's forms: 김정일동지께서 → 김정일, 동지.

North Korean spelling keeps an initial ㄹ and ㄴ that the South drops or softens
(로동/노동, 리설주/이설주, 량강도/양강도, 녀성/여성). A word is read as written: the
dictionary knows both spellings of common words (로동 and 노동), and reads the North's
names best in the North's spelling (리설주가 is 리설주 and a particle; 이설주가, read
the South's way, would be 이설 and 주가). Then ``folded`` writes every form the South's
way: a syllable starting with ㄹ anywhere in a form (compounds such as 조선로동당 are one
proper noun), and one starting with ㄴ at the start of a form. Both the text and the
query are folded, so the key only has to agree with itself; the cost is that a few
words differing only there meet (우리 and a rare 우이).

Each written word is analysed alone and the answer kept (``forms``): the index and
the query read a word the same way whatever surrounds it, and repeated words (most
of any text) cost a look-up. MeCab reads about 70,000 new words a second on one
core and maps its dictionary from disk (a few milliseconds to open, no model held
in memory); English text never opens it.
"""

import importlib.util
import os
import re
import threading
import unicodedata
from pathlib import Path

from ..common.hangul import folded

KEPT_SYMBOLS = {"SL", "SH", "SN"}  # Latin letters, Hanja, numbers: words of their own
DROPPED = {"VCP", "VCN", "XSV", "XSA", "XPN", "UN"}  # copula, verb suffixes, prefixes
PLURAL = "들"
# Nouns that run together into one form, by kind: common ones (a determiner such as
# 양 in 양강도 counts with them, being how the dictionary reads a South Korean
# spelling of a place it knows in the North's), and proper ones.
RUNS = {"NNG": "common", "NNB": "common", "NR": "common", "NP": "common", "MM": "common"}
RUNS["NNP"] = "proper"
VERBS = {"VV", "VA", "VX"}
TAG = 10  # the field of MeCab's answer holding the Sejong tag (NNG, JKS …)
LEMMA = 5  # the dictionary form of a known word (남다01)
LEMMA_RE = re.compile(r"\d+$")
# Particles a name takes. When the dictionary reads a word ending in one without a
# particle (리설주가 as 리설 and 주가, 강계시가 as 강계 and 시가) and the word without
# it is a proper noun, the name and its particle are the reading kept.
NAME_PARTICLES = re.compile("(?:에서|에게|께서|으로|까지|부터|[가이는은를을의도에와과로만])$")
MAX_KNOWN = 300_000  # words kept, at most (each a few short strings)
_lock = threading.Lock()
_tagger = None
_known: dict[str, tuple[str, ...]] = {}  # written word -> its forms


def dictionary() -> Path:
    """NK-HanDic's folder, found without importing its Python helpers (which need
    packages the archive does not use)."""
    return Path(importlib.util.find_spec("nkhandic").submodule_search_locations[0]) / "dicdir"


def _parsed(word: str) -> list[tuple[str, list[str]]]:
    """MeCab's reading of a word: (written letters, fields) per morpheme. NK-HanDic
    reads Hangul as letters (jamo), so the word goes in decomposed and comes back
    composed."""
    global _tagger
    with _lock:  # one tagger a process; MeCab's parse is not safe across threads
        if _tagger is None:
            import MeCab

            _tagger = MeCab.Tagger(f'-r "{os.devnull}" -d "{dictionary()}"')
        answer = _tagger.parse(unicodedata.normalize("NFD", word))
    morphemes = []
    for line in answer.splitlines():
        written, _, fields = line.partition("\t")
        if fields:
            morphemes.append((unicodedata.normalize("NFC", written), fields.split(",")))
    return morphemes


def _tagged(word: str) -> list[tuple[str, str, list[str]]]:
    return [
        (written, fields[TAG].split("+")[0] if len(fields) > TAG else "UN", fields)
        for written, fields in _parsed(word)
    ]


def _reading(word: str) -> list[tuple[str, str, list[str]]]:
    """The dictionary's reading of a word, or of a proper noun and its particle."""
    reading = _tagged(word)
    particle = NAME_PARTICLES.search(word)
    if particle is None or any(tag == "NNP" or tag[0] in "JE" for _, tag, _ in reading):
        return reading
    name = _tagged(word[: particle.start()])
    if name and name[0][1] == "NNP" and all(tag in RUNS or tag == "XSN" for _, tag, _ in name):
        return name
    return reading


def forms(word: str) -> tuple[str, ...]:
    """The forms of one written Korean word (no spaces), folded; () for a word that
    is only particles or endings."""
    found = _known.get(word)
    if found is None:
        if len(_known) > MAX_KNOWN:
            _known.clear()
        found = _known[word] = _forms(word)
    return found


def _forms(word: str) -> tuple[str, ...]:
    found: list[str] = []
    run = None  # the kind of noun the last form kept is, when it may grow
    for written, tag, fields in _reading(unicodedata.normalize("NFKC", word)):
        if tag == "XSN":
            if found and written != PLURAL:
                found[-1] += written
            continue
        if tag in DROPPED or tag.startswith(("J", "E")):
            continue
        if tag.startswith("S") and tag not in KEPT_SYMBOLS:
            continue
        kind = RUNS.get(tag)
        if kind is not None and kind == run and found:
            found[-1] += written  # 혁명위업, 김정일: one word, however it is split
            continue
        if tag in VERBS:
            lemma = LEMMA_RE.sub("", fields[LEMMA])
            written = lemma[:-1] if lemma.endswith("다") and len(lemma) > 1 else written
        found.append(written.lower())
        run = kind
    return tuple(folded(form) for form in found if form)
