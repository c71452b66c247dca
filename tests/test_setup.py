"""`make run` and `make test` provision the system packages they need (scripts/system-deps):
missing packages are installed with apt-get when the user may (root, or sudo without a
password), otherwise the command stops at once with one line saying what to install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

STUBS = {
    # Packages named in $INSTALLED are installed.
    "dpkg-query": 'for p in $INSTALLED; do [ "$p" = "${@: -1}" ] && '
    '{ echo -n "install ok installed"; exit 0; }; done; exit 1',
    "id": 'echo "${FAKE_UID:-1000}"',
    "sudo": '[ "${SUDO_OK:-0}" = 1 ] || exit 1; [ "$1" = -n ] && shift; '
    '[ "$1" = true ] && exit 0; echo "sudo $*" >> "$APT_LOG"; exec "$@"',
    "apt-get": 'echo "apt-get $*" >> "$APT_LOG"',
}


@pytest.fixture
def sandbox(tmp_path):
    """A copy of the script in a repository-shaped folder, with stub system commands."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "system-deps", tmp_path / "scripts" / "system-deps")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("django==5.2.19\n")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in STUBS.items():
        path = stubs / name
        path.write_text(f"#!/usr/bin/env bash\n{body}\n")
        path.chmod(0o755)
    log = tmp_path / "apt.log"

    def run(what="test", *, chromium=True, **env):
        environment = {
            "PATH": f"{stubs}:/usr/bin:/bin",
            "PYTHON": sys.executable,
            "CHROMIUM_PATH": sys.executable if chromium else str(tmp_path / "no-chromium"),
            "APT_LOG": str(log),
            "INSTALLED": "",
            **env,
        }
        result = subprocess.run(
            ["/bin/bash", str(tmp_path / "scripts" / "system-deps"), what],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        result.apt = log.read_text().splitlines() if log.exists() else []
        return result

    run.root = tmp_path
    return run


def test_nothing_missing_installs_nothing(sandbox):
    result = sandbox("test")
    assert result.returncode == 0, result.stderr
    assert result.apt == [] and result.stderr == ""


def test_root_installs_what_is_missing(sandbox):
    result = sandbox("test", chromium=False, FAKE_UID="0")
    assert result.returncode == 0, result.stderr
    assert result.apt[0] == "apt-get update -q"
    assert result.apt[1].startswith("apt-get install -y") and result.apt[1].endswith(" chromium")


def test_passwordless_sudo_installs_what_is_missing(sandbox):
    result = sandbox("test", chromium=False, SUDO_OK="1")
    assert result.returncode == 0, result.stderr
    assert "sudo apt-get update -q" in result.apt
    assert any(line.endswith(" chromium") for line in result.apt if "install" in line)


def test_without_rights_it_stops_with_one_line(sandbox):
    result = sandbox("test", chromium=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install chromium" in lines[0]
    assert result.apt == []


def test_run_does_not_need_a_browser(sandbox):
    result = sandbox("run", chromium=False)
    assert result.returncode == 0 and result.apt == []


def test_the_pdf_libraries_come_with_weasyprint(sandbox):
    (sandbox.root / "requirements" / "base.txt").write_text("weasyprint==70.0 \\\n")
    result = sandbox("run", INSTALLED="libpango-1.0-0")
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" in line
    assert "libpango-1.0-0 " not in line


def test_the_makefile_provisions_before_installing_and_testing():
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/system-deps python" in makefile
    assert "scripts/system-deps test" in makefile and "scripts/system-deps run" in makefile
    assert "--require-hashes -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
    assert os.access(ROOT / "scripts" / "system-deps", os.X_OK)


def test_a_test_run_that_collects_no_test_fails():
    """pytest's exit 5 (no test collected) never passes silently."""
    make = shutil.which("make")
    assert make, "make is needed"
    result = subprocess.run(
        [
            make,
            "-s",
            "test",
            "PYTEST_ARGS=tests/test_setup.py -k no_such_test_anywhere",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode != 0
    assert "no test was collected" in result.stderr, result.stderr[-2000:]


def test_ci_fails_when_lint_fails():
    script = (ROOT / ".ci" / "run").read_text()
    lint = [line for line in script.splitlines() if line.startswith("make lint")]
    assert lint and all("exit 1" in line for line in lint)
    assert "WARNING" not in script and "|| true" not in script.split("== make lint")[1]
