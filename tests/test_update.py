"""`flask --app kiosk update FILE.whl`: a new version from a USB stick, for real: wheels of
the kiosk built from a copy of this clone (one with a bumped version), a throwaway virtual
environment holding the older one, and its own `flask … update` run there."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from kiosk import box

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("kiosk", "printer", "templates", "static", "pyproject.toml", "README.md")


# The throwaway environment runs the wheel's code: never this clone's through PYTHONPATH.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def build_wheels(tmp: Path, *versions: str) -> list[Path]:
    """The kiosk's wheels at `versions`, built (offline, with hatchling) from copies, side
    by side (most of a build is waiting for pip's own start)."""
    builds = []
    for version in versions:
        source = tmp / f"src-{version}"
        source.mkdir()
        for part in PARTS:
            if (ROOT / part).is_dir():
                shutil.copytree(ROOT / part, source / part,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(ROOT / part, source / part)
        project = source / "pyproject.toml"
        project.write_text(re.sub(r'(?m)^version = "[^"]+"', f'version = "{version}"',
                                  project.read_text()))
        builds.append(subprocess.Popen(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "--quiet", "-w", str(tmp / "stick"), str(source)]))
    for build in builds:
        assert build.wait(timeout=120) == 0
    return [next((tmp / "stick").glob(f"fees_declic_kiosk-{version}-*.whl"))
            for version in versions]


def test_the_plan_compares_versions_and_refuses_a_downgrade(tmp_path):
    wheel = tmp_path / "fees_declic_kiosk-0.2.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    assert box.plan_update(wheel, "0.1.0").refused is None
    assert box.plan_update(wheel, "0.2.0").same
    older = box.plan_update(wheel, "0.10.0")  # 0.10 is newer than 0.2: not a string compare
    assert older.refused and "plus ancienne" in older.refused
    other = tmp_path / "requests-2.0.0-py3-none-any.whl"
    other.write_bytes(b"")
    assert "n'est pas la caisse" in box.plan_update(other, "0.1.0").refused
    assert box.plan_update(tmp_path / "caisse.zip", "0.1.0").refused


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    """A virtual environment with the kiosk 0.1.0 installed from its wheel; the packages it
    needs are this environment's (a .pth), nothing is downloaded. pip is one of them: the
    environment is made without its own copy (ensurepip takes several seconds)."""
    tmp = tmp_path_factory.mktemp("update")
    old, new = build_wheels(tmp, "25.0.1", "25.0.2")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "kiosk-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    "--disable-pip-version-check", str(old)], check=True, timeout=120)
    instance = tmp / "instance"
    env = {k: v for k, v in CLEAN_ENV.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_INSTANCE=str(instance), KIOSK_PIN_HASH_COST="128")
    run = lambda *args: subprocess.run(  # noqa: E731
        [python, "-m", "flask", "--app", "kiosk", *args], capture_output=True, text=True,
        env=env, timeout=300, cwd=ROOT)  # as the admin runs it: in the clone
    assert run("init-db").returncode == 0
    return {"python": python, "run": run, "old": old, "new": new, "instance": instance}


def _version(python: Path) -> str:
    return subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('"
         "fees-declic-kiosk'))"], capture_output=True, text=True, check=True,
        cwd=python.parent, env=CLEAN_ENV).stdout.strip()


def test_update_backs_up_installs_migrates_and_says_what_changed(throwaway):
    started = time.monotonic()
    run, instance = throwaway["run"], throwaway["instance"]
    assert _version(throwaway["python"]) == "25.0.1"
    done = run("update", str(throwaway["new"]))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "version 25.0.1 → 25.0.2" in done.stdout
    assert _version(throwaway["python"]) == "25.0.2"
    # The backup came first, a whole database with the schema of before.
    copies = list((instance / "backups").glob("avant-mise-a-jour-25.0.1-*.sqlite3"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    assert "Pas de service installé" in done.stdout  # nothing to restart here
    # The code now running is the wheel's, from the environment, not this clone.
    where = subprocess.run([throwaway["python"], "-c", "import kiosk; print(kiosk.__file__)"],
                           capture_output=True, text=True, check=True,
                           cwd=instance.parent, env=CLEAN_ENV).stdout
    assert "site-packages" in where and str(ROOT) not in where
    # The database is the same one, migrated to the head.
    assert run("verify-journal").returncode == 0

    # Going back is refused, and nothing changes.
    back = run("update", str(throwaway["old"]))
    assert back.returncode == 1 and "plus ancienne" in back.stderr
    assert _version(throwaway["python"]) == "25.0.2"
    assert len(list((instance / "backups").glob("*.sqlite3"))) == 1
    again = run("update", str(throwaway["new"]))
    assert again.returncode == 0 and "déjà installée" in again.stdout
    assert time.monotonic() - started < 120
