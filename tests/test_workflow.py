"""The weekly publishing workflow and CI do what README promises (actionlint itself runs in .ci/run)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from lesson_files import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def readme_commands() -> list[str]:
    """README's set-up command and test command, as written in its "Set up and run" block."""
    section = ROOT.joinpath("README.md").read_text("utf-8").split("## Set up and run", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    assert len(commands) == 2, commands
    return commands


def load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_runs_weekly_and_on_demand() -> None:
    triggers = load()[True]  # PyYAML reads the bare key `on` as the boolean True
    assert len(triggers["schedule"]) == 1
    _minute, _hour, day, month, weekday = triggers["schedule"][0]["cron"].split()
    assert (day, month) == ("*", "*")
    assert weekday.isdigit()
    assert "workflow_dispatch" in triggers


def test_tests_check_build_then_publish_release_and_pages() -> None:
    workflow = load()
    commands = [step.get("run", "") for step in steps(workflow)]
    order = [
        next(i for i, c in enumerate(commands) if c.strip() == readme_commands()[1]),
        next(i for i, c in enumerate(commands) if c.startswith(".venv/bin/ankiexport check")),
        next(i for i, c in enumerate(commands) if c.startswith(".venv/bin/ankiexport build")),
        next(i for i, c in enumerate(commands) if "gh release" in c),
    ]
    assert order == sorted(order)
    assert any("%G-W%V" in c for c in commands), "release named by ISO week"
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)


def test_full_history_and_only_the_content_cache() -> None:
    # The one cache kept between runs is the build's content cache (synthesised speech): its keys are everything that
    # decides a file, so a restored entry is right by construction. No pip cache: packages come from the pins.
    workflow = load()
    checkout = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0, "lesson commit times drive Anki note modification times"
    caches = [step for step in steps(workflow) if step.get("uses", "").startswith("actions/cache")]
    assert [step["with"]["path"] for step in caches] == ["out/.ankiexport-cache"]
    for step in steps(workflow):
        assert "cache" not in step.get("with", {})
    names = [step.get("name", step.get("uses", "")) for step in steps(workflow)]
    assert names.index(caches[0]["name"]) < names.index("Build"), "restore the cache before the build uses it"


def test_ci_and_the_workflow_set_up_and_test_as_readme_says() -> None:
    setup, test = readme_commands()
    ci = [line.strip() for line in ROOT.joinpath(".ci", "run").read_text("utf-8").splitlines()]
    assert setup in ci
    assert ci[-1] == test
    commands = [step.get("run", "").strip() for step in steps(load())]
    assert setup.split(" && ", 1)[0] in commands
    assert test in commands


def test_pages_and_release_get_learner_files_chosen_by_the_manifest() -> None:
    """Decks only with the release, linked from the pages through --deck-url; the rest of the site on Pages."""
    workflow = load()
    build = next(s for s in steps(workflow) if s.get("run", "").startswith(".venv/bin/ankiexport build"))
    assert '--deck-url "$DECK_URL"' in build["run"]
    assert build["env"]["DECK_URL"] == "https://github.com/${{ github.repository }}/releases/latest/download/"
    commands = [step.get("run", "") for step in steps(workflow)]
    release = next(c for c in commands if "gh release" in c)
    assert (
        ".venv/bin/python -m ankiexport.site.collect release out release" in release and "files=(release/*)" in release
    )
    assert ".venv/bin/python -m ankiexport.site.collect pages out site" in commands
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert not [c for c in commands if "out/*" in c], "no file reaches learners by a glob that could catch a teacher's"


def test_teachers_files_go_to_a_workflow_artifact_only() -> None:
    workflow = load()
    collect = next(step for step in steps(workflow) if step.get("name") == "Collect the teachers' files")
    assert collect["run"] == ".venv/bin/python -m ankiexport.site.collect teacher out teachers"  # by audience
    upload = next(step for step in steps(workflow) if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["name"] == "teacher-files" and upload["with"]["path"] == "teachers"
    for step in steps(workflow):
        assert "teachers" not in step.get("run", "") or step is collect  # never copied into the site or release
