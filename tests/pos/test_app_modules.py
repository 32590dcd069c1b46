"""The register app's ES modules (static/pos/js/): small, acyclic, all in the offline shell, and
still importing each other once collectstatic gave them hashed names."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

MODULES = Path(settings.BASE_DIR) / "static" / "pos" / "js"
MAX_LINES = 400
# A static import or re-export of a module of ours (a relative URL), with or without its ";".
RELATIVE_IMPORT = re.compile(r"""\b(?:import|export)\b[^;'"]*?\bfrom\s*["'](\.{1,2}/[^"']+)["'](\s*;)?""")


def module_files() -> list[Path]:
    files = sorted(MODULES.glob("*.js"))
    assert files, f"no module under {MODULES}"
    return files


def imports_of(text: str) -> list[str]:
    return [match.group(1) for match in RELATIVE_IMPORT.finditer(text)]


def test_every_module_is_small_enough_to_read_in_one_sitting():
    too_long = {
        path.name: count
        for path in module_files()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }

    assert not too_long


def test_imports_end_with_a_semicolon_and_name_an_existing_module():
    # collectstatic rewrites `import ... from "./x.js";` to the hashed name only with its ";".
    for path in module_files():
        for match in RELATIVE_IMPORT.finditer(path.read_text()):
            assert match.group(2), f"{path.name}: {match.group(0)!r} lacks its ';'"
            assert (path.parent / match.group(1)).resolve().is_file(), f"{path.name}: {match.group(1)}"


def test_modules_do_not_import_each_other_in_a_cycle():
    # With a cycle, hashed names could never settle (each one changes the other's content).
    graph = {path.name: [Path(url).name for url in imports_of(path.read_text())] for path in module_files()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        assert name not in trail, "import cycle: " + " -> ".join([*trail, name])
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, [*trail, name])
        done.add(name)

    for name in graph:
        visit(name, [])
    assert "main.js" in done


def test_main_reaches_every_module():
    reached, todo = set(), ["main.js"]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(Path(url).name for url in imports_of((MODULES / name).read_text()))

    assert reached == {path.name for path in module_files()}


@pytest.mark.django_db
def test_the_service_worker_caches_every_module(client):
    body = client.get("/pos/sw.js").content.decode()
    shell = json.loads(re.search(r"const SHELL_URLS = (\[.*?\]);", body).group(1))

    missing = [path.name for path in module_files() if f"/static/pos/js/{path.name}" not in shell]

    assert not missing


def test_hashed_modules_import_each_other_by_their_hashed_names(tmp_path):
    production = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.ManifestStaticFilesStorage"},
    }
    # Only the project's own static/ (the apps' admin files take a minute to compress).
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES=production,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    main = tmp_path / manifest["pos/js/main.js"]
    assert re.fullmatch(r"main\.[0-9a-f]{12}\.js", main.name)
    seen, todo = set(), [main]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for url in imports_of(path.read_text()):
            target = (path.parent / url).resolve()
            assert re.fullmatch(r"[a-z0-9_]+\.[0-9a-f]{12}\.js", target.name), f"{path.name} imports {url}"
            assert target.is_file(), f"{path.name} imports {url}, which collectstatic did not write"
            todo.append(target)
    hashed_modules = {f"pos/js/{path.name}" for path in module_files()}
    assert {path.relative_to(tmp_path).as_posix() for path in seen} == {manifest[m] for m in hashed_modules}
