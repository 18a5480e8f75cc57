"""ankiexport.yaml: defaults, validation with file and line, and flags that override only when given."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankiexport.config import (
    DEFAULT_TRAILER_PATTERNS,
    Settings,
    declared_settings,
    load_config,
    override,
    settings_table,
)
from ankiexport.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ankiexport.yaml"
    path.write_text(text, "utf-8")
    return path


def test_no_file_gives_defaults() -> None:
    settings, warnings = load_config(None)
    assert settings == Settings()
    assert settings.page_size == "a4"
    assert settings.formats == ("apkg", "pdf", "html")
    assert settings.trailer_patterns == DEFAULT_TRAILER_PATTERNS
    assert warnings == []


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "deck_name: ECOM\ncourse_name: News 2\nauthor: ECOM School\npage_size: B5\nformats: [pdf]\n"
        "reading_page: true\ntrailer_patterns: ['^PR']\n",
    )
    settings, warnings = load_config(path)
    assert settings == Settings(
        deck_name="ECOM",
        course_name="News 2",
        author="ECOM School",
        page_size="b5",
        formats=("pdf",),
        reading_page=True,
        trailer_patterns=("^PR",),
    )
    assert warnings == []


def test_unknown_key_is_a_warning_with_its_line(tmp_path: Path) -> None:
    _, warnings = load_config(write(tmp_path, "deck_name: A\n\ncolour: blue\n"))
    assert [(w.line, w.severity) for w in warnings] == [(3, "warning")]
    assert "unknown key 'colour'" in warnings[0].message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("page_size: a3\n", 1, "page_size must be one of a4, b5, letter"),
        ("deck_name: 3\n", 1, "deck_name must be a string"),
        ("deck_name: '  '\n", 1, "deck_name must be a string"),
        ("reading_page: maybe\n", 1, "reading_page must be true or false"),
        ("a: 1\nformats: [apkg, docx]\n", 2, "formats must be a list of apkg, pdf"),
        ("formats: []\n", 1, "formats must be a list of apkg, pdf"),
        ("trailer_patterns: ['(']\n", 1, "is not a regular expression"),
        ("- a\n- b\n", 1, "must be a mapping"),
        ("deck_name: !!python/object/apply:os.system [ls]\n", 1, "unsupported YAML tag"),
        ("a: &x [1]\nb: *x\n", 1, "anchors (&name) are not allowed"),
        ("a: " + "[" * 5000 + "\n", None, "nested too deeply"),
        ("a: [\n", 2, "not valid YAML"),
    ],
)
def test_bad_values_are_errors_naming_the_line(tmp_path: Path, text: str, line: int | None, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in caught.value.detail


def test_flags_override_only_when_given() -> None:
    base = Settings(deck_name="From file", page_size="letter", reading_page=True)
    unchanged = override(base, {"deck_name": None, "page_size": None, "reading_page": None, "formats": ()})
    assert unchanged == base
    changed = override(base, {"page_size": "A4", "reading_page": False, "formats": ("pdf", "pdf")})
    assert (changed.page_size, changed.reading_page, changed.formats) == ("a4", False, ("pdf",))
    assert changed.deck_name == "From file"


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("pagesize", "page_size"), ("Page-Size", "page_size"), ("deckname", "deck_name"), ("format", "formats")],
)
def test_unknown_key_suggests_the_likely_one(tmp_path: Path, key: str, suggestion: str) -> None:
    _, warnings = load_config(write(tmp_path, f"{key}: x\n"))
    assert warnings[0].message == f"unknown key {key!r} ignored; did you mean {suggestion!r}?"


def test_readme_settings_table_is_the_declared_one() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert settings_table() in readme, "README's settings table differs from config.Settings:\n" + settings_table()


def test_every_flagged_setting_is_a_build_option() -> None:
    from ankiexport.cli import build

    options = {name for param in build.params for name in param.opts + param.secondary_opts}
    for item in declared_settings():
        if item.declaration.flag is not None:
            assert item.declaration.flag in options


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--page-size", "B5"], {"page_size": "b5"}),
        (["--format", "pdf", "--format", "pdf"], {"formats": ("pdf",)}),
        (["--no-reading-page"], {"reading_page": False}),
        (["--deck-name", "Mine"], {"deck_name": "Mine"}),
    ],
    ids=["choice-case-insensitive", "repeated-format-once", "negative-flag", "text"],
)
def test_flags_reach_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: dict[str, object]
) -> None:
    from click.testing import CliRunner

    from ankiexport import build as build_package
    from ankiexport.cli import main

    seen: list[Settings] = []
    monkeypatch.setattr(build_package, "run_build", lambda options: seen.append(options.settings) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lessons").mkdir()
    result = CliRunner().invoke(main, ["build", *flags], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert {key: getattr(seen[0], key) for key in expected} == expected


def test_choices_match_what_the_code_provides() -> None:
    from ankiexport.config import FORMATS, PAGE_SIZES
    from ankiexport.writers import WRITERS
    from ankiexport.writers.pdf import PAGE_SIZES as PDF_PAGES

    assert set(FORMATS) == set(WRITERS)
    assert set(PAGE_SIZES) == set(PDF_PAGES)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (IsADirectoryError(21, "Is a directory"), "cannot read: Is a directory"),
        (OSError("quota"), "cannot read: quota"),
    ],
)
def test_an_unreadable_settings_file_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: OSError, reason: str
) -> None:
    from ankiexport import yamlsafe

    path = tmp_path / "ankiexport.yaml"
    path.write_text("page_size: a4\n", "utf-8")

    def refuse(self: Path) -> bytes:
        raise fault

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigError) as caught:
        yamlsafe.load_yaml_mapping(path, error=ConfigError)
    assert reason in caught.value.format_message()
    assert "None" not in caught.value.format_message()
