"""Term matching and sentence clozes: every rule of issue 3 on fixture lessons, the sample, keys and purity."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import analysis_reference as reference
from analysis_helpers import make_lesson
from ankiexport.analysis import analyse
from ankiexport.analysis.clozes import cloze_markup
from ankiexport.analysis.inflection import headword
from ankiexport.analysis.matching import compile_term, find_matches
from ankiexport.analysis.terms import _by_head, _cloze_for
from ankiexport.config import Settings
from ankiexport.model import Lesson
from ankiexport.readers import load_lesson
from ankiexport.showing import lesson_as_dict
from lesson_files import FIXTURES


def load(name: str) -> Lesson:
    return load_lesson(FIXTURES / name, Settings())


def markup(lesson: Lesson) -> list[str]:
    return [cloze_markup(cloze, lesson.vocabulary) for cloze in lesson.clozes]


def term_warnings(lesson: Lesson) -> list[tuple[int | None, str]]:
    return [(w.line, w.message) for w in lesson.warnings if w.message.startswith("vocabulary term")]


# ------------------------------------------------------------------------------------------------ fixtures

EXPECTED: dict[str, list[str]] = {
    "cloze_inflection_verb.txt": [
        "Sales of the new app {{c1::took off::急増する}} last spring.",
        "Many users {{c1::opted for::~を選ぶ}} the paid plan.",
        "Prices have {{c1::skyrocketed::急騰する}} since then.",
        "The company is {{c1::tapping into::~を利用する}} a new market.",
    ],
    "cloze_inflection_noun.txt": [
        "Supply chain {{c1::bottlenecks::障害}} slowed production.",
        "Every plan has {{c1::trade-offs::交換条件}}, and managers know it.",
        "The firm crossed national {{c1::boundaries::境界}}.",
    ],
    "cloze_inflection_adjective.txt": [
        "The yen became {{c1::stronger::強い}} this year.",
        "It was the {{c1::busiest::忙しい}} week for exporters.",
    ],
    "cloze_phrase_with_gap.txt": [
        "The role is {{c1::gaining::勢いを増す}} significant {{c1::traction}} in Japan.",
        "Old systems are expensive, so firms are {{c1::phasing::段階的に廃止する}} them {{c1::out}}.",
        "She chose to {{c1::hedge::~に備える}} carefully {{c1::against}} losses.",
    ],
    "cloze_precision_no_wrong_deletion.txt": [
        "The results were good, and the outlook is {{c1::better::より良い}}.",
    ],
    "cloze_placeholder_tilde.txt": [
        "Workers are {{c1::capitalizing on::~をうまく利用する}} cheaper rents outside the city.",
        "Many {{c1::look forward to::~を楽しみにする}} working from home.",
    ],
    "cloze_placeholder_ones.txt": [
        "After a long talk, she finally {{c1::made up::決心する}} her {{c1::mind}}.",
        "The engineers {{c1::enjoyed::楽しむ}} themselves at the party.",
        "They {{c1::did::全力を尽くす}} their {{c1::best}} to help.",
    ],
    "cloze_placeholder_sb_sth.txt": [
        "The song {{c1::reminded::(人)に(物事)を思い出させる}} her {{c1::of}} her childhood.",
        "Managers {{c1::talked::(人)を説得して~をやめさせる}} the team {{c1::out of}} the plan.",
    ],
    "cloze_placeholder_a_b.txt": [
        "Trade {{c1::between::AとBの間}} Japan {{c1::and}} Korea grew quickly.",
        "Many students {{c1::prefer::BよりAを好む}} tea {{c1::to}} coffee.",
    ],
    "cloze_optional_parentheses.txt": [
        "She {{c1::is::~に熱心な}} very {{c1::keen on}} photography.",
        "{{c1::Keen on::~に熱心な}} travel, he saved money.",
    ],
    "cloze_alternatives_slash.txt": [
        "The board {{c1::took a decision::決定する}} on Monday.",
        "{{c1::Upon arrival::到着時に}}, the guests were tired.",
        "They {{c1::did away with::~を廃止する}} the old rules.",
    ],
    "cloze_be_forms.txt": [
        "Many workers {{c1::were used to::~に慣れている}} long commutes.",
        "The company {{c1::is about to::まさに~しようとしている}} launch a new service.",
    ],
    "cloze_sentence_initial_case.txt": [
        "{{c1::In the long run::長い目で見れば}}, saving {{c2::pays off::報われる}}.",
        "{{c1::Capitalizing on::~をうまく利用する}} low prices, families bought homes.",
    ],
    "cloze_hyphen_variants.txt": [
        "Some firms pay {{c1::dollar denominated::ドル建ての}} salaries.",
        "They create {{c1::high-quality::高品質の}} data.",
        "Each choice has {{c1::tradeoffs::交換条件}}.",
    ],
    "cloze_term_absent.txt": [
        "Nothing much happened in the {{c1::markets::市場}} this week.",
    ],
    "cloze_title_fallback.txt": [
        "Remote Workers {{c1::Tap into::~を利用する}} Global Demand",
        "Japanese workers {{c1::earn::稼ぐ}} money from abroad.",
    ],
    "cloze_overlap_longer_term.txt": [
        "AI trainers need a {{c1::nuanced understanding::微妙なニュアンスの理解 · n…}} of context.",
        "{{c1::Understanding::理解 · U…}} grows with practice.",
    ],
    "cloze_possessive_singular.txt": [  # the possessive 's stays visible; a term that has one keeps it
        "The {{c1::newcomer::新人}}'s first week was hard, but the {{c2::cohort::同期の集団}}’s mentors helped.",
        "The {{c1::stakeholders::利害関係者}}’ meeting went well, and every {{c1::stakeholder}}'s view was heard.",
        "Each {{c1::newcomer::新人}} joined a {{c2::cohort::同期の集団}}.",
        "{{c1::McDonald's::マクドナルド}} hired a {{c2::newcomer::新人}}.",
    ],
    "cloze_spelling_british_american.txt": [  # breame's pairs; tyre/tire and draught/draft are other words too
        "Pilots practiced tight {{c1::maneuvers::巧みな操作}} over the sea.",
        "The {{c1::colorful::色鮮やかな}} jets flew in a {{c2::defense::防衛}} display.",
        "{{c1::Aging::高齢化する}} drivers never tire of new roads, and the first draft of the plan is ready.",
    ],
    "cloze_phrasal_verb_separated.txt": [  # a noun-phrase object; a particle followed by more is a preposition
        "The board {{c1::turned::断る}} the generous offer {{c1::down}}.",
        "She {{c1::turned::断る}} Ken's new proposal {{c1::down}} in May.",
        "They {{c1::phased::段階的に廃止する}} the old paper forms {{c1::out}}, and nobody missed them.",
        "Managers {{c1::put::延期する}} the final decision {{c1::off}} until June.",
        "They {{c1::picked::迎えに行く}} the kids {{c1::up}} from school.",
    ],
    "cloze_numbering_repeated_term.txt": [
        "As demand {{c1::skyrockets::急騰する}}, it is {{c2::crucial::極めて重要な}} to act, "
        "and {{c2::crucial}} to act fast.",
        "Speed is {{c1::crucial::極めて重要な}}.",
    ],
}

WARNED: dict[str, list[int]] = {  # fixture -> vocabulary lines warned as "not used"
    "cloze_precision_no_wrong_deletion.txt": [6, 10],
    "cloze_term_absent.txt": [6],
    "cloze_spelling_british_american.txt": [14, 16],
    "cloze_phrasal_verb_separated.txt": [17, 19],
}


def test_every_cloze_fixture_has_expectations() -> None:
    assert sorted(p.name for p in FIXTURES.glob("cloze_*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_clozes(name: str) -> None:
    lesson = load(name)
    assert markup(lesson) == EXPECTED[name]
    assert [line for line, _ in term_warnings(lesson)] == WARNED.get(name, [])
    for cloze in lesson.clozes:
        expected_sentence = lesson.title if cloze.index is None else lesson.sentences[cloze.index].text
        assert cloze.sentence == expected_sentence


def test_absent_term_warning_names_the_term() -> None:
    ((line, message),) = term_warnings(load("cloze_term_absent.txt"))
    assert line == 6
    assert "'skyrocket'" in message


def test_title_fallback_only_for_terms_the_body_lacks() -> None:
    lesson = load("cloze_title_fallback.txt")
    assert [cloze.index for cloze in lesson.clozes] == [None, 0]
    title = make_lesson("Workers Earn More", ["Workers earn money."], [("earn", "稼ぐ")])
    assert [cloze.index for cloze in analyse(title).clozes] == [0]


# ------------------------------------------------------------------------------------------------ the sample

SAMPLE_CLOZES = [
    "Rise of the AI Trainer: Japanese Remote Workers {{c1::Tap into::~を利用する · T…}} Global Demand to Earn Foreign "
    "Currency",
    "As the global demand for artificial intelligence specialists {{c1::skyrockets::急騰する}}, a new role, the "
    "“AI Trainer,” is {{c2::gaining::勢いを増す}} significant {{c2::traction}} in Japan.",
    "{{c1::Capitalizing on::~をうまく利用する · C…}} the remote nature of the job and a favorable exchange rate, a "
    "growing number of Japanese workers are looking beyond domestic opportunities to earn foreign currency from "
    "international tech companies.",
    "The job of an AI Trainer is {{c1::crucial::極めて重要な}} for {{c2::refining::~を洗練させる}} the capabilities of "
    "generative AI models.",
    "It involves tasks such as evaluating and ranking AI-generated responses, writing and "
    "{{c1::refining::~を洗練させる}} prompts, and creating high-quality data to teach models to be more accurate, "
    "{{c2::coherent::一貫性のある}}, and safe.",
    "Instead, they demand strong linguistic skills, critical thinking, and a "
    "{{c1::nuanced understanding::微妙なニュアンスの理解}} of context and ethics.",
    "With the yen {{c1::depreciating::価値が下落している}} against the dollar, the appeal of "
    "{{c2::dollar-denominated::ドル建ての}} salaries is powerful.",
    "This trend highlights a shift in the labor market, where {{c1::geographical boundaries::地理的な境界}} are "
    "becoming less relevant.",
    "For many in Japan, the rise of the AI Trainer is not just about a new career path, but a strategic move to "
    "{{c1::hedge against::~に対するリスク回避策(をとる)}} economic uncertainty and participate directly in the global "
    "digital economy.",
]


def test_sample_clozes_exactly(sample: Lesson) -> None:
    assert markup(sample) == SAMPLE_CLOZES
    assert [cloze.index for cloze in sample.clozes] == [None, 0, 1, 2, 3, 5, 7, 11, 12]
    assert term_warnings(sample) == []


def test_sample_every_term_clozed_with_exactly_its_words(sample: Lesson) -> None:
    realised: dict[str, set[str]] = {}
    for cloze in sample.clozes:
        for use in cloze.uses:
            words = " … ".join(cloze.sentence[start:end] for start, end in use.spans)
            realised.setdefault(sample.vocabulary[use.entry].term, set()).add(words)
    assert realised == {
        "Tap into": {"Tap into"},
        "skyrockets": {"skyrockets"},
        "gain traction": {"gaining … traction"},
        "Capitalizing on": {"Capitalizing on"},
        "crucial": {"crucial"},
        "refining": {"refining"},
        "coherent": {"coherent"},
        "nuanced understanding": {"nuanced understanding"},
        "depreciating": {"depreciating"},
        "dollar-denominated": {"dollar-denominated"},
        "hedge against": {"hedge against"},
        "geographical boundaries": {"geographical boundaries"},
    }
    body_terms = {sample.vocabulary[u.entry].term for c in sample.clozes if c.index is not None for u in c.uses}
    assert len(body_terms) == 11
    assert "Tap into" not in body_terms


def test_sample_keys(sample: Lesson) -> None:
    assert [cloze.key for cloze in sample.clozes] == [
        "tap into#1",
        "skyrockets|gain traction#1",
        "capitalizing on#1",
        "crucial|refining#1",
        "refining|coherent#1",
        "nuanced understanding#1",
        "depreciating|dollar-denominated#1",
        "geographical boundaries#1",
        "hedge against#1",
    ]


def test_show_json_clozes(sample: Lesson) -> None:
    clozes = lesson_as_dict(sample)["clozes"]
    assert clozes[1] == {
        "text": SAMPLE_CLOZES[1],
        "sentence": sample.sentences[0].text,
        "terms": ["skyrockets", "gain traction"],
    }
    assert [c["text"] for c in clozes] == SAMPLE_CLOZES


# ------------------------------------------------------------------------------------------------ keys, purity


def test_key_survives_a_typo_fix_in_the_sentence() -> None:
    terms = [("gain traction", "勢いを増す"), ("crucial", "極めて重要な")]
    before = analyse(make_lesson("T", ["The role is gaining signficant traction. It is crucial."], terms))
    after = analyse(make_lesson("T", ["The role is gaining significant traction. It is crucial now."], terms))
    assert [c.key for c in before.clozes] == [c.key for c in after.clozes] == ["gain traction#1", "crucial#1"]


def test_repeated_term_sets_get_occurrence_numbers() -> None:
    lesson = analyse(make_lesson("T", ["It is crucial.", "Speed is crucial too."], [("crucial", "重要な")]))
    assert [c.key for c in lesson.clozes] == ["crucial#1", "crucial#2"]


def test_analyse_is_pure_and_keeps_reader_warnings(sample: Lesson) -> None:
    raw = replace(sample, sentences=(), clozes=(), exercise=None, warnings=sample.warnings[:1])
    first = analyse(raw)
    assert raw.clozes == () and raw.sentences == ()
    assert first.warnings[0] == raw.warnings[0]
    assert analyse(raw) == first


def test_term_of_placeholders_only_is_never_found() -> None:
    assert compile_term("sb/sth") == ()
    lesson = analyse(make_lesson("T", ["Someone did something."], [("sth", "何か")]))
    assert lesson.clozes == ()
    assert len(term_warnings(lesson)) == 1


@pytest.mark.parametrize(
    ("term", "sentence", "expected"),
    [
        ("better", "The results were good, and the best is yet to come.", []),  # no suppletive lemma hopping
        ("hedge against", "Hedge funds bought bonds against advice.", []),  # a noun is not a gap word
        ("gain traction", "They gain, in fact, traction.", []),  # punctuation ends a phrase
        ("take off", "The plane took up and off.", []),  # particles are not gap words
        ("enjoy oneself", "They enjoyed the food.", []),  # a trailing placeholder must be filled
        ("capitalize on ~", "It is what they capitalize on.", []),
        ("make up one's mind", "He made up the mind.", []),
        ("take off", "Sales took off, then took off again.", [["took off"], ["took off"]]),
        ("in the long run", "In the long run-up to the vote, in the long run.", [["in the long run"]]),
        ("trade", "Every trade-off is a trade.", [["trade"]]),  # a compound's first part is another word
        ("generate", "AI-generated text", [["generated"]]),  # its last part carries the compound's meaning
        ("take off", "The take-off was smooth.", [["take-off"]]),
        ("capitalise on", "They are capitalizing on it.", [["capitalizing on"]]),  # spelling variants
        ("blorf", "Two blorfs were blorfing.", [["blorfs"], ["blorfing"]]),  # unknown word: rule-based forms
        ("skyrocket(s)", "Prices skyrocketed.", [["skyrocketed"]]),  # an optional ending, spelled as written
        ("(at) the (very) least", "It costs at the very least ten.", [["at the very least"]]),
        ("(at) the (very) least", "The least it costs is ten.", [["The least"]]),
    ],
)
def test_matching_rules(term: str, sentence: str, expected: list[list[str]]) -> None:
    found = [[sentence[start:end] for start, end in match.spans] for match in find_matches(term, sentence)]
    assert found == expected


# ------------------------------------------------------------------------------------------------ performance


def test_analysis_libraries_load_lazily() -> None:
    code = "import sys, ankiexport.analysis; print('lemminflect' in sys.modules, 'pysbd' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_analysing_many_lessons_is_fast(sample: Lesson) -> None:
    raw = replace(sample, sentences=(), clozes=(), exercise=None)
    analyse(raw)  # warm the lemminflect tables and per-term caches
    start = time.process_time()
    for _ in range(100):
        analyse(raw)
    elapsed = time.process_time() - start
    print(f"analyse(): {elapsed * 10:.1f} ms per sample lesson")
    assert elapsed < 10  # ~1 s on a shared CI core; a quadratic scan or a lost cache would blow far past this


def test_term_used_only_inside_a_longer_term_is_warned_as_such() -> None:
    lesson = analyse(
        make_lesson(
            "T", ["A nuanced understanding helps."], [("understanding", "理解"), ("nuanced understanding", "x")]
        )
    )
    assert markup(lesson) == ["A {{c1::nuanced understanding::x}} helps."]
    ((line, message),) = term_warnings(lesson)
    assert line == lesson.vocabulary[0].line
    assert message.startswith("vocabulary term 'understanding' is only used inside another term's words")


_PIECES = st.sampled_from(
    [
        *("the", "yen", "gain", "gaining", "traction", "~", "one's", "sb", "A", "B", "(be)", "keen", "on", "/", "-"),
        *("U.S.", "“", "”", "’s", "$1.5", "it's", "AI-generated", "Japan", ",", ".", "(", ")", "their", "themselves"),
    ]
)
_TEXT = st.lists(_PIECES, max_size=20).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, max_size=3), st.lists(st.tuples(_TEXT, _TEXT), max_size=4), _TEXT)
def test_clozes_are_well_formed_for_any_input(paragraphs: list[str], terms: list[tuple[str, str]], title: str) -> None:
    lesson = analyse(make_lesson(title, paragraphs, terms))
    for cloze in lesson.clozes:
        taken: list[tuple[int, int]] = []
        firsts = []
        for use in cloze.uses:
            assert use.spans == tuple(sorted(use.spans))
            firsts.append(use.spans[0][0])
            for start, end in use.spans:
                assert 0 <= start < end <= len(cloze.sentence)
                assert cloze.sentence[start:end].strip() == cloze.sentence[start:end]
                assert all(end <= a or b <= start for a, b in taken)
                taken.append((start, end))
        assert firsts == sorted(firsts)
        assert "{{c1::" in cloze_markup(cloze, lesson.vocabulary)


_POSSESSIVE_WORDS = st.sampled_from(
    [*("newcomer", "newcomer's", "Newcomer’s", "yen", "yen’s", "one's", "gains'", "gain", "traction", "it's"), "the"]
)
_POSSESSIVE_TEXT = st.one_of(_TEXT, st.lists(_POSSESSIVE_WORDS, max_size=8).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(_POSSESSIVE_TEXT, max_size=4), _POSSESSIVE_TEXT)
@example(["newcomer"], "A Newcomer’s view")
def test_a_sentences_cloze_is_what_it_was(terms: list[str], sentence: str) -> None:
    """Tokenising only sentences that hold a term's first word finds the clozes (and the entries seen) as before."""
    heads = _by_head(list(enumerate(terms)))
    seen: set[int] = set()
    before: set[int] = set()
    assert _cloze_for(sentence, 0, heads, seen) == reference._cloze_for(sentence, 0, heads, before)
    assert seen == before


def test_headwords_are_dictionary_forms() -> None:
    assert headword("Capitalizing on") == "capitalize on"
    assert headword("skyrockets") == "skyrocket"
    assert headword("Tap into") == "tap into"
    assert headword("nuanced understanding") == "nuanced understanding"
    assert headword("crucial") == "crucial"
    assert headword("AI") == "AI"
    assert headword("Tokyo") == "Tokyo" and headword("Silicon Valley") == "Silicon Valley"


def test_analysis_fills_every_entrys_headword(sample: Lesson) -> None:
    forms = {entry.term: entry.headword for entry in sample.vocabulary}
    assert forms["Capitalizing on"] == "capitalize on"
    assert forms["refining"] == "refine"
    assert forms["dollar-denominated"] == "dollar-denominated"
    assert all(forms.values())


_GLOSS_PARTS = [
    "利用",
    "利用する",
    "市場",
    "ドル",
    "ドル建て",
    "上がる",
    "~を",
    "、",
    "／",
    "急騰",
    "理解",
    "地理的",
    "する",
    "x",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_GLOSS_PARTS), min_size=1, max_size=5).map("".join), max_size=14))
def test_confusable_hints_are_those_every_pair_compared_finds(glosses: list[str]) -> None:
    # One index of marks instead of every pair (4,000 terms: 9 s): the same entries, on random glosses that share
    # hints, kanji pairs and katakana words, or not.
    from ankiexport.analysis.clozes import confusable
    from ankiexport.model import VocabEntry

    vocabulary = [VocabEntry(f"term{n}", gloss, "", n + 1) for n, gloss in enumerate(glosses)]
    assert confusable(vocabulary) == reference.confusable(vocabulary)
