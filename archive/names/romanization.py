"""A folding key for the many romanizations of one Korean name.

North Korean places reach English in several systems at once: McCune-
Reischauer (Hamgyŏng-bukto, P'yŏngyang), the South's Revised Romanization
(Hamgyeongbuk-do), the DPRK's own (North Phyongan) and the press's
(North Hamkyung). ``fold`` maps the spellings that differ only by the system
to one key, where that is safe:

- diacritics and apostrophes go (ŏ → o, P'yŏngyang → pyongyang);
- Revised Romanization's vowels and voiced consonants become McCune-
  Reischauer's (eo → o, eu → u, g → k, d → t, b → p, j → ch), as do the
  DPRK's aspirates (ph → p, th → t) and sh before i (Shinuiju → sinuichu);
- a word-initial r before i or y is dropped and before another vowel becomes
  n, as the South writes it (Ryanggang → Yanggang, Rajin → Najin), and l is r;
- hyphens, spaces and the words for province, county and city go, and
  "North …", "…-bukto" and "…buk-do" become one direction.

Merging ch, ch' and j joins a few different names (Unjŏn and Ŭnch'ŏn both
fold to "unchon"); the key only widens a search when an alias or a term's
name has it, and readers see what was added. What it does not do is guess:
the press's "Hamkyung" for 함경 is a spelling of its own, recorded as an
alias, because folding "yung" into "yong" would also join different names.
Names in Korean script are compared without spaces and in the South's spelling of
initial sounds (``search_backend.korean.folded``: 조선로동당 and 조선노동당 meet, as
리설주 and 이설주 do), as the index compares them.
"""

import re
import unicodedata

from ..common.hangul import HANGUL_RE, folded

APOSTROPHES_RE = re.compile(r"['’‘ʼ`´ʻ]")
WORD_RE = re.compile(r"[a-z0-9]+")
# Words for the kind of place, as a separate word or after a hyphen.
GENERIC = {
    *("province", "county", "city", "district", "special", "town", "village"),
    *("do", "to", "gun", "kun", "si", "shi", "up", "ub", "eup", "ku", "gu"),
    *("guyok", "kuyok", "guyeok", "ri", "dong", "tong", "rodongjagu", "nodongjagu"),
    *("directly", "governed"),
}
NORTH_SUFFIXES = ("bukto", "pukto", "bukdo")
SOUTH_SUFFIXES = ("namdo", "namto")
SPELLINGS = [  # applied in order to the letters of each word
    ("eo", "o"),
    ("eu", "u"),
    ("oi", "oe"),
    ("ai", "ae"),
    ("shi", "si"),
    ("chh", "ch"),
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("j", "ch"),
    ("g", "k"),
    ("d", "t"),
    ("b", "p"),
    ("l", "r"),  # one Korean letter: Hoeryeong, "hoelyeong"
]


def plain(text: str) -> str:
    """Lower case without diacritics or apostrophes: “P'yŏngyang” → “pyongyang”."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return APOSTROPHES_RE.sub("", unicodedata.normalize("NFC", stripped)).casefold()


def fold(name: str) -> str:
    """The key that spellings of one name share; "" for a name of generic words only."""
    if HANGUL_RE.search(name):
        return korean_key(name)
    words = WORD_RE.findall(plain(name))
    direction = ""
    if len(words) > 1 and words[0] in ("north", "south"):
        direction = words.pop(0)[0]
    dropped_do = False
    while len(words) > 1 and words[-1] in GENERIC:
        dropped_do = dropped_do or words[-1] in ("do", "to")
        words.pop()
    if words and not direction:
        last = words[-1]
        for suffixes, letter in ((NORTH_SUFFIXES, "n"), (SOUTH_SUFFIXES, "s")):
            if last in suffixes and len(words) > 1:
                words.pop()
                direction = letter
            elif last.endswith(suffixes) and len(last) > 7:
                words[-1] = last[:-5]
                direction = letter
        if len(words) == 1 and re.search(r"n(g?)[dt]o$", words[0]) and len(words[0]) > 7:
            words[0], dropped_do = words[0][:-2], True  # "Jakangto", "Kangweonto"
        if not direction and dropped_do and len(words[-1]) > 5:
            for ending, letter in (("buk", "n"), ("puk", "n"), ("nam", "s")):
                if words[-1].endswith(ending):
                    words[-1] = words[-1][: -len(ending)]
                    direction = letter
                    break
    if not words or all(w in GENERIC for w in words) or words in (["north"], ["south"]):
        return ""
    key = re.sub(r"(.)\1+", r"\1", "".join(_respell(word) for word in words))  # Ryanggang
    return f"{key}/{direction}" if direction else key


def korean_key(name: str) -> str:
    """A name in Korean script without spaces, in the South's spelling of initial sounds."""
    return folded(re.sub(r"\s+", "", unicodedata.normalize("NFC", name)))


def _respell(word: str) -> str:
    if word.startswith("r") and len(word) > 2:
        word = word[1:] if word[1] in "iy" else "n" + word[1:]
    for old, new in SPELLINGS:
        word = word.replace(old, new)
    return word


ABBREVIATION = "abbreviation"  # the kind of alias matched as written (Alias.Kind)

# One surname, many spellings: the North's, the South's, the press's.
SURNAMES = {
    spelling: surname
    for surname, spellings in [
        ("choe", "choe choi chwe choy"),
        ("ri", "ri rhee lee yi rhi li"),
        ("pak", "pak park bak bahk"),
        ("cho", "jo cho joe"),
        ("kim", "kim gim"),
        ("o", "o oh"),
        ("yu", "ryu yu yoo you"),
        ("im", "rim im lim"),
        ("yang", "ryang yang"),
        ("no", "ro no noh roh"),
        ("chang", "jang chang"),
        ("chong", "jong chong jeong chung"),
        ("han", "han"),
        ("hwang", "hwang"),
        ("kang", "kang gang"),
    ]
    for spelling in spellings.split()
}


def person_key(name: str) -> str:
    """The key that spellings of one Korean personal name share, "" for a bare word.

    Surname first, as Korean names are written: its spellings meet (Choe,
    Choi, Chwe; Ri, Rhee, Lee, Yi; Pak, Park; Jo, Cho; Kim, Gim; O, Oh; Ryu,
    Yu), and the given name's syllables meet however they are joined ("Ryong
    Hae", "Ryong-hae", "Ryonghae") and romanized (as ``fold`` folds them).
    A surname or a given name alone names no one.
    """
    if HANGUL_RE.search(name):
        return "person:" + korean_key(name)
    words = WORD_RE.findall(plain(name))
    if len(words) < 2:
        return ""
    surname = SURNAMES.get(words[0]) or _respell(words[0])
    given = re.sub(r"(.)\1+", r"\1", "".join(_respell(word) for word in words[1:]))
    return f"person:{surname}:{given}"


def alias_key(name: str, kind: str = "", person: bool = False) -> str:
    """How a name is looked up: abbreviations as written (less case), a person's name by
    ``person_key``, others folded."""
    if kind == ABBREVIATION:
        return "".join(plain(name).split())
    if person:
        return person_key(name)
    return fold(name)
