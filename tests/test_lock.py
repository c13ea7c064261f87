"""Locked, verifiable dependencies: the lock covers every pin with hashes, the environment is
the lock, and the workflows run actions pinned by commit SHA (issue 16)."""

import importlib.metadata
import re

from packaging.utils import canonicalize_name
from sitebuild import REPO

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pins(text: str) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def lock_entries() -> list[str]:
    """The lock's entries, one string each: its 'name==version' line and its hash lines."""
    entries: list[list[str]] = []
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if re.match(r"[A-Za-z0-9]", line):
            entries.append([line])
        elif entries and line.lstrip().startswith("--hash="):
            entries[-1].append(line)
    return ["\n".join(entry) for entry in entries]


def test_every_pin_is_in_the_lock_at_its_version():
    """A pin added to requirements.txt without `make lock` fails here, naming it."""
    wanted = pins((REPO / "requirements.txt").read_text())
    locked = pins((REPO / "requirements.lock").read_text())
    assert wanted, "requirements.txt has no pins: the pattern is broken"
    stale = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
    assert not stale, f"requirements.lock is stale, run `make lock`: (pinned, locked) = {stale}"


def test_every_locked_package_is_exact_and_hashed():
    entries = [entry for entry in lock_entries() if "==" in entry.split("\n")[0]]
    assert len(entries) >= len(pins((REPO / "requirements.txt").read_text()))
    unhashed = [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry]
    assert not unhashed, f"entries without a hash: {unhashed}"
    loose = re.findall(r"^[A-Za-z0-9][^\n]*(?:>=|<=|~=|!=|>|<)[^\n]*$", (REPO / "requirements.lock").read_text(), re.M)
    assert not loose, f"entries not pinned with ==: {loose}"


def test_the_environment_is_the_lock():
    """`make install` installed exactly the locked versions (a package upgraded by hand, or a
    lock changed without `make install`, shows here)."""
    locked = pins((REPO / "requirements.lock").read_text())
    installed = {canonicalize_name(dist.metadata["Name"]): dist.version for dist in importlib.metadata.distributions()}
    differ = {name: (version, installed.get(name)) for name, version in locked.items() if installed.get(name) != version}
    assert not differ, f"(locked, installed) differ; run `make install`: {differ}"


def test_make_install_verifies_hashes_with_the_lock():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile[makefile.index("$(STAMP):"):makefile.index("@touch $@")]
    assert "requirements.lock" in makefile.split("$(STAMP):")[1].split("\n")[0] or "$(LOCK)" in recipe.split("\n")[0]
    installs = [line for line in recipe.split("\n") if " install " in line and "-e ." not in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
    assert "requirements.txt" not in recipe, "make install must install the lock, not the top-level pins"


def test_every_action_is_pinned_by_commit_sha():
    for workflow in sorted((REPO / ".github/workflows").glob("*.yml")):
        for line in workflow.read_text().splitlines():
            match = re.match(r"\s*(?:-\s*)?uses:\s*(\S+)", line)
            if match and not match.group(1).startswith("./"):
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", match.group(1)), (
                    f"{workflow.name}: {match.group(1)} is not pinned by a commit SHA")
