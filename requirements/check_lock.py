"""Fail loudly when pyproject.toml and a lock file disagree: ``python requirements/check_lock.py``.

Every dependency of pyproject.toml (and of its ``dev`` extra, for dev.txt) must be pinned in
the lock with a version inside its range; otherwise the install stops and says to run
``make lock``. Standard library and pip's own vendored ``packaging`` only: it runs before
anything is installed.
"""

import re
import sys
import tomllib
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)", re.MULTILINE)


def pins(lock: Path) -> dict[str, str]:
    """``{canonical name: version}`` of a compiled lock file."""
    return {canonicalize_name(name): version for name, version in PIN.findall(lock.read_text())}


def disagreements(requirements: list[str], lock: Path) -> list[str]:
    """One line per requirement that the lock misses or pins outside its range."""
    locked = pins(lock)
    found = []
    for line in requirements:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement} is not in {lock.name}")
        elif not requirement.specifier.contains(version, prereleases=True):
            found.append(f"{requirement} but {lock.name} pins {version}")
    return found


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = project["dependencies"]
    dev = base + project.get("optional-dependencies", {}).get("dev", [])
    found = disagreements(base, ROOT / "requirements/base.txt")
    found += disagreements(dev, ROOT / "requirements/dev.txt")
    if found:
        print("pyproject.toml and the lock files disagree:", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print("Run `make lock` and commit requirements/*.txt.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
