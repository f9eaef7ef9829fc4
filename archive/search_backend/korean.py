"""Korean words as the index sees them: the word without its particles and endings,
North and South Korean spelling folded together.

Korean writes a noun and what follows it as one word (보위부가, 보위부는, 보위부를;
김정일동지께서), so splitting on spaces would make each form a different word.
Each written word is read by Kiwi (``kiwipiepy``, a morphological analyser with its
own model, Apache-2.0) into morphemes; particles (J…), endings (E…), the copula
and punctuation go, a noun's suffix stays on it (보위성, 혁명적) except the plural
들, a run of common nouns is one form (합성수지), and what is left are the word's
forms: 김정일동지께서 → 김정일, 동지.

North Korean spelling keeps an initial ㄹ and ㄴ that the South drops or softens
(로동/노동, 리설주/이설주, 량강도/양강도, 녀성/여성). A written word's first syllable is spelled the
South's way before Kiwi reads it (its model knows 영도 and reads 령도 as 령 and the
particle 도); then ``folded`` writes every form the South's way: a syllable starting
with ㄹ anywhere in a form (compounds such as 조선로동당 are one proper noun to Kiwi), and
one starting with ㄴ at the start of a form. Both the text and the query are folded,
so the key only has to agree with itself; the cost is that a few words differing
only there meet (우리 and a rare 우이).

Each written word is analysed alone and the answer kept (``forms``): the index and
the query read a word the same way whatever surrounds it, and repeated words (most
of any text) cost a look-up. Kiwi's model loads on the first Korean word (about a
second, and as long again for its first analysis, done at once); English text never
loads it.
"""

import threading
import unicodedata

from ..common.hangul import folded

KEPT_SYMBOLS = {"SL", "SH", "SN"}  # Latin letters, Hanja, numbers: words of their own
DROPPED = {"VCP", "VCN", "XSV", "XSA", "XPN", "UN"}  # copula, verb endings, prefixes
PLURAL = "들"
# Common nouns: a run of them in one written word is kept as one form. Kiwi splits a
# compound alone (합성수지 → 합성, 수지) and not before a particle (합성수지를), so the
# whole is what both agree on. A proper noun stays apart (김정일 in 김정일동지께서).
COMMON_NOUNS = {"NNG", "NNB"}
VERBS = {"VV", "VA"}
NOMINAL = {"ᆷ", "음"}  # the ending that makes a verb a noun

WARM_UP = "경애하는 동지들께서는 새해를 맞이하여 인민들에게 인사를 보내시였습니다."
WORKERS = 2
BATCH = 8  # new words worth a batch
MAX_KNOWN = 300_000  # words kept, at most (each a few short strings)
_lock = threading.Lock()
_analyser = None
_known: dict[str, tuple[str, ...]] = {}  # written word -> its forms
_read: dict[str, list] = {}  # Kiwi's reading of words ``prepare`` batched, until used


def _kiwi():
    global _analyser
    with _lock:
        if _analyser is None:
            from kiwipiepy import Kiwi

            # Two threads: a text's new words are read as one batch (``prepare``). Without
            # the typo and multi-word dictionaries (no typo is corrected, and words are
            # read one at a time): 190 MB less a process, the same readings.
            analyser = Kiwi(num_workers=WORKERS, load_typo_dict=False, load_multi_dict=False)
            analyser.tokenize(WARM_UP)  # its first call costs a second or two, whatever it reads
            _analyser = analyser
    return _analyser


def prepare(words) -> None:
    """Read the written Korean words of a text that are not known yet, as one batch
    (on two cores, about 1.5 times as fast as one by one); ``forms`` then looks them up."""
    new = list(dict.fromkeys(_spelled(w) for w in words if w not in _known))
    new = [w for w in new if w not in _read]
    if len(new) < BATCH:
        return
    if len(_read) > MAX_KNOWN:
        _read.clear()
    for word, tokens in zip(new, _kiwi().tokenize(new), strict=True):
        _read[word] = tokens


def forms(word: str) -> tuple[str, ...]:
    """The forms of one written Korean word (no spaces), folded; () for a word that
    is only particles or endings."""
    found = _known.get(word)
    if found is None:
        if len(_known) > MAX_KNOWN:
            _known.clear()
        found = _known[word] = _forms(word)
    return found


def _spelled(word: str) -> str:
    # The South's spelling of its first sound first: Kiwi knows 영도 and 낙원, and
    # reads 령도 as 령 with the particle 도, 락원 as 락 and 원.
    return folded(unicodedata.normalize("NFKC", word), first_only=True)


def _forms(word: str) -> tuple[str, ...]:
    found: list[str] = []
    word = _spelled(word)
    tokens = _read.pop(word, None)
    if tokens is None:
        tokens = _kiwi().tokenize(word)
    common = False  # the last form kept is a common noun (a run of them is one word)
    for index, token in enumerate(tokens):
        tag = token.tag.split("-")[0]  # "VV-R" and "VV-I" are verbs too
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if tag == "XSN":
            if found and token.form != PLURAL:
                found[-1] += token.form
            continue
        if tag in VERBS and following is not None and following.form in NOMINAL:
            # 기쁨, 부름: Kiwi reads the noun alone as a verb made a noun, and with a
            # particle as the noun; the written letters are the word either way.
            found.append(word[token.start : following.start + following.len])
            common = True
            continue
        if tag in DROPPED or tag.startswith(("J", "E", "W")):
            continue
        if tag.startswith("S") and tag not in KEPT_SYMBOLS:
            continue
        if tag in COMMON_NOUNS and common and found:
            found[-1] += token.form  # 합성수지: one word, however Kiwi splits it
            continue
        found.append(token.form.lower())
        common = tag in COMMON_NOUNS
    return tuple(folded(form) for form in found if form)
