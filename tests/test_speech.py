"""Pronunciation: IPA from the CMU dictionary (espeak-ng for the rest) and Piper speech as reproducible MP3."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankiexport import speech
from ankiexport.speech import SpeechCache, SpeechUnavailableError, ipa, media_name

synth = importlib.import_module("ankiexport.speech.synth")
cache_module = importlib.import_module("ankiexport.speech.cache")
needs_audio = pytest.mark.skipif(not speech.available(), reason="the audio extra is not installed")

# ------------------------------------------------------------------------------------------------------------ IPA


@pytest.mark.parametrize(
    ("headword", "expected"),
    [
        ("capitalize on", "ˈkæpətəˌlaɪz ɑːn"),  # stress marks before the syllable, secondary too
        ("skyrocket", "ˈskaɪˌrɑːkət"),  # the whole onset /sk/ follows the mark
        ("gain traction", "ɡeɪn ˈtrækʃən"),  # one-syllable words carry no mark
        ("tap into", "tæp ˈɪntu"),  # unstressed /u/
        ("nuanced understanding", "ˈnuːɑːnst ˌʌndɚˈstændɪŋ"),  # /st/ starts a syllable: dɚˈstæn
        ("geographical boundaries", "ˌdʒiːəˈɡræfɪkəl ˈbaʊndɚiz"),
        ("dollar-denominated", "ˈdɑːlɚ-dɪˈnɑːməˌneɪtɪd"),  # a compound the dictionary lacks, part by part
        ("depreciate", "dɪˈpriːʃiˌeɪt"),
        ("Hedge against", "hɛdʒ əˈɡɛnst"),  # case does not matter
        ("~ against", "əˈɡɛnst"),  # placeholders and symbols are not words
        ("", ""),
    ],
)
def test_ipa_from_the_cmu_dictionary(headword: str, expected: str) -> None:
    assert ipa(headword) == expected


@needs_audio
def test_ipa_falls_back_to_espeak_for_words_the_dictionary_lacks() -> None:
    assert "zorblaxian" not in importlib.import_module("ankiexport.speech.ipa")._cmudict()
    assert ipa("zorblaxian") == "zɔːrˈbleɪksiən"
    assert ipa("GDP") == "ˌdʒiːˌdiːˈpiː"  # acronyms are spelt out


def test_ipa_without_the_audio_extra_leaves_unknown_words_out(monkeypatch: pytest.MonkeyPatch) -> None:
    module = importlib.import_module("ankiexport.speech.ipa")
    monkeypatch.setattr(synth, "available", lambda: False)
    module._espeak_phones.cache_clear()
    try:
        assert ipa("zorblaxian crucial") == "ˈkruːʃəl"
    finally:
        module._espeak_phones.cache_clear()


# ---------------------------------------------------------------------------------------------------------- audio


@pytest.fixture(scope="session")
def spoken() -> bytes:
    """One short synthesis for the whole session (about 0.4 s plus 1 s to load the voice)."""
    if not speech.available():
        pytest.skip("the audio extra is not installed")
    return speech.synthesize("capitalize on")


@needs_audio
def test_speech_is_mono_mp3_at_a_speech_bitrate_and_decodes(spoken: bytes) -> None:
    miniaudio = pytest.importorskip("miniaudio")
    info = miniaudio.mp3_get_info(spoken)
    assert (info.nchannels, info.sample_rate) == (1, 22050)
    assert 0.6 < info.duration < 2.0
    decoded = miniaudio.decode(spoken, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
    samples = decoded.samples
    assert max(abs(value) for value in samples) > 3000  # speech, not silence
    assert len(spoken) * 8 / info.duration < 40_000  # about 32 kbit/s


@needs_audio
def test_speech_is_the_same_bytes_in_another_process_with_the_network_off(spoken: bytes, tmp_path: Path) -> None:
    # A fresh interpreter (other hash seed, other clock) with every socket refused: the voice comes from its package.
    script = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs): raise OSError('network is off in this test')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from ankiexport.speech import synthesize\n"
        "sys.stdout.buffer.write(synthesize('capitalize on'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=tmp_path)
    assert result.stdout == spoken


@needs_audio
def test_nothing_to_say_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing to say"):
        speech.synthesize(" ~ … ")


def test_without_the_audio_extra_synthesis_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synth, "available", lambda: False)
    synth._voice.cache_clear()
    try:
        with pytest.raises(SpeechUnavailableError, match=r"pip install 'ankiexport\[audio\]'"):
            speech.synthesize("crucial")
    finally:
        synth._voice.cache_clear()


def test_engine_id_names_voice_settings_and_versions() -> None:
    if not speech.available():
        assert speech.engine_id() == ""
        return
    engine = speech.engine_id()
    parts = ("en_US-joe-medium", '"noise_scale": 0.0', '"noise_w_scale": 0.0', "32kbps", "pieces=300,", "piper-tts=")
    for part in (*parts, "lameenc="):
        assert part in engine


# ------------------------------------------------------------------------------------------- run-on sentences


def test_a_long_sentence_is_cut_after_its_last_clause_mark_in_reach() -> None:
    phonemes = list("ab cd, ef gh; ij kl mn")
    assert synth.phoneme_pieces(phonemes, limit=15) == [list("ab cd, ef gh;"), list("ij kl mn")]
    assert synth.phoneme_pieces(phonemes, limit=100) == [phonemes]  # short: whole, as Piper speaks it


def test_without_a_clause_mark_it_is_cut_between_words_and_a_word_longer_than_a_piece_is_cut_anyway() -> None:
    assert synth.phoneme_pieces(list("abc def ghi jkl"), limit=8) == [list("abc def"), list("ghi jkl")]
    assert synth.phoneme_pieces(list("abcdefghij"), limit=4) == [list("abcd"), list("efgh"), list("ij")]
    # a mark or space in the first third of a piece would leave a sliver: the cut is at the limit instead
    assert synth.phoneme_pieces(list("a, bcdefghijkl"), limit=9) == [list("a, bcdefg"), list("hijkl")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abə ,;:—ɪˈ")), max_size=400), st.integers(min_value=3, max_value=60))
def test_pieces_are_bounded_and_lose_only_the_spaces_where_they_are_cut(phonemes: list[str], limit: int) -> None:
    pieces = synth.phoneme_pieces(phonemes, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert all(piece[0] != " " for piece in pieces[1:])  # no piece starts with the space it was cut at
    assert "".join(phonemes).replace(" ", "") == "".join("".join(piece) for piece in pieces).replace(" ", "")
    assert all(len(piece) >= limit // 3 for piece in pieces[:-1])  # no sliver before a cut


@needs_audio
def test_a_run_on_sentence_reaches_the_voice_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    # Piper's memory grows with one utterance's length (a 2,400-character sentence took 3.2 GB): the model is
    # given no utterance longer than MAX_PHONEMES, and it is asked to hand its memory back after each piece.
    numpy = pytest.importorskip("numpy")
    voice = synth._voice()
    heard: list[tuple[int, bool]] = []

    def model(ids: list[int], config: object) -> object:
        heard.append((len(ids), voice.session.shrink))
        return numpy.full(100, 0.5, dtype=numpy.float32)

    monkeypatch.setattr(voice, "phoneme_ids_to_audio", model)
    pcm = b"".join(synth._pcm(", ".join(["the market rose and the workers said that prices were high"] * 40) + "."))
    rate = voice.config.sample_rate
    assert len(heard) >= 8
    assert all(shrinking for _, shrinking in heard) and not voice.session.shrink
    # Piper gives each phoneme an id and a padding id, plus a start and an end
    assert max(length for length, _ in heard) <= 2 * synth.MAX_PHONEMES + 3
    assert len(pcm) == 2 * (100 * len(heard) + int(rate * synth.CLAUSE_PAUSE) * (len(heard) - 1))


@needs_audio
def test_a_piece_is_spoken_as_piper_speaks_a_sentence() -> None:
    from piper import SynthesisConfig

    voice = synth._voice()
    config = SynthesisConfig(**synth.SYNTHESIS)
    sentence = "Prices rose sharply in 2026, after the report."
    (chunk,) = voice.synthesize(sentence, syn_config=config)
    (phonemes,) = voice.phonemize(sentence)
    assert synth._piece_pcm(voice, phonemes, config) == chunk.audio_int16_bytes


# ---------------------------------------------------------------------------------------------------------- cache


@pytest.fixture
def fake_synthesis(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace synthesis by a recorder, so the cache logic is tested without audio."""
    spoken: list[str] = []

    def fake(text: str) -> bytes:
        spoken.append(text)
        return b"ID3 " + text.encode()

    monkeypatch.setattr(cache_module, "synthesize", fake)
    return spoken


def test_cache_synthesises_each_text_once_and_serves_it_after(tmp_path: Path, fake_synthesis: list[str]) -> None:
    cache = SpeechCache(tmp_path / "speech", engine="voice A")
    assert cache.mp3("crucial") == b"ID3 crucial"
    assert cache.mp3("crucial") == b"ID3 crucial"
    assert cache.mp3("  crucial\n") == b"ID3 crucial"  # whitespace does not make new audio
    assert fake_synthesis == ["crucial"] and (cache.hits, cache.misses) == (2, 1)
    again = SpeechCache(tmp_path / "speech", engine="voice A")  # the next build
    assert again.mp3("crucial") == b"ID3 crucial" and (again.hits, again.misses) == (1, 0)
    files = [p for p in (tmp_path / "speech").rglob("*") if p.is_file()]
    assert files == [cache.path("crucial")] and cache.path("crucial").is_relative_to(tmp_path / "speech" / "speech")


def test_cache_keys_change_with_the_engine_and_the_text(tmp_path: Path, fake_synthesis: list[str]) -> None:
    a, b = SpeechCache(tmp_path, engine="voice A"), SpeechCache(tmp_path, engine="voice B")
    assert a.key("crucial") != b.key("crucial") != b.key("Crucial")
    a.mp3("crucial")
    b.mp3("crucial")
    assert fake_synthesis == ["crucial", "crucial"]


@needs_audio
def test_cache_serves_real_synthesis(spoken: bytes, tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    cache.path("capitalize on").parent.mkdir(parents=True)
    cache.path("capitalize on").write_bytes(spoken)  # as a previous build left it
    assert cache.mp3("capitalize on") == spoken and cache.misses == 0


def test_media_names_come_from_the_audio_bytes() -> None:
    assert media_name(b"abc") == media_name(b"abc") != media_name(b"abd")
    assert media_name(b"abc").startswith("ankiexport-") and media_name(b"abc").endswith(".mp3")


@needs_audio
def test_speech_is_encoded_in_parts_to_the_bytes_of_the_whole() -> None:
    # A long text is encoded as it is spoken, part by part (a 19,000-character sentence is 55 MB of samples).
    import random

    parts = list(synth._pcm("Prices rose sharply in 2026, after the report. Analysts said it would go on."))
    whole = b"".join(parts)
    rate = synth._voice().config.sample_rate
    cuts = sorted(2 * random.Random(7).randrange(1, len(whole) // 2) for _ in range(9))
    pieces = [whole[start:stop] for start, stop in zip([0, *cuts], [*cuts, len(whole)], strict=True)]
    assert len(parts) == 3  # two sentences and the pause between them
    assert synth._mp3(parts, rate) == synth._mp3([whole], rate) == synth._mp3(pieces, rate)
