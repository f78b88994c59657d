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


def test_every_library_the_code_imports_is_declared() -> None:
    """pip install . must bring everything digest imports (PyYAML, lxml and charset-normalizer once were not)."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {Requirement(r).name.lower().replace("_", "-") for r in requirements}

    declared = names(project["dependencies"])
    optional = names(project["optional-dependencies"]["search"])  # pagefind-bin: imported only when installed
    imported: dict[str, str] = {}
    for path in (REPO / "digest").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top != "digest":
                    imported.setdefault(top, path.relative_to(REPO).as_posix())
    distributions = packages_distributions()
    missing = {}
    for module, where in imported.items():
        assert module in distributions, f"{module} (imported in {where}) is not installed"
        if not {d.lower().replace("_", "-") for d in distributions[module]} & (declared | optional):
            missing[module] = where
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"
    assert len(imported) >= 10  # the scan found the imports
