"""lemminflect's lookup tables as the analysis reads them (on demand, one word at a time) hold exactly what
lemminflect's own loaders build from the whole files, word for word."""

from __future__ import annotations

from lemminflect import config
from lemminflect.codecs.InflectionLUCodec import InflectionLUCodec
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec

from ankiexport.analysis import inflection


def test_the_tables_read_on_demand_are_lemminflects_tables() -> None:
    module = inflection._lemminflect()
    lemmas, inflections = module.Lemmatizer().lemma_dict, module.Inflections().infl_dict
    assert isinstance(lemmas, inflection._Table) and isinstance(inflections, inflection._Inflections)
    for ours, whole in (
        (lemmas, LemmaLUCodec.load(config.lemma_lu_fn)),
        (inflections, InflectionLUCodec.load(config.inflection_lu_fn)),
    ):
        assert len(ours) == len(whole)
        assert list(ours) == list(whole)
        # Every word is there (above); the entries of every 7th word and of the hard-coded modals are compared
        # (parsing all 120,000 by bisection cost the suite a second for no more assurance: one codec does both).
        checked = [*list(whole)[::7], "can", "will", "be", "dare", "'d"]
        assert all(ours.get(word) == whole.get(word) for word in checked)
        assert ours.get("not-a-word-at-all", {}) == {} and "not-a-word-at-all" not in ours


def test_words_read_on_demand_inflect_as_before() -> None:
    assert {"took", "taken", "taking", "takes", "take"} <= inflection.word_forms("take")
    assert inflection.headword("Capitalizing on") == "capitalize on"
    assert {"could"} <= inflection.word_forms("can") and {"was", "were", "been"} <= inflection.word_forms("be")
