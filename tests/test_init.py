"""`digest init`: a site from an empty folder that builds at once, and never an overwrite."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import frontmatter
import yaml

from digest.build import BuildOptions, build
from digest.cli import main
from digest.config import SCHEMA, TOPIC_KEYS, load_config
from digest.init import WORKFLOW, json_schema

from .conftest import REPO

OFFICIAL_PAGES_ACTIONS = {"actions/checkout", "actions/setup-python", "actions/configure-pages",
                          "actions/cache", "actions/upload-pages-artifact", "actions/deploy-pages"}


def test_init_makes_a_site_that_builds(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    for rel in ("digest.toml", "digest.schema.json", "content/welcome.md", ".gitignore", "requirements.txt",
                WORKFLOW):
        assert (site / rel).is_file(), rel
    assert (site / "static").is_dir() and not any((site / "static").iterdir())
    config = load_config(site)
    assert config.title == "Mysite"
    report = build(site, BuildOptions())
    assert report.entries == 1 and (site / "output/index.html").is_file()
    assert "Welcome to your digest" in (site / "output/index.html").read_text()


def test_the_config_holds_every_option_commented(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "s"), "--title", "Harbour News"]) == 0
    text = (tmp_path / "s/digest.toml").read_text()
    data = tomllib.loads(text)
    assert data["site"]["title"] == "Harbour News"
    for section, keys in SCHEMA.items():
        for key, (_kind, default, meaning) in keys.items():
            if (section, key) != ("site", "title"):
                assert data[section][key] == default, (section, key)
            assert f"# {meaning}\n" in text, key
    for key in TOPIC_KEYS:
        assert f"#   {key}: " in text
    assert text.startswith("#:schema ./digest.schema.json\n")


def test_the_sample_entry_says_it_is_one(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "s")]) == 0
    text = (tmp_path / "s/content/welcome.md").read_text()
    assert "A sample entry made by `digest init`" in text
    assert frontmatter.loads(text)["tags"] == ["sample"]


def test_the_deploy_workflow_is_valid_yaml_with_the_official_actions(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "s")]) == 0
    workflow = yaml.safe_load((tmp_path / "s" / WORKFLOW).read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    used = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert used == OFFICIAL_PAGES_ACTIONS
    assert all("@v" in step["uses"] for step in steps if "uses" in step)  # pinned to a major version
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".digest"
    run = " ".join(step.get("run", "") for step in steps)
    assert "pip install -r requirements.txt" in run and "digest build --base-url" in run
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "${{ steps.site.outputs.output }}"
    # That step names the folder digest.toml's output_dir says, output/ by default
    import subprocess
    import sys

    [site_step] = [step for step in steps if step.get("id") == "site"]
    command = site_step["run"].replace("python -c", f"{sys.executable} -c", 1)
    toml = tmp_path / "s/digest.toml"
    for folder in ("output", "public"):
        toml.write_text(toml.read_text(encoding="utf-8").replace('output_dir = "output"', f'output_dir = "{folder}"'),
                        encoding="utf-8")
        (tmp_path / "github-output").write_text("")
        subprocess.run(["bash", "-c", command], cwd=tmp_path / "s", check=True,
                       env={"GITHUB_OUTPUT": str(tmp_path / "github-output"), "PATH": "/usr/bin:/bin"})
        assert (tmp_path / "github-output").read_text() == f"output={folder}\n"
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    # The YAML 1.1 trap: `on:` must stay a key that GitHub reads as "on", not the boolean True.
    assert "on" in yaml.load((tmp_path / "s" / WORKFLOW).read_text(), Loader=yaml.BaseLoader)


def test_gitignore_keeps_what_digest_makes_out_of_git(tmp_path: Path) -> None:
    site = tmp_path / "s"
    assert main(["init", str(site)]) == 0
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    assert main(["-C", str(site), "build"]) == 0
    assert main(["-C", str(site), "build", "--base-url", "https://example.org/"]) == 0  # makes the spare tree
    status = subprocess.run(["git", "-C", str(site), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    tracked = sorted(line[3:] for line in status.splitlines())
    assert tracked == sorted([".github/workflows/publish.yml", ".gitignore", "content/welcome.md",
                              "digest.schema.json", "digest.toml", "requirements.txt"]), tracked


def test_init_refuses_to_overwrite_and_names_the_files(tmp_path: Path, capsys) -> None:
    site = tmp_path / "s"
    site.mkdir()
    (site / "digest.toml").write_text("# mine\n")
    (site / ".gitignore").write_text("mine\n")
    (site / "README.md").write_text("mine\n")  # not ours: no clash
    assert main(["init", str(site)]) == 1
    err = capsys.readouterr().err
    assert "digest.toml" in err and ".gitignore" in err and "never overwrites" in err
    assert (site / "digest.toml").read_text() == "# mine\n" and not (site / "content").exists()
    # A folder that holds other things but none of ours is fine.
    other = tmp_path / "repo"
    other.mkdir()
    (other / "README.md").write_text("mine\n")
    assert main(["-C", str(other), "init"]) == 0 and (other / "digest.toml").is_file()


def test_init_in_the_current_folder(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "digest", "init"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "created digest.toml" in result.stdout and "digest serve --watch" in result.stdout
    assert (tmp_path / "digest.toml").is_file()


def test_the_published_json_schema_is_the_one_the_config_schema_makes() -> None:
    published = json.loads((REPO / "digest.schema.json").read_text())
    assert published == json_schema()
    assert set(published["properties"]) == {*SCHEMA, "topics"}


def _installed_copy(target: Path) -> Path:
    """digest/ as the wheel holds it: the Python files and the package-data patterns of pyproject.toml,
    nothing else of the repository (no README, no themes/, no content/)."""
    import shutil

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package = REPO / "digest"
    files = {p for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    files |= {p for pattern in config["package-data"]["digest"] for p in package.glob(pattern) if p.is_file()}
    for path in files:
        copy = target / "digest" / path.relative_to(package)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return target


def test_a_newcomer_without_the_repository(tmp_path: Path) -> None:
    """The issue's 'done when', from the package as installed: init, build, new (a draft, not published),
    build for a sub-path, and the dev server under that sub-path."""
    import http.client
    import os
    import re

    installed = _installed_copy(tmp_path / "installed")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}

    def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=300)

    where = digest("--version", cwd=home)
    assert where.returncode == 0
    assert subprocess.run([sys.executable, "-c", "import digest; print(digest.__file__)"], env=env, cwd=home,
                          capture_output=True, text=True).stdout.startswith(str(installed))
    assert digest("init", "mysite", cwd=home).returncode == 0
    site = home / "mysite"
    built = digest("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "built 1 entry" in built.stdout and "warning: the site is built for http://127.0.0.1:8000/" in built.stderr
    assert digest("new", "Placeholder headline", cwd=site).returncode == 0
    built = digest("build", "--base-url", "https://example.org/news/", cwd=site)
    assert built.returncode == 0 and "built 1 entry" in built.stdout and "warning" not in built.stderr
    feed = json.loads((site / "output/feed.json").read_text())
    assert feed["feed_url"] == "https://example.org/news/feed.json"
    assert all(item["url"].startswith("https://example.org/news/") for item in feed["items"])
    assert "Placeholder" not in json.dumps(feed)
    page = next((site / "output").glob("*/*/*/welcome/index.html")).read_text()
    assert re.search(r'<link rel="canonical" href="https://example.org/news/\d{4}/\d\d/\d\d/welcome/">', page)
    serve = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--watch", "--port", "0", "--base-url",
                              "https://example.org/news/"], cwd=site, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert serve.stdout is not None
        line = serve.stdout.readline()
        match = re.search(r"on http://127\.0\.0\.1:(\d+)/news/", line)
        assert match, line
        port = int(match.group(1))
        for _ in range(100):  # the first build
            if "first build" in (serve.stdout.readline() or ""):
                break

        def get(path: str) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()

        assert get("/news/")[0] == 200 and get("/news/static/style.css")[0] == 200
        status, missing = get("/news/nothing/here/")
        assert status == 404 and b'href="/news/static/style.css"' in missing
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_the_repository_ignores_the_build_lock() -> None:
    lines = (REPO / ".gitignore").read_text().splitlines()
    assert "/.digest/build.lock" in lines and "/.digest/" not in lines
    if not (REPO / ".git").exists():
        return  # an exported tree: the lines above are what git reads
    tree_record = ".digest/output-folders.marshal.27e47d8a0c3f9b11"  # a tree's (site_static._tree_file)
    for made in (".digest/build.lock", ".digest/output-folders.marshal", ".digest/output-folders.marshal.tmp",
                 tree_record, f"{tree_record}.tmp"):
        assert subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", made]).returncode == 0, made
    kept = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", ".digest/ingest.json"])
    assert kept.returncode == 1  # ingest's record of what it wrote is part of the repository


def test_the_json_schema_accepts_real_configs_and_refuses_a_typo(tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads((REPO / "digest.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert main(["init", str(tmp_path / "s")]) == 0
    for path in (tmp_path / "s/digest.toml", REPO / "digest.toml"):
        assert not list(validator.iter_errors(tomllib.loads(path.read_text()))), path
    wrong = {"site": {"tittle": "x", "items_per_page": 0}, "topics": [{"title": "No slug"}]}
    messages = sorted(error.message for error in validator.iter_errors(wrong))
    assert any("tittle" in m for m in messages) and any("minimum" in m or "less than" in m for m in messages)
    assert any("'slug' is a required property" in m for m in messages)


def test_requirements_name_where_digest_comes_from_or_ask_for_it(tmp_path: Path, capsys, monkeypatch) -> None:
    from importlib import metadata

    from digest.init import PLACEHOLDER_SOURCE, requirements_text

    assert main(["init", str(tmp_path / "s")]) == 0  # this checkout: installed from a folder
    assert PLACEHOLDER_SOURCE in (tmp_path / "s/requirements.txt").read_text()
    assert "note: edit " in capsys.readouterr().err

    class Installed:
        def __init__(self, direct: str) -> None:
            self.direct = direct

        def read_text(self, name: str) -> str:
            return self.direct

    vcs = '{"url": "https://git.example.org/me/digest.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}'
    monkeypatch.setattr(metadata, "distribution", lambda name: Installed(vcs))
    lines = [line for line in requirements_text().splitlines() if not line.startswith("#")]
    assert lines == ["digest[search] @ git+https://git.example.org/me/digest.git@abc123"]
    archive = '{"url": "https://files.example.org/digest-0.1.0.tar.gz", "archive_info": {}}'
    monkeypatch.setattr(metadata, "distribution", lambda name: Installed(archive))
    assert "digest[search] @ https://files.example.org/digest-0.1.0.tar.gz\n" in requirements_text()


def test_a_folder_that_cannot_be_made_is_an_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    (tmp_path / "blocked").write_text("a file, not a folder")  # (root ignores permission bits)
    assert main(["init", str(tmp_path / "blocked" / "site")]) == 1
    err = capsys.readouterr().err
    assert "error: " in err and "blocked" in err and "hint:" in err and "Traceback" not in err
