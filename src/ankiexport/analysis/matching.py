"""Finding vocabulary terms in sentences: entries compiled to patterns of word forms and placeholders, then matched."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import NamedTuple

from .inflection import parts_of_speech, word_forms

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_COMPOUND = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # high-quality, 9-to-5
# A slash between digits is part of the word (24/7, 50/50), not a choice between alternatives (and/or).
_NUMBER_SLASH = re.compile(r"[0-9]+(?:/[0-9]+)+")

MAX_GAP = 3  # free words between the parts of a phrase ("gaining significant traction")
MAX_SLOT = 5  # words a placeholder (sb, sth, ~, A, B) may stand for

_SLOT_ANY = frozenset({"~", "...", "…", "sb", "sth", "sb.", "sth.", "someone", "somebody", "something", "sw"})
_SLOT_POSS = frozenset({"one's", "sb's", "someone's", "somebody's", "sth's", "something's"})
_SLOT_REFL = frozenset({"oneself"})
_POSSESSIVES = frozenset({"my", "your", "his", "her", "its", "our", "their", "one's", "whose"})
_REFLEXIVES = frozenset(
    {"myself", "yourself", "himself", "herself", "itself", "ourselves", "yourselves", "themselves", "oneself"}
)
# Closed classes that may sit inside a phrase ("phasing them out", "gain a lot", "gain some traction").
_GAP_FUNCTION_WORDS = frozenset(
    {
        *("me", "you", "him", "her", "it", "us", "them", "this", "that", "these", "those"),
        *("a", "an", "the", "some", "any", "no", "much", "more", "most", "not", "never"),
        *("my", "your", "his", "its", "our", "their"),
    }
)
# Particles and prepositions are lemminflect adverbs too, but inside a gap they usually start another phrase.
_NOT_GAP = frozenset(
    {
        *("in", "on", "at", "up", "out", "off", "down", "over", "into", "to", "for", "from", "with", "by"),
        *("about", "away", "back", "around", "through", "as", "than", "so", "then", "there", "here"),
    }
)
# What joins the tokens of one word: a compound's hyphen, a space (dollar denominated) or a slash between numbers.
_WORD_JOINERS = ("-", " ", "/")
# Punctuation that ends a phrase: a term's parts never straddle it.
_BREAK = re.compile(r"[^\s\-]")
_SLOT_BREAK = re.compile(r"[,;:!?()\"“”\[\]]")


@dataclass(frozen=True)
class Word:
    """A word of the term: every token sequence that realises it (hyphenated words are several tokens)."""

    forms: frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class Slot:
    """A placeholder: any words (sb, sth, ~, A/B), a possessive (one's) or a reflexive (oneself)."""

    kind: str  # "any" | "poss" | "refl"


Element = Word | Slot


class Token(NamedTuple):
    """One word of a sentence: lower-cased text (apostrophes as ') and its character span. A named tuple: a lesson
    makes about 300, and a frozen dataclass took twice as long to make."""

    text: str
    start: int
    end: int


def tokenize(sentence: str) -> tuple[Token, ...]:
    """The words of a sentence; hyphens and punctuation separate words, apostrophes do not."""
    return tuple(Token(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(sentence))


def words_of(sentence: str) -> set[str]:
    """The texts of ``tokenize(sentence)``, without their spans."""
    return {word.lower().replace("’", "'") for word in _TOKEN.findall(sentence)}


def normalise_term(term: str) -> str:
    """The term as a stable key: NFKC, lower case, apostrophes and tildes unified, single spaces."""
    text = unicodedata.normalize("NFKC", term).replace("’", "'").replace("〜", "~").lower()
    return " ".join(text.split())


def _variants(term: str) -> list[str]:
    """The term's spellings once optional (parenthesised) parts and whole-phrase alternatives are spelled out."""
    text = unicodedata.normalize("NFKC", term).replace("’", "'").replace("〜", "~").replace("～", "~")
    # Japanese notes in parentheses explain the term; they are not part of it.
    text = re.sub(r"\([^()]*[^\x00-\x7f][^()]*\)", " ", text)
    text = re.sub(r"~[a-z]*", " ~ ", text)  # "~ing", "~s": the placeholder with an ending is still one slot
    out: list[str] = []
    for whole in re.split(r"\s+/\s+", text):
        groups = re.findall(r"\(([^()]*)\)", whole)[:3]
        pieces = re.split(r"\([^()]*\)", whole, maxsplit=len(groups))
        # Longest spelling first: with the optional part, a match covers more of what the article says.
        for keep in product((True, False), repeat=len(groups)):
            # Spacing as written: "(be) keen on" -> "be keen on" / "keen on", "skyrocket(s)" -> "skyrockets".
            spelled = pieces[0]
            for group, kept, piece in zip(groups, keep, pieces[1:], strict=True):
                spelled += (group if kept else "") + piece
            out.append(" ".join(spelled.split()))
    return [variant for variant in dict.fromkeys(out) if variant]


def _word_element(word: str) -> Word:
    forms: set[tuple[str, ...]] = set()
    if _COMPOUND.fullmatch(word):
        parts = word.split("-")
        for form in word_forms(word):
            forms.add(tuple(form.split("-")))
        for last in word_forms(parts[-1]):
            forms.add((*parts[:-1], last))
        for closed in word_forms("".join(parts)):
            forms.add((closed,))
    else:
        forms.update((form,) for form in word_forms(word))
    return Word(frozenset(forms))


def _slot_kind(token: str, original: str, has_b: bool, first: bool) -> str | None:
    if token in _SLOT_ANY:
        return "any"
    if token in _SLOT_POSS:
        return "poss"
    if token in _SLOT_REFL:
        return "refl"
    if original == "B" or (original == "A" and (has_b or not first)):
        return "any"
    return None


def _elements(variant: str) -> tuple[Element, ...]:
    originals = [word.strip('.,!?;:"“”') or word for word in variant.split()]
    has_b = "B" in originals
    elements: list[Element] = []
    for position, original in enumerate(originals):
        if _NUMBER_SLASH.fullmatch(original):
            elements.append(Word(frozenset({tuple(original.split("/"))})))
            continue
        alternatives = [alt for alt in original.split("/") if alt] or [original]
        kinds = [_slot_kind(alt.lower(), alt, has_b, position == 0) for alt in alternatives]
        if all(kind is not None for kind in kinds):
            kind = "any" if "any" in kinds or len(set(kinds)) > 1 else str(kinds[0])
            if elements and isinstance(elements[-1], Slot):
                elements[-1] = Slot("any")
            else:
                elements.append(Slot(kind))
            continue
        words = [alt.lower() for alt, kind in zip(alternatives, kinds, strict=True) if kind is None]
        merged: set[tuple[str, ...]] = set()
        for alt in words:
            merged.update(_word_element(alt).forms)
        elements.append(Word(frozenset(merged)))
    while elements and isinstance(elements[0], Slot):
        elements.pop(0)
    return tuple(elements)


@cache
def compile_term(term: str) -> tuple[tuple[Element, ...], ...]:
    """The term's patterns, longest spelling first; empty when the term has no words (only placeholders).

    Leading placeholders are dropped (the subject may be anywhere); a trailing one stays as a requirement that
    something fills it, but like every placeholder it is never part of the deletion.
    """
    patterns = (_elements(variant) for variant in _variants(term))
    return tuple(pattern for pattern in dict.fromkeys(patterns) if pattern)


@cache
def _heads(element: Word) -> frozenset[str]:
    """The tokens a match of the word can start with, to reject most positions with one set lookup."""
    return frozenset(form[0] for form in element.forms)


def _joined(sentence: str, left: Token, right: Token) -> bool:
    """True when nothing but one space or a hyphen separates two tokens (one word or a tight phrase)."""
    between = sentence[left.end : right.start]
    return between in ("-", " ")


def _gap_word(token: Token, sentence: str) -> bool:
    if token.text in _NOT_GAP:
        return False
    if token.text in _GAP_FUNCTION_WORDS:
        return True
    kinds = parts_of_speech(token.text)
    # An unknown lower-case word is most often a misspelt or rare modifier ("signficant"); a capitalised one is a
    # name, which a phrase does not wrap around.
    return bool(kinds & {"ADJ", "ADV"}) or (not kinds and token.text.isalpha() and sentence[token.start].islower())


def possessive_base(text: str) -> str | None:
    """``newcomer's`` -> ``newcomer``: the word a singular possessive is made from (None for other tokens)."""
    return text[:-2] if len(text) > 2 and text.endswith("'s") else None


def _match_word(element: Word, sentence: str, tokens: tuple[Token, ...], at: int, last: bool = False) -> list[int]:
    """Lengths (in tokens, longest first) with which ``element`` matches at token ``at``.

    The word that ends a term may carry a possessive ``'s`` (``newcomer's`` for ``newcomer``); the plural's
    apostrophe (``stakeholders’``) is not part of a token anyway.
    """
    heads = _heads(element)
    if tokens[at].text not in heads and not (last and possessive_base(tokens[at].text) in heads):
        return []
    lengths: set[int] = set()
    for form in element.forms:
        end = at + len(form)
        if end > len(tokens):
            continue
        final = tokens[end - 1].text
        if (
            all(tokens[at + i].text == part for i, part in enumerate(form[:-1]))
            and (final == form[-1] or (last and possessive_base(final) == form[-1]))
            and all(sentence[tokens[i].end : tokens[i + 1].start] in _WORD_JOINERS for i in range(at, end - 1))
        ):
            lengths.add(len(form))
    return sorted(lengths, reverse=True)


def _slot_fits(kind: str, sentence: str, tokens: tuple[Token, ...], start: int, end: int) -> bool:
    """True when tokens[start:end] can stand for a placeholder of this kind."""
    count = end - start
    if count < 1 or count > MAX_SLOT:
        return False
    if _SLOT_BREAK.search(sentence[tokens[start - 1].end : tokens[end].start]):
        return False
    if kind == "poss":
        last = tokens[end - 1].text
        return (count == 1 and last in _POSSESSIVES) or (count <= 3 and last.endswith(("'s", "s'")))
    if kind == "refl":
        return count == 1 and tokens[start].text in _REFLEXIVES
    return True


def _trailing_slot_fits(kind: str, sentence: str, tokens: tuple[Token, ...], at: int) -> bool:
    """True when the words from token ``at`` can fill a placeholder that ends the term (its object)."""
    if at >= len(tokens) or _SLOT_BREAK.search(sentence[tokens[at - 1].end : tokens[at].start]):
        return False
    if kind == "any":
        return True
    if kind == "refl":
        return tokens[at].text in _REFLEXIVES
    for stop in range(at + 1, min(at + 3, len(tokens)) + 1):
        if _SLOT_BREAK.search(sentence[tokens[at].start : tokens[stop - 1].end]):
            break
        last = tokens[stop - 1].text
        if (stop == at + 1 and last in _POSSESSIVES) or last.endswith(("'s", "s'")):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One pattern against one sentence: the search, element by element, for the token ranges of its words."""

    pattern: tuple[Element, ...]
    sentence: str
    tokens: tuple[Token, ...]

    def match(self, index: int, at: int) -> list[tuple[int, int]] | None:
        """Token ranges of the pattern's words from element ``index`` on, with element ``index`` starting at ``at``."""
        element = self.pattern[index]
        if isinstance(element, Slot):
            return self._slot(element, index, at)
        return self._word(element, index, at)

    def _slot(self, slot: Slot, index: int, at: int) -> list[tuple[int, int]] | None:
        """A placeholder stands for some words and is never deleted: only the words after it are ranges."""
        sentence, tokens = self.sentence, self.tokens
        if index + 1 == len(self.pattern):
            return [] if _trailing_slot_fits(slot.kind, sentence, tokens, at) else None
        assert isinstance(self.pattern[index + 1], Word)  # adjacent slots are merged, so a word follows this one
        for end in range(at + 1, min(at + MAX_SLOT, len(tokens) - 1) + 1):
            if _slot_fits(slot.kind, sentence, tokens, at, end):
                rest = self.match(index + 1, end)
                if rest is not None:
                    return rest
        return None

    def _word(self, word: Word, index: int, at: int) -> list[tuple[int, int]] | None:
        """The word at ``at`` in each length it has there (longest first), followed by the rest of the pattern."""
        last = index + 1 == len(self.pattern)
        for length in _match_word(word, self.sentence, self.tokens, at, last=last):
            end = at + length
            if last and not self._compound_goes_on(end):
                return [(at, end)]
            rest = None if last else self._after_word(index + 1, end)
            if rest is not None:
                return [(at, end), *rest]
        return None

    def _compound_goes_on(self, end: int) -> bool:
        """True when a hyphen joins the next token: "run" in "run-up", "trade" in "trade-off" is not the word."""
        tokens = self.tokens
        return end < len(tokens) and self.sentence[tokens[end - 1].end : tokens[end].start] == "-"

    def _after_word(self, index: int, end: int) -> list[tuple[int, int]] | None:
        """Element ``index`` and the rest, after a word that ends at token ``end``: a placeholder right there, the
        next word after a few free words, or a separable particle after its object ("turned the offer down")."""
        if isinstance(self.pattern[index], Slot):
            return self.match(index, end) if end < len(self.tokens) else None
        separable = _separable_particle(self.pattern, index)
        rest = self._across_gap(index, end, separable)
        if rest is not None or separable is None:
            return rest
        particle = _object_before_particle(separable, self.sentence, self.tokens, end)
        return None if particle is None else [particle]

    def _across_gap(self, index: int, end: int, separable: str | None) -> list[tuple[int, int]] | None:
        """Word ``index`` and the rest, after up to MAX_GAP free words ("gaining significant traction")."""
        sentence, tokens = self.sentence, self.tokens
        for gap in range(MAX_GAP + 1):
            nxt = end + gap
            if nxt >= len(tokens):
                break
            if gap and not _gap_word(tokens[nxt - 1], sentence):
                break
            if _BREAK.search(sentence[tokens[nxt - 1].end : tokens[nxt].start]):
                break
            if gap and separable and not _ends_clause(sentence, tokens, nxt + 1):
                continue  # "turned the corner down the street": there "down" is a preposition
            rest = self.match(index, nxt)
            if rest is not None:
                return rest
        return None


# Words that may follow a separated particle: a new clause or an adjunct starts ("turned it down in May").
_AFTER_PARTICLE = frozenset(
    {
        *("and", "but", "or", "so", "because", "when", "after", "before", "as", "since", "while", "until", "if"),
        *("in", "on", "at", "for", "to", "from", "with", "by", "again", "immediately", "quickly", "yesterday"),
        *("today", "last", "completely", "entirely", "politely", "firmly"),
    }
)


def _ends_clause(sentence: str, tokens: tuple[Token, ...], at: int) -> bool:
    """True when the phrase may end before token ``at``: at the sentence end, punctuation or a clause word."""
    if at >= len(tokens):
        return True
    return bool(_BREAK.search(sentence[tokens[at - 1].end : tokens[at].start])) or tokens[at].text in _AFTER_PARTICLE


# Particles of separable phrasal verbs: "turned the offer down", "phase the old plans out". "in" and "on" are left
# out: after a noun phrase they are far more often prepositions ("put the book on top").
_SEPARABLE = frozenset({"up", "down", "out", "off", "away", "back", "over", "around", "aside", "apart"})
_DETERMINERS = frozenset(
    {
        *("the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their"),
        *("some", "any", "every", "each", "no", "another", "all", "both", "several", "many", "much", "more"),
    }
)
_CLAUSE_WORDS = frozenset({"and", "or", "but", "nor", "that", "which", "who", "whom", "whose", "if", "because"})
MAX_OBJECT = 4  # words of a noun phrase between a phrasal verb and its particle


def _separable_particle(pattern: tuple[Element, ...], index: int) -> str | None:
    """The particle when element ``index`` ends the term and is a separable one (``down`` in ``turn down``)."""
    element = pattern[index] if index + 1 == len(pattern) else None
    if not isinstance(element, Word):
        return None
    return next((form[0] for form in element.forms if len(form) == 1 and form[0] in _SEPARABLE), None)


def _object_before_particle(
    particle: str, sentence: str, tokens: tuple[Token, ...], start: int
) -> tuple[int, int] | None:
    """The particle's token range when a noun phrase object separates it from its verb ("turned the offer down").

    The object starts with a determiner or a possessive, or is a name; it holds no punctuation, preposition or
    clause word; and the clause may end after the particle (else it is a preposition: "turned the corner down the
    street").
    """
    if _BREAK.search(sentence[tokens[start - 1].end : tokens[start].start]):
        return None
    for stop in range(start + 1, min(start + MAX_OBJECT, len(tokens) - 1) + 1):
        words = tokens[start:stop]
        if words[-1].text in _NOT_GAP or words[-1].text in _CLAUSE_WORDS:
            return None
        if _BREAK.search(sentence[tokens[stop - 1].end : tokens[stop].start]):
            return None  # punctuation inside the object or before the particle
        first = words[0]
        opens = first.text in _DETERMINERS or possessive_base(first.text) is not None or sentence[first.start].isupper()
        if opens and tokens[stop].text == particle and _ends_clause(sentence, tokens, stop + 1):
            return (stop, stop + 1)
    return None


@dataclass(frozen=True)
class Match:
    """One realisation of a term in a sentence: its word ranges as token indices and as character spans."""

    tokens: tuple[tuple[int, int], ...]  # [start, end) token ranges of the term's words, in order
    spans: tuple[tuple[int, int], ...]  # [start, end) character spans, adjacent words merged into one deletion

    @property
    def size(self) -> int:
        return sum(end - start for start, end in self.tokens)


def _spans(
    sentence: str, tokens: tuple[Token, ...], ranges: list[tuple[int, int]], pattern: tuple[Element, ...]
) -> tuple[tuple[int, int], ...]:
    """Character spans of the matched words; a possessive ``'s`` the term does not have stays visible."""
    spans: list[tuple[int, int]] = []
    previous_end = -1
    for start, end in ranges:
        first, last = tokens[start], tokens[end - 1]
        if spans and previous_end == start and _joined(sentence, tokens[start - 1], first):
            spans[-1] = (spans[-1][0], last.end)
        else:
            spans.append((first.start, last.end))
        previous_end = end
    final, element = tokens[ranges[-1][1] - 1].text, pattern[-1]
    if isinstance(element, Word):
        endings = {form[-1] for form in element.forms}
        if final not in endings and possessive_base(final) in endings:
            spans[-1] = (spans[-1][0], spans[-1][1] - 2)
    return tuple(spans)


def find_matches(term: str, sentence: str, tokens: tuple[Token, ...] | None = None) -> list[Match]:
    """Every non-overlapping realisation of ``term`` in ``sentence``, left to right."""
    patterns = compile_term(term)
    if not patterns:
        return []
    tokens = tokenize(sentence) if tokens is None else tokens
    heads = term_heads(term)
    matches: list[Match] = []
    matchers: list[_Matcher] = []  # made at the first word a match can start with: most sentences have none
    resume = 0
    for at, token in enumerate(tokens):
        if at < resume or (token.text not in heads and possessive_base(token.text) not in heads):
            continue
        matchers = matchers or [_Matcher(pattern, sentence, tokens) for pattern in patterns]
        for matcher in matchers:
            found = matcher.match(0, at)
            if found is not None:
                matches.append(Match(tuple(found), _spans(sentence, tokens, found, matcher.pattern)))
                resume = found[-1][1]
                break
    return matches


@cache
def term_heads(term: str) -> frozenset[str]:
    """Every token a match of the term can start with: most sentences are skipped with set lookups alone."""
    return frozenset().union(*(_heads(pattern[0]) for pattern in compile_term(term) if isinstance(pattern[0], Word)))
