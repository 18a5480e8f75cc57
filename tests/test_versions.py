"""Per-student versions of the worksheet (`build --versions N`): letters, orders, their own answers, read back."""

from __future__ import annotations

import functools
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from ankiexport.cli import main
from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.writers.pdf import MARGINS, PAGE_SIZES
from ankiexport.writers.pdf_sheets import ClozeItem, Sheet, letter, plan_cloze, plan_matching
from lesson_files import SAMPLE

STEM = SAMPLE.stem


def build(root: Path, *arguments: str) -> Result:
    command = ["build", str(root / "lessons"), "--out", str(root / "out"), "-j", "1", "--format", "pdf", *arguments]
    return CliRunner().invoke(main, command, catch_exceptions=False)


@functools.cache  # the module's files are read by several tests and never change
def text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built with `versions: 3` in ankiexport.yaml."""
    root = tmp_path_factory.mktemp("versions")
    (root / "lessons").mkdir()
    shutil.copy(SAMPLE, root / "lessons" / SAMPLE.name)
    (root / "ankiexport.yaml").write_text("versions: 3\n", "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # not a git checkout: the revision time comes from here
        result = build(root, "--config", str(root / "ankiexport.yaml"))
    assert result.exit_code == 0, result.output
    return root / "out"


@functools.cache  # reading and analysing the sample costs more than what a test does with it
def sheet(version: str) -> Sheet:
    settings = Settings()
    width, height = PAGE_SIZES[settings.page_size]
    side, top, bottom = MARGINS[settings.page_size]
    return Sheet(load_lesson(SAMPLE, settings), settings, width - 2 * side, height - top - bottom, version)


def test_each_version_and_its_teacher_edition_is_written_for_teachers(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    audience = {a["file"]: a["audience"] for a in manifest["artifacts"]}
    for version in "ABC":
        assert audience[f"{STEM}-{version}.pdf"] == audience[f"{STEM}-{version}-teacher.pdf"] == "teacher"
    assert audience[f"{STEM}.pdf"] == "learner"  # the learners' site keeps the one plain student edition
    assert not (out / f"{STEM}-D.pdf").exists()


def test_the_version_letter_is_in_the_header(out: Path) -> None:
    assert "Version" not in text(out / f"{STEM}.pdf")
    for version in "ABC":
        student, teacher = text(out / f"{STEM}-{version}.pdf"), text(out / f"{STEM}-{version}-teacher.pdf")
        assert f"Version {version}" in student.split("\n", 3)[0] + student.split("\n", 3)[1]
        assert f"Version {version}" in teacher and "Answer Key" in teacher and "Answer Key" not in student
        assert [v for v in "ABC" if f"Version {v}" in student] == [version]


def test_versions_ask_the_same_things_in_other_orders() -> None:
    plans = {version: plan_matching(sheet(version)) for version in ("", "A", "B", "C")}
    assert len({frozenset(plan.items) for plan in plans.values()}) == 1  # the same meanings asked in every version
    assert len({plan.items for plan in plans.values()}) == 4 and len({plan.choices for plan in plans.values()}) == 4
    for version in "ABC":  # and no meaning beside its own word: the answers never run down the list
        plan = plans[version]
        assert all(plan.answer(row) != letter(row) for row in range(len(plan.items)))
    clozes = {version: [item.cloze.sentence for item in plan_cloze(sheet(version))] for version in "ABC"}
    assert len({tuple(sentences) for sentences in clozes.values()}) == 3
    assert len({frozenset(sentences) for sentences in clozes.values()}) == 1


def test_each_version_prints_its_own_order_and_its_own_answers(out: Path) -> None:
    for version in "ABC":
        plan = plan_matching(sheet(version))
        student = re.sub(r"\s+", " ", text(out / f"{STEM}-{version}.pdf"))
        glosses = [sheet(version).lesson.vocabulary[entry].gloss for entry in plan.items]
        positions = [student.find(gloss) for gloss in glosses]
        assert -1 not in positions and positions == sorted(positions)  # printed in this version's order
        key = re.sub(r"\s+", " ", text(out / f"{STEM}-{version}-teacher.pdf").split("Answer Key")[1])
        pairs = dict(re.findall(r"\b(\d+)\. ([a-l])\b", key.split("Sentence cloze")[0]))
        assert pairs == {str(row + 1): plan.answer(row) for row in range(len(plan.items))}
        starts = [student.find(_unblanked(item)) for item in plan_cloze(sheet(version))]
        assert -1 not in starts and starts == sorted(starts)


def _unblanked(item: ClozeItem) -> str:
    """The start of the longest stretch of a cloze sentence that no blank interrupts, as the PDF prints it."""
    sentence, cuts = item.cloze.sentence, [0]
    for blank in item.blanks:
        cuts += [blank.start, blank.end]
    stretches = [sentence[a:b] for a, b in zip([*cuts][::2], [*cuts[1:], len(sentence)][::2], strict=True)]
    return re.sub(r"\s+", " ", max(stretches, key=len).strip())[:25]


def test_versions_are_reproducible_and_leave_the_plain_edition_alone(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
    (tmp_path / "lessons").mkdir()
    shutil.copy(SAMPLE, tmp_path / "lessons" / SAMPLE.name)
    result = build(tmp_path, "--versions", "2")
    assert result.exit_code == 0, result.output
    for name in (f"{STEM}.pdf", f"{STEM}-teacher.pdf", f"{STEM}-A.pdf", f"{STEM}-B-teacher.pdf"):
        assert (tmp_path / "out" / name).read_bytes() == (out / name).read_bytes(), name
    assert not (tmp_path / "out" / f"{STEM}-C.pdf").exists()
    again = build(tmp_path, "--versions", "1")
    assert again.exit_code == 0, again.output
    assert not (tmp_path / "out" / f"{STEM}-A.pdf").exists()  # fewer versions: the others' files go


@pytest.mark.parametrize(
    ("arguments", "code", "message"), [(["--versions", "27"], 2, "27"), (["--versions", "0"], 2, "0")]
)
def test_bad_version_counts(tmp_path: Path, arguments: list[str], code: int, message: str) -> None:
    (tmp_path / "lessons").mkdir()
    shutil.copy(SAMPLE, tmp_path / "lessons" / SAMPLE.name)
    result = build(tmp_path, *arguments)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_bad_version_count_in_the_config_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    shutil.copy(SAMPLE, tmp_path / "lessons" / SAMPLE.name)
    (tmp_path / "ankiexport.yaml").write_text("page_size: a4\nversions: 30\n", "utf-8")
    result = build(tmp_path, "--config", str(tmp_path / "ankiexport.yaml"))
    assert result.exit_code == 1
    assert "ankiexport.yaml:2: error: versions must be between 1 and 26" in result.output
