"""The lock (convanim.lock.json): written by `convanim assets`, trusted by `--check`, overruled by `--strict`.

In-process through CliRunner, so rendering can be replaced by a function that fails: a check that
passes with it proves that nothing was rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from convanim import assets as assets_module
from convanim import lock
from convanim.cli import cli
from convanim.manifest import load

MANIFEST = """\
[tool.convanim]
out-dir = "out"

[tool.convanim.assets]
a = "-i 4 -k 2"
b = { input-size = 4, stride = 2, pad = 1, frame = 1, output = "b.png" }
c = "-i 3 -k 2 --transpose -s 2"
"""
OLD = 1_000_000_000  # ns: a timestamp no run could give


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="convanim")


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = MANIFEST) -> Path:
    """A scratch project holding ``text`` as its pyproject.toml, its assets made; cwd is there."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("assets", "-j", "1")
    assert result.exit_code == 0, result.stderr
    return tmp_path


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder under ``root`` (.git aside), with bytes and modification time."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if ".git" not in p.parts
    }


def age(root: Path) -> None:
    """Give every file an old timestamp, so a rewrite shows."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))


class Renders:
    """A stand-in for render_asset that counts its calls and fails the test's way when asked."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail
        self.real = assets_module.render_asset

    def __call__(self, options: Any, suffix: str) -> bytes:
        self.calls.append(suffix)
        if self.fail:
            raise AssertionError("rendered, but the lock should have answered")
        return self.real(options, suffix)


def no_rendering(monkeypatch: pytest.MonkeyPatch, fail: bool = True) -> Renders:
    renders = Renders(fail)
    monkeypatch.setattr(assets_module, "render_asset", renders)
    return renders


def check(*extra: str) -> Result:
    return run("assets", "--check", "-j", "1", *extra)


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


# -- writing -------------------------------------------------------------------------------------------


def test_the_lock_names_each_file_its_spec_and_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    path = root / "convanim.lock.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2) + "\n"  # stable formatting, one trailing newline
    assert data["format"] == "convanim-lock" and data["version"] == 1
    assert data["convanim"] == lock.fingerprint()
    assert sorted(data["assets"]) == ["a", "b", "c"]
    for name, output in (("a", "out/a.gif"), ("b", "out/b.png"), ("c", "out/c.gif")):
        entry = data["assets"][name]
        assert entry["output"] == output
        assert entry["sha256"] == hashlib.sha256((root / output).read_bytes()).hexdigest()
        assert len(entry["spec"]) == 64
    assert len({entry["spec"] for entry in data["assets"].values()}) == 3
    assert str(tmp_path) not in text and "\\" not in text  # no absolute paths, forward slashes


def test_a_second_run_leaves_the_lock_and_files_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    age(root)
    before = tree(root)
    result = run("assets", "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "3 assets in out: 0 written, 3 current\n"
    assert tree(root) == before  # the lock's timestamp too


def test_the_lock_changes_only_where_an_asset_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    old = json.loads((root / "convanim.lock.json").read_text())
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('a = "-i 4 -k 2"', 'a = "-i 4 -k 2 --theme dark"'))
    result = run("assets", "-j", "1")
    assert result.exit_code == 0, result.stderr
    size = (root / "out" / "a.gif").stat().st_size
    assert result.stderr.splitlines()[:2] == [f"wrote out/a.gif ({size:,} bytes)", "wrote convanim.lock.json"]
    new = json.loads((root / "convanim.lock.json").read_text())
    assert new["assets"]["b"] == old["assets"]["b"] and new["assets"]["c"] == old["assets"]["c"]
    assert new["assets"]["a"]["spec"] != old["assets"]["a"]["spec"]
    assert new["assets"]["a"]["sha256"] != old["assets"]["a"]["sha256"]


def test_render_writes_no_lock_and_the_lock_is_no_leftover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.convanim]\nout-dir = "."\nassets.a = "-i 3 -k 2"\n')
    monkeypatch.chdir(tmp_path)
    assert run("render", "-i", "3", "-k", "2", "-o", "x.gif").exit_code == 0
    assert not (tmp_path / "convanim.lock.json").exists()
    result = run("assets")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "convanim.lock.json").is_file()
    assert "note:" not in result.stderr
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "convanim.toml").write_text('out-dir = "."\n[assets]\nd = "-i 3 -k 2"\n')
    result = run("assets", "--config", "docs/convanim.toml")
    assert result.exit_code == 0, result.stderr
    assert "wrote docs/convanim.lock.json" in result.stderr
    assert "note:" not in result.stderr


def test_a_bad_manifest_writes_no_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    age(root)
    before = tree(root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'd = "--stride 0"\n')
    before["pyproject.toml"] = (pyproject.read_bytes(), pyproject.stat().st_mtime_ns)
    for args in (["assets"], ["assets", "--check"], ["assets", "--check", "--strict"]):
        result = run(*args)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("Error: pyproject.toml: assets.d: --stride 0 is out of range")
        assert tree(root) == before


# -- checking --------------------------------------------------------------------------------------------


def test_check_renders_nothing_when_the_lock_vouches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    renders = no_rendering(monkeypatch)
    result = check()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "all 3 assets in out are current (pyproject.toml)\n"
    assert renders.calls == []
    (root / "convanim.lock.json").unlink()  # the same check must render now, so the stand-in is live
    result = check()
    assert isinstance(result.exception, AssertionError)
    assert renders.calls == [".gif"]


def test_a_changed_byte_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    flip_a_byte(root / "out" / "c.gif")
    age(root)
    before = tree(root)
    renders = no_rendering(monkeypatch, fail=False)
    result = check()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("out/c.gif: bytes differ (")
    assert lines[1] == "1 of 3 assets is stale or missing: run 'convanim assets'"
    assert renders.calls == [".gif"]  # only the file whose bytes are not the lock's is rendered
    assert tree(root) == before


def test_a_changed_spec_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('c = "-i 3 -k 2 --transpose -s 2"', 'c = "-i 3 --transpose"'))
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("out/c.gif: ")
    assert result.stderr.splitlines()[1:] == ["1 of 3 assets is stale or missing: run 'convanim assets'"]


def test_a_spec_change_that_changes_no_byte_still_needs_the_lock_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--max-frames refuses long renders and draws nothing: the file is current, the lock is not."""
    root = project(tmp_path, monkeypatch)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('a = "-i 4 -k 2"', 'a = "-i 4 -k 2 --max-frames 500"'))
    age(root)
    before = tree(root)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "out/a.gif: the lock is out of date: run convanim assets",
        "the lock convanim.lock.json is out of date: run 'convanim assets'",
    ]
    assert tree(root) == before
    result = run("assets", "-j", "1")
    assert result.stderr.splitlines() == ["wrote convanim.lock.json", "3 assets in out: 0 written, 3 current"]
    assert tree(root)["out/a.gif"] == before["out/a.gif"]
    assert check().exit_code == 0


def test_jobs_is_not_part_of_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('a = "-i 4 -k 2"', 'a = "-i 4 -k 2 --jobs 2"'))
    no_rendering(monkeypatch)
    assert check().exit_code == 0


def test_a_missing_lock_falls_back_to_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    (root / "convanim.lock.json").unlink()
    flip_a_byte(root / "out" / "a.gif")
    age(root)
    before = tree(root)
    renders = no_rendering(monkeypatch, fail=False)
    result = check()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "convanim.lock.json: missing: run convanim assets to write it (and commit it with the assets)"
    assert lines[1].startswith("out/a.gif: bytes differ")
    assert lines[2:] == [
        "1 of 3 assets is stale or missing and the lock convanim.lock.json is missing: run 'convanim assets'"
    ]
    assert sorted(renders.calls) == [".gif", ".gif", ".png"]  # every asset, compared as without a lock
    assert tree(root) == before
    assert run("assets", "-j", "1").exit_code == 0
    assert check().exit_code == 0


def test_a_changed_data_file_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "x.npy", np.arange(16).reshape(4, 4))
    root = project(tmp_path, monkeypatch, '[tool.convanim]\nout-dir = "out"\nassets.x = "--values data/x.npy"\n')
    no_rendering(monkeypatch)
    assert check().exit_code == 0
    np.save(tmp_path / "data" / "x.npy", np.arange(16).reshape(4, 4)[::-1])
    monkeypatch.undo()
    monkeypatch.chdir(root)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("out/x.gif: bytes differ")


def test_the_same_data_in_a_copy_elsewhere_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock names data files relative to itself: a clone in another folder checks without rendering."""
    first = tmp_path / "first"
    first.mkdir()
    (first / "data").mkdir()
    np.save(first / "data" / "x.npy", np.arange(16).reshape(4, 4))
    project(first, monkeypatch, '[tool.convanim]\nout-dir = "out"\nassets.x = { values = "data/x.npy" }\n')
    shutil.copytree(first, tmp_path / "second")
    monkeypatch.chdir(tmp_path / "second")
    no_rendering(monkeypatch)
    assert check().exit_code == 0
    np.save(tmp_path / "second" / "data" / "x.npy", np.ones((4, 4), dtype=int))
    result = check()
    assert isinstance(result.exception, AssertionError)  # a changed data file: the lock cannot vouch


def test_an_html_asset_reading_data_is_the_same_in_any_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The player's command names the data file as the manifest does, not where this clone is."""
    first = tmp_path / "first"
    (first / "data").mkdir(parents=True)
    np.save(first / "data" / "x.npy", np.arange(16).reshape(4, 4))
    text = '[tool.convanim]\nout-dir = "out"\nassets.x = { values = "data/x.npy", output = "x.html" }\n'
    project(first, monkeypatch, text)
    html = (first / "out" / "x.html").read_text(encoding="utf-8")
    assert "--values data/x.npy" in html
    assert str(tmp_path) not in html
    second = tmp_path / "elsewhere" / "second"
    second.parent.mkdir()
    shutil.copytree(first, second)
    (second / "out" / "x.html").unlink()
    monkeypatch.chdir(second)
    assert run("assets", "-j", "1").exit_code == 0
    assert (second / "out" / "x.html").read_bytes() == (first / "out" / "x.html").read_bytes()
    assert check().exit_code == 0 and run("assets", "--check", "--strict").exit_code == 0


def test_strict_renders_what_the_lock_vouches_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file edited by hand, and the lock edited to match: only a fresh render tells."""
    root = project(tmp_path, monkeypatch)
    gif = root / "out" / "a.gif"
    flip_a_byte(gif)
    path = root / "convanim.lock.json"
    data = json.loads(path.read_text())
    data["assets"]["a"]["sha256"] = hashlib.sha256(gif.read_bytes()).hexdigest()
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n")
    assert check().exit_code == 0  # the lock vouches for it
    age(root)
    before = tree(root)
    result = check("--strict")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("out/a.gif: bytes differ")
    assert lines[1:] == ["1 of 3 assets is stale or missing: run 'convanim assets'"]
    assert tree(root) == before
    assert check("--strict", "-j", "2").exit_code == 1


def test_strict_passes_when_all_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, monkeypatch)
    renders = no_rendering(monkeypatch, fail=False)
    result = check("--strict")
    assert result.exit_code == 0, result.stderr
    assert sorted(renders.calls) == [".gif", ".gif", ".png"]


def test_strict_goes_with_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    before = tree(root)
    result = run("assets", "--strict")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == "Error: --strict goes with --check: add --check, or drop --strict"
    assert tree(root) == before


def test_a_lock_from_other_code_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to convanim's own files marks every asset for rendering; the files are current, the lock not."""
    root = project(tmp_path, monkeypatch)
    monkeypatch.setattr(lock, "_fingerprint", {"version": lock.__version__, "source": "0" * 64})
    age(root)
    before = tree(root)
    renders = no_rendering(monkeypatch, fail=False)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "convanim.lock.json: the lock is out of date (convanim's code changed since it was written): "
        "run convanim assets",
        "the lock convanim.lock.json is out of date: run 'convanim assets'",
    ]
    assert len(renders.calls) == 3
    assert tree(root) == before
    result = run("assets", "-j", "1")
    assert result.stderr.splitlines() == ["wrote convanim.lock.json", "3 assets in out: 0 written, 3 current"]
    assert json.loads((root / "convanim.lock.json").read_text())["convanim"]["source"] == "0" * 64
    renders.fail = True
    assert check().exit_code == 0


def test_a_lock_entry_for_a_removed_asset_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('c = "-i 3 -k 2 --transpose -s 2"\n', ""))
    no_rendering(monkeypatch)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "convanim.lock.json: the lock is out of date (it lists assets.c, which the manifest does not declare): "
        "run convanim assets",
        "the lock convanim.lock.json is out of date: run 'convanim assets'",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "is not JSON (Expecting property name enclosed in double quotes at line 1)"),
        (b'{"format": "other"}', "is not a convanim-lock file"),
        (b'{"format": "convanim-lock", "version": 9}', "is version 9 of the format; this convanim reads 1"),
        (b"\xff\xfe", "cannot be read ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)"),
    ],
)
def test_a_broken_lock_is_named_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, reason: str
) -> None:
    root = project(tmp_path, monkeypatch)
    (root / "convanim.lock.json").write_bytes(content)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"convanim.lock.json: {reason}: run convanim assets to write it again",
        "the lock convanim.lock.json is out of date: run 'convanim assets'",
    ]
    assert (root / "convanim.lock.json").read_bytes() == content
    assert run("assets", "-j", "1").exit_code == 0
    assert check().exit_code == 0


def test_a_missing_file_is_named_without_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    (root / "out" / "b.png").unlink()
    (root / "out" / "c.gif").unlink()
    (root / "out" / "c.gif").mkdir()
    no_rendering(monkeypatch)
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "out/b.png: missing",
        "out/c.gif: is a folder, not a file: remove it",
        "2 of 3 assets are stale or missing: run 'convanim assets'",
    ]


def test_check_writes_nothing_in_any_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, monkeypatch)
    flip_a_byte(root / "out" / "a.gif")
    (root / "out" / "b.png").unlink()
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('c = "-i 3 -k 2 --transpose -s 2"', 'c = "-i 3 --transpose"'))
    age(root)
    before = tree(root)
    for args in ((), ("--strict",), ("-j", "2"), ("--out-dir", "out")):
        assert check(*args).exit_code == 1, args
        assert tree(root) == before, args
    (root / "convanim.lock.json").unlink()
    before = tree(root)
    assert check().exit_code == 1
    assert tree(root) == before


# -- the parts ----------------------------------------------------------------------------------------------


def test_the_source_digest_covers_code_and_shipped_data_only(tmp_path: Path) -> None:
    package = Path(lock.__file__).parent
    copy = tmp_path / "convanim"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = lock.source_digest(copy)
    assert digest == lock.source_digest(package) == lock.fingerprint()["source"]
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"compiled")
    (copy / ".cli.py.swp").write_bytes(b"an editor's")
    text = (copy / "cli.py").read_bytes()
    (copy / "cli.py").write_bytes(text.replace(b"\n", b"\r\n"))  # a Windows checkout
    assert lock.source_digest(copy) == digest
    for name, change in (("cli.py", b"# a comment\n"), ("write/player.js", b"\n"), ("fonts/DejaVuSans.ttf", b"\0")):
        path = copy / name
        original = path.read_bytes()
        path.write_bytes(original + change)
        assert lock.source_digest(copy) != digest, name
        path.write_bytes(original)
    assert lock.source_digest(copy) == digest


def test_the_spec_hash_follows_what_the_bytes_depend_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from convanim.plan.options import RenderOptions

    def spec(suffix: str = ".gif", **options: Any) -> str:
        return lock.spec_hash(RenderOptions.from_mapping(options), suffix, tmp_path)

    base = spec(stride=2)
    assert base == spec(stride=2) == spec(stride=(2, 2)) == spec(stride="2") == spec(stride=2, jobs=4)
    others = (spec(stride=3), spec(".webp", stride=2), spec(stride=2, theme="dark"), spec(stride=2, loop=1))
    assert len({base, *others}) == 5
    values = tmp_path / "x.npy"
    np.save(values, np.arange(9).reshape(3, 3))
    with_file = spec(values=str(values))
    np.save(values, np.ones((3, 3), dtype=int))
    assert spec(values=str(values)) != with_file
    monkeypatch.setattr(lock, "_fingerprint", {"version": "9.9.9", "source": "0" * 64})
    assert spec(stride=2) != base


def test_convanims_own_lock_covers_its_gallery() -> None:
    root = Path(__file__).resolve().parent.parent
    manifest = load(root / "pyproject.toml")
    data = json.loads((root / "convanim.lock.json").read_text(encoding="utf-8"))
    assert sorted(data["assets"]) == sorted(asset.name for asset in manifest.assets)
    for asset in manifest.assets:
        assert data["assets"][asset.name]["output"] == f"assets/{asset.output}"


def test_a_re_encoded_mp4_is_current_but_the_lock_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Other x264 settings: other bytes, the same video. The render says the file is current; the lock
    has the old bytes, so `convanim assets` keeps the file and rewrites the lock."""
    pytest.importorskip("av")
    from convanim.pipeline import from_options, render_file
    from convanim.plan.options import RenderOptions
    from convanim.write import mp4

    root = project(
        tmp_path, monkeypatch, '[tool.convanim]\nout-dir = "out"\nassets.v = { stride = 2, output = "v.mp4" }\n'
    )
    video = root / "out" / "v.mp4"
    monkeypatch.setattr(mp4, "PRESET", "veryfast")
    render_file(from_options(RenderOptions.from_mapping({"stride": 2})), str(video))
    monkeypatch.undo()
    monkeypatch.chdir(root)
    re_encoded = video.read_bytes()
    result = check()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "out/v.mp4: the lock is out of date: run convanim assets"
    result = run("assets", "-j", "1")
    assert result.stderr.splitlines() == ["wrote convanim.lock.json", "1 asset in out: 0 written, 1 current"]
    assert video.read_bytes() == re_encoded
    assert check().exit_code == 0
    assert check("--strict").exit_code == 0
