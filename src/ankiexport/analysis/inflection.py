"""English word forms from lemminflect: the inflections a vocabulary word may take, what a word can be, its headword."""

from __future__ import annotations

import bisect
import gzip
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from types import ModuleType

_PLAIN = re.compile(r"[a-z]+(?:-[a-z]+)*")  # OOV rules only make sense for plain (possibly hyphenated) words

# lemminflect parses both of its lookup tables whole on first use: 120,000 CSV lines, about 0.4 s and 58 MB in every
# process that analyses a lesson. A lesson asks about a few hundred words, so the tables are read on demand instead:
# each decompressed once, its sorted word column searched, and only the lines of the words asked about parsed, by
# lemminflect's own codecs. tests/test_inflection_tables.py checks every word of both tables against lemminflect's.


def _word(line: str) -> str:
    return line.partition(",")[0]


class _Table(Mapping[str, dict[str, tuple[str, ...]]]):
    """One of lemminflect's lookup tables (a gzipped CSV sorted by its first column), parsed one word at a time."""

    def __init__(self, lines: list[str], parse: Callable[[list[str]], dict[str, tuple[str, ...]]]):
        self._lines, self._parse = lines, parse  # the lines only: a list of their words would cost 6 MB more
        self._parsed: dict[str, dict[str, tuple[str, ...]]] = {}

    @classmethod
    def read(cls, path: str, parse: Callable[[list[str]], dict[str, tuple[str, ...]]]) -> _Table | None:
        """The table at ``path``; None when it is not sorted by word (then lemminflect loads it its own way)."""
        lines = gzip.decompress(Path(path).read_bytes()).decode("utf-8").splitlines()
        if any(a > b for a, b in itertools.pairwise(map(_word, lines))):
            return None
        return cls(lines, parse)

    def __getitem__(self, word: str) -> dict[str, tuple[str, ...]]:
        found = self._parsed.get(word)
        if found is None:
            start = bisect.bisect_left(self._lines, word, key=_word)
            end = bisect.bisect_right(self._lines, word, start, key=_word)
            if start == end:
                raise KeyError(word)
            found = self._parsed[word] = self._parse(self._lines[start:end])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(map(_word, self._lines)))

    def __len__(self) -> int:
        return len(dict.fromkeys(map(_word, self._lines)))


def _lemma_entry(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """One word's lemmas by part of speech, as ``LemmaLUCodec.load`` builds them."""
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
    from lemminflect.core.LexicalUtils import categoryToUPos

    entry: dict[str, tuple[str, ...]] = {}
    for line in lines:
        _, category, forms = LemmaLUCodec.fromString(line)
        entry[categoryToUPos(category)] = forms
    return entry


def _inflection_entry(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """One word's inflections by Penn tag, as ``InflectionLUCodec.load`` builds them (modals and ``be`` included)."""
    from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec

    entry: dict[str, tuple[str, ...]] = {}
    for line in lines:
        entry.update(InflectionLUCodec.fromString(line)[2])
    return entry


@cache
def _modals() -> dict[str, dict[str, tuple[str, ...]]]:
    from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec

    fixed: dict[str, dict[str, tuple[str, ...]]] = InflectionLUCodec.updateForAuxMod({})
    return fixed


class _Inflections(_Table):
    """The inflection table with lemminflect's hard-coded modal and auxiliary verbs, which replace their lines."""

    def __getitem__(self, word: str) -> dict[str, tuple[str, ...]]:
        fixed = _modals().get(word)
        return fixed if fixed is not None else super().__getitem__(word)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*super().__iter__(), *_modals()]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@cache
def _lemminflect() -> ModuleType:
    """lemminflect, its lookup tables read on demand (once per process, and only if a lesson needs them)."""
    import lemminflect
    from lemminflect import config

    lemmas = _Table.read(config.lemma_lu_fn, _lemma_entry)
    inflections = _Inflections.read(config.inflection_lu_fn, _inflection_entry)
    if lemmas is not None and inflections is not None:  # lemminflect loads a table only where none is set
        lemminflect.Lemmatizer().lemma_dict = lemmas
        lemminflect.Inflections().infl_dict = inflections
    module: ModuleType = lemminflect
    return module


def _shares_stem(form: str, word: str) -> bool:
    """True for regular relatives (refining/refine), false for suppletive ones (better/good, went/go)."""
    shortest = min(len(form), len(word))
    common = 0
    while common < shortest and form[common] == word[common]:
        common += 1
    return common >= max(2, shortest - 2)


@cache
def word_forms(word: str) -> frozenset[str]:
    """Lower-case forms that realise ``word`` in running text: the word, its inflections and its lemma's.

    A dictionary form brings all of its inflections (``take`` -> took, taken); an inflected form brings its
    lemma's (``refining`` -> refine, refined) but only through a regular stem, so ``better`` never matches
    ``good``. Words lemminflect does not know get its rule-based (OOV) noun and verb inflections.
    """
    lm = _lemminflect()
    word = word.lower()
    forms = {word}
    own = lm.getAllInflections(word)
    for values in own.values():
        forms.update(values)
    lemmas = lm.getAllLemmas(word)
    for upos, values in lemmas.items():
        for lemma in values:
            if lemma == word or not _shares_stem(lemma, word):
                continue
            forms.add(lemma)
            for tag, inflected in lm.getAllInflections(lemma, upos=upos).items():
                if tag[:2] in ("NN", "VB", "JJ", "RB"):
                    forms.update(inflected)
    if not own and not lemmas and _PLAIN.fullmatch(word) and len(word) >= 4:
        for upos in ("NOUN", "VERB"):
            for values in lm.getAllInflectionsOOV(word, upos=upos).values():
                forms.update(values)
    # Spelling variants are not inflections, but lessons mix them: capitalize/capitalise, organizing/organising.
    for lemma in [word, *(lemma for values in lemmas.values() for lemma in values)]:
        for old, new in (("ize", "ise"), ("ise", "ize")):
            if lemma.endswith(old):
                for values in lm.getAllInflections(lemma[: -len(old)] + new, upos="VERB").values():
                    forms.update(values)
    return frozenset(forms | _other_spellings(forms))


# British/American pairs whose other spelling is also another word: "tyre" must not match "never tire of it", nor
# "metre" a gas meter, "draught" a first draft, "disc" a hard disk, "tonne" a short ton, "cheque" every "check".
_HOMOGRAPHS = frozenset(
    {
        *("tyre", "tyres", "tire", "tires", "draught", "draughts", "draft", "drafts", "metre", "metres", "meter"),
        *("meters", "tonne", "tonnes", "ton", "tons", "disc", "discs", "disk", "disks", "cheque", "cheques", "check"),
        *("checks", "kerb", "kerbs", "curb", "curbs", "storey", "storeys", "story", "stories", "instal", "install"),
        *("dependant", "dependants", "dependent", "dependents", "philtre", "filter", "fillet", "filet"),
    }
)


@cache
def _spelling_pairs() -> dict[str, str]:
    # breame's lists (from the UK/US spelling list of American-British-English-Translator) name inflected forms too:
    # manoeuvre, manoeuvres, manoeuvred, manoeuvring -> maneuver, maneuvers, maneuvered, maneuvering.
    from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

    pairs: dict[str, str] = {**AMERICAN_ENGLISH_SPELLINGS, **BRITISH_ENGLISH_SPELLINGS}
    return {a: b for a, b in pairs.items() if a not in _HOMOGRAPHS and b not in _HOMOGRAPHS}


def _other_spellings(forms: set[str]) -> set[str]:
    """The British or American spelling of each form, with the inflections of that spelling."""
    pairs = _spelling_pairs()
    other = {pairs[form] for form in forms if form in pairs}
    for form in list(other):
        for values in _lemminflect().getAllInflections(form).values():
            other.update(values)
    return other


@cache
def parts_of_speech(word: str) -> frozenset[str]:
    """The universal POS tags lemminflect knows ``word`` (lower-cased) under; empty for unknown words."""
    lm = _lemminflect()
    return frozenset(lm.getAllLemmas(word.lower()).keys())


def is_known_word(word: str) -> bool:
    """True when lemminflect's lexicon has the lower-cased word (as any part of speech)."""
    return bool(parts_of_speech(word))


# Phrasal-verb particles: in "capitalizing on" only the verb takes the dictionary form.
_PARTICLES = frozenset(
    ("on", "into", "in", "against", "up", "out", "off", "down", "over", "for", "with", "to", "about", "at", "from")
)


@cache
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = _lemminflect().getAllLemmas(word)
    return result


def headword(term: str) -> str:
    """The dictionary form of a vocabulary term: "Capitalizing on" -> "capitalize on", "skyrockets" -> "skyrocket".

    Lessons write terms as they occur in the article; a word bank that asks students to inflect them must not give
    the inflected form away. Only verbs change: past participles stay (mostly adjectives in vocabulary lists, e.g.
    "nuanced"), and so does anything lemminflect does not know.
    """
    words = term.split()
    if not words:
        return term
    first = words[0]
    # "Tap into" was capitalised by the sentence it was copied from; "Tokyo" and "Silicon Valley" are names.
    proper = any(word[:1].isupper() for word in words[1:]) or not _lemmas(first.lower())
    if first[:1].isupper() and first[1:].islower() and not proper:
        first = first.lower()
    if len(words) == 1 or (len(words) == 2 and words[1].lower() in _PARTICLES):
        lower = first.lower()
        if lower.endswith("ing") or (lower.endswith("s") and not lower.endswith("ss")):
            verbs = _lemmas(lower).get("VERB", ())
            if verbs and lower == first:
                first = verbs[0]
    return " ".join([first, *words[1:]])
