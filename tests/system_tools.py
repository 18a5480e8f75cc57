"""System programs the tests use (pdffonts, a browser): skipped where missing locally, a failure in CI."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parent.parent / "scripts" / "system-packages.txt"


def listed_packages() -> set[str]:
    """The Debian packages scripts/setup installs."""
    lines = (re.sub(r"#.*", "", line).strip() for line in PACKAGES.read_text("utf-8").splitlines())
    return {line for line in lines if line}


def in_ci() -> bool:
    """True in CI (CI=true, as GitHub Actions and .ci/run set it)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require(tool: str, package: str) -> str:
    """The path of ``tool`` from the Debian ``package``. Without it a local run skips the test, naming the package to
    install; CI (CI=true) fails instead, because there scripts/setup installs every listed package and a check that
    silently never runs is worse than a red build."""
    assert package in listed_packages(), f"{package} (for {tool}) is not listed in {PACKAGES.name}"
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (Debian package {package}; scripts/setup installs it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path
