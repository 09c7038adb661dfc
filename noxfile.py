"""The support matrix: one nox session per (Python, Django) cell.

    nox -l                                        # the cells
    nox -s "tests(python='3.13', django='6.1')"   # one cell, the whole suite on every core
    nox -t newest -- tests/oauth tests/api -x     # the newest Python with each Django, a subset
    nox -s embed-3.13                             # the wheel in a fresh site, newest Django

Each cell is a fresh virtualenv with ``.[test]`` and the newest release of its Django series, so
pip picks the versions of allauth, DRF, django-q2, drf-spectacular and django-filter that a new
site on that Django would get. ``make test`` stays the primary cell (the machine's python3 and
Django 5.2, in ``.venv``). Interpreters are found on PATH or under pyenv (``pyenv root``); the
missing ones are named when the noxfile loads, and their cells fail saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["tests"]

# Django 6 needs Python 3.12 or newer, so 3.11 has Django 5.2 only.
MATRIX = {
    "5.2": ("3.11", "3.12", "3.13"),
    "6.0": ("3.12", "3.13"),
    "6.1": ("3.12", "3.13"),
}
PRIMARY = ("3.11", "5.2")


def _works(executable: str) -> bool:
    """A pyenv shim for a version that is installed but not selected exists on PATH and fails."""
    try:
        subprocess.run([executable, "-c", "pass"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def _pyenv_bin(version: str) -> Path | None:
    pyenv = shutil.which("pyenv")
    root = os.environ.get("PYENV_ROOT")
    if not root and pyenv:
        result = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        root = result.stdout.strip()
    if not root:
        return None
    installed = sorted(Path(root, "versions").glob(f"{version}.*"), reverse=True)
    for prefix in installed:
        candidate = prefix / "bin" / f"python{version}"
        if candidate.is_file() and _works(str(candidate)):
            return candidate.parent
    return None


def _find_interpreters() -> list[str]:
    """Put a working ``pythonX.Y`` for every cell on PATH; return the versions found nowhere."""
    missing = []
    for version in sorted({v for versions in MATRIX.values() for v in versions}):
        on_path = shutil.which(f"python{version}")
        if on_path and _works(on_path):
            continue
        found = _pyenv_bin(version)
        if found is None:
            missing.append(version)
            continue
        os.environ["PATH"] = f"{found}{os.pathsep}{os.environ.get('PATH', '')}"
    return missing


MISSING = _find_interpreters()
if MISSING:
    nox.logger.logger.warning(
        "No interpreter for Python %s (looked on PATH and under pyenv); those cells will fail. "
        "Install them, e.g. `pyenv install %s`.",
        ", ".join(MISSING),
        " ".join(MISSING),
    )


def _cells() -> list:
    cells = []
    for django, pythons in MATRIX.items():
        for python in pythons:
            tags = ["primary"] if (python, django) == PRIMARY else []
            if python == pythons[-1]:
                tags.append("newest")
            cells.append(nox.param(python, django, tags=tags))
    return cells


@nox.session(download_python="never")
@nox.parametrize(("python", "django"), _cells())
def tests(session: nox.Session, django: str) -> None:
    """The suite on one cell; positional arguments after ``--`` go to pytest."""
    session.install("-e", ".[test]", f"Django~={django}.0")
    session.run("python", "-m", "django", "--version")
    workers = os.environ.get("TEST_WORKERS", "auto")
    session.run("python", "-m", "pytest", "-n", workers, "-p", "no:cacheprovider", *session.posargs)


def _lowest_pins() -> list[str]:
    """``name==X.*`` (the oldest series) for every ``name>=X`` in pyproject.toml's dependencies,
    Django aside."""
    import tomllib

    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    pins = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if requirement.name != "Django" and lower:
            pins.append(f"{requirement.name}=={lower[0]}.*")
    return pins


@nox.session(python="3.11", download_python="never")
def lowest(session: nox.Session) -> None:
    """The oldest release of every dependency that pyproject.toml accepts, on Django 5.2: the
    lower bounds are claims, and this checks them."""
    session.install("-e", ".[test]", "Django~=5.2.0", *_lowest_pins())
    session.run("python", "-m", "pip", "freeze", silent=False)
    workers = os.environ.get("TEST_WORKERS", "auto")
    session.run("python", "-m", "pytest", "-n", workers, "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=["3.11", "3.13"], download_python="never")
def embed(session: nox.Session) -> None:
    """The wheel embedded in a fresh startproject site (tests/embed), whose own virtualenv is
    made with this session's Python: 3.11 gets Django 5.2, 3.13 the newest Django."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "-m",
        "embed",
        "tests/embed",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "-v",
        *session.posargs,
    )
