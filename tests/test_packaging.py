"""What `pip install .` puts in the wheel: every subpackage and the default theme."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase

from .conftest import REPO


def test_the_wheel_holds_every_subpackage_and_the_theme() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    find = config["packages"]["find"]  # as setuptools' find_namespace_packages reads it
    code = {path.parent.relative_to(REPO).as_posix().replace("/", ".")
            for path in (REPO / "digest").rglob("*.py") if "__pycache__" not in path.parts}
    left_out = [name for name in code if not any(fnmatchcase(name, p) for p in find["include"])
                or any(fnmatchcase(name, p) for p in find.get("exclude", ()))]
    assert not left_out, left_out  # digest.serve was once left out of the wheel
    data = config["package-data"]["digest"]
    for pattern in data:
        assert list((REPO / "digest").glob(pattern)), pattern
    theme = {p.relative_to(REPO / "digest").as_posix() for p in (REPO / "digest" / "default_theme").rglob("*")
             if p.is_file()}
    covered = {p.relative_to(REPO / "digest").as_posix() for pattern in data for p in (REPO / "digest").glob(pattern)}
    assert theme <= covered, sorted(theme - covered)
