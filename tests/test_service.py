"""`flask --app kiosk install-service`: the systemd unit that starts the kiosk at boot and
restarts it when it dies, checked by systemd's own `systemd-analyze verify`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk import box
from tests.conftest import missing


def printed_unit(runner, *args: str) -> tuple[str, str]:
    """What `install-service --print` prints: the unit, then its settings (as comments)."""
    result = runner.invoke(args=["install-service", "--print", *args])
    assert result.exit_code == 0, result.output
    unit, _, settings = result.output.partition(f"\n# {box.ENV_PATH} ")
    return unit, settings


def _verify(unit: str, folder: Path) -> subprocess.CompletedProcess:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        missing("systemd-analyze not found (apt-get install systemd)")
    path = folder / box.SERVICE
    path.write_text(unit)
    return subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True,
                          timeout=120)


def test_the_printed_unit_is_one_systemd_accepts(app, runner, tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_CLOCK_SET", raising=False)
    monkeypatch.setenv("KIOSK_PRINTER", "usb://04b8:0202")  # a choice of the admin's
    unit, settings = printed_unit(runner, "--user", "daemon")
    checked = _verify(unit, tmp_path)
    # systemd-analyze ignores a line it cannot parse with exit status 0: any word about the
    # unit is a failure too.
    assert checked.returncode == 0 and box.SERVICE not in checked.stderr + checked.stdout, \
        checked.stderr
    lines = unit.splitlines()
    # From the instance folder: `python -m kiosk.serve` run in the clone would import the
    # clone's code before a version installed by `update`.
    assert f"WorkingDirectory={Path(app.instance_path).resolve()}" in unit.splitlines()
    for line in ("Restart=always", "User=daemon", "WantedBy=multi-user.target",
                 f"EnvironmentFile={box.ENV_PATH}", "NoNewPrivileges=yes",
                 "CapabilityBoundingSet="):
        assert line in lines, line
    assert not [line for line in lines if "CAP_SYS_TIME" in line]
    assert any(line.startswith("ExecStart=/") and line.endswith(" -m kiosk.serve")
               for line in lines)
    # The settings: the admin's, the box's defaults, the instance folder pinned.
    assert f'# KIOSK_INSTANCE="{Path(app.instance_path).resolve()}"' in settings
    assert '# KIOSK_HOST="0.0.0.0"' in settings
    assert '# KIOSK_PRINTER="usb://04b8:0202"' in settings
    assert "KIOSK_TEST_" not in settings


def test_cap_sys_time_only_when_the_kiosk_may_set_the_clock(runner, app, tmp_path):
    app.config["CLOCK_SET"] = "system"
    unit, _ = printed_unit(runner, "--user", "daemon")
    assert "AmbientCapabilities=CAP_SYS_TIME" in unit.splitlines()
    assert "CapabilityBoundingSet=CAP_SYS_TIME" in unit.splitlines()
    checked = _verify(unit, tmp_path)
    assert checked.returncode == 0 and box.SERVICE not in checked.stderr, checked.stderr
    app.config["CLOCK_SET"] = "offset"
    assert "CAP_SYS_TIME" not in printed_unit(runner, "--user", "daemon")[0]


def test_the_kiosk_never_runs_as_root(runner, monkeypatch):
    monkeypatch.delenv("SUDO_USER", raising=False)
    result = runner.invoke(args=["install-service", "--print", "--user", "root"])
    assert result.exit_code == 1 and "--user NOM" in result.output
    result = runner.invoke(args=["install-service", "--print", "--user", "personne-ici"])
    assert result.exit_code == 1 and "n'existe pas" in result.output


@pytest.mark.skipif(Path("/run/systemd/system").is_dir(),
                    reason="this machine runs systemd: the test would install the service")
def test_without_systemd_it_says_so_and_writes_nothing(runner):
    import os

    result = runner.invoke(args=["install-service", "--user", "daemon"])
    assert result.exit_code == 1
    if os.geteuid() == 0:
        assert "systemd" in result.output
    else:
        assert "sudo" in result.output
    assert not box.UNIT_PATH.exists() and not box.ENV_PATH.exists()
