"""The box at the stall, kept without a technician: `install-service` (a systemd unit that
starts the kiosk at boot and restarts it) and `update FILE.whl` (a new version from a USB
stick: a backup, the install, the migrations, the restart)."""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app

from kiosk.extensions import db
from kiosk.services.backup import backup_database

SERVICE = "fees-kiosk.service"
UNIT_PATH = Path("/etc/systemd/system") / SERVICE
ENV_PATH = Path("/etc/fees-kiosk.env")
# Settings the box needs whatever the admin typed: the kiosk's data where it is now, and
# listening on the stall's Wi-Fi (so HTTPS, KIOSK_TLS=auto).
BOX_DEFAULTS = {"KIOSK_HOST": "0.0.0.0", "KIOSK_PORT": "5000"}


# --- install-service --------------------------------------------------------------------

def service_user(given: str | None, instance: Path) -> pwd.struct_passwd:
    """The unprivileged user the kiosk runs as: --user, else whoever ran sudo, else the
    owner of the instance folder. Never root."""
    for name in (given, os.environ.get("SUDO_USER")):
        if name:
            try:
                user = pwd.getpwnam(name)
            except KeyError:
                raise click.ClickException(f"L'utilisateur {name} n'existe pas.") from None
            break
    else:
        user = pwd.getpwuid(instance.stat().st_uid)
    if user.pw_uid == 0:
        raise click.ClickException(
            "La caisse ne tourne pas en root : choisissez son utilisateur avec --user NOM "
            "(par exemple celui qui a cloné la caisse).")
    return user


def environment(app) -> dict[str, str]:
    """The service's settings: every KIOSK_* of this shell (the admin's choices), the
    box's defaults for the rest, and the instance folder pinned."""
    settings = dict(BOX_DEFAULTS)
    settings.update({k: v for k, v in os.environ.items()
                     if k.startswith("KIOSK_") and not k.startswith("KIOSK_TEST_")})
    settings["KIOSK_INSTANCE"] = str(Path(app.instance_path).resolve())
    return dict(sorted(settings.items()))


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$") + '"'


def environment_file(settings: dict[str, str]) -> str:
    lines = ["# Settings of the Fées déclic kiosk (README, Configuration); then:",
             f"#   sudo systemctl restart {SERVICE}"]
    lines += [f"{key}={_quoted(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def service_unit(user: pwd.struct_passwd, workdir: Path, python: str,
                 clock_set: str) -> str:
    """The systemd unit: at boot, restarted when it dies, as `user`, settings in ENV_PATH;
    CAP_SYS_TIME only when the admin chose KIOSK_CLOCK_SET=system. `workdir` is the
    instance folder, never the clone: `python -m` imports from its working directory
    first, and the clone's code would shadow a version installed by `update`."""
    group = _group_name(user.pw_gid)
    lines = [
        "[Unit]",
        "Description=Caisse Fées déclic (caisse et stock)",
        "Documentation=file://" + str(_project_dir() / "README.md"),
        # the stall's Wi-Fi first (mDNS, the tablet), and PostgreSQL when it is the database
        "Wants=network-online.target",
        "After=network-online.target time-sync.target postgresql.service",
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=simple",
        f"User={user.pw_name}",
        f"Group={group}",
        *_printer_groups(),
        f"WorkingDirectory={workdir}",
        f"EnvironmentFile={ENV_PATH}",
        "Environment=PYTHONUNBUFFERED=1",
        f"ExecStart={python} -m kiosk.serve",
        "Restart=always",
        "RestartSec=3",
        "TimeoutStopSec=20",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "ProtectSystem=full",
    ]
    if clock_set == "system":
        # The admin chose that the kiosk may set the system clock (Réglages → Heure).
        lines += ["AmbientCapabilities=CAP_SYS_TIME", "CapabilityBoundingSet=CAP_SYS_TIME"]
    else:
        lines += ["CapabilityBoundingSet="]
    lines += ["", "[Install]", "WantedBy=multi-user.target", ""]
    return "\n".join(lines)


def _printer_groups() -> list[str]:
    """The kernel's USB printers (/dev/usb/lp*) belong to the group lp: the kiosk writes
    to a printer found by itself without anyone adding its user to the group."""
    import grp

    try:
        grp.getgrnam("lp")
    except KeyError:
        return []
    return ["SupplementaryGroups=lp"]


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _project_dir() -> Path:
    """Where the kiosk runs from: the clone (an editable install), else the instance's
    parent (a wheel)."""

    clone = Path(__file__).resolve().parent.parent  # kiosk/box.py: the clone above kiosk/
    if (clone / "pyproject.toml").exists():
        return clone
    return Path(current_app.instance_path).resolve().parent


@click.command("install-service")
@click.option("--print", "only_print", is_flag=True,
              help="Print the unit and its settings; change nothing.")
@click.option("--user", "user_name", default=None,
              help="The unprivileged user the kiosk runs as (default: who ran sudo).")
def install_service(only_print: bool, user_name: str | None) -> None:
    """A systemd unit that starts the kiosk at boot and restarts it when it dies."""
    app = current_app._get_current_object()
    instance = Path(app.instance_path).resolve()
    user = service_user(user_name, instance)
    settings = environment(app)
    unit = service_unit(user, instance, sys.executable, app.config["CLOCK_SET"])
    if only_print:
        click.echo(f"# {UNIT_PATH}")
        click.echo(unit, nl=False)
        click.echo(f"\n# {ENV_PATH} (EnvironmentFile, 0600):")
        click.echo("".join(f"# {line}\n" for line in environment_file(settings).splitlines()),
                   nl=False)
        return
    if os.geteuid() != 0:
        raise click.ClickException(
            "Il faut être administrateur de l'ordinateur : relancez avec sudo, par exemple "
            "sudo .venv/bin/flask --app kiosk install-service")
    if shutil.which("systemctl") is None or not Path("/run/systemd/system").is_dir():
        raise click.ClickException(
            "Cet ordinateur ne démarre pas avec systemd : installez le service à la main, ou "
            "lancez la caisse avec make run.")
    _write(ENV_PATH, environment_file(settings), 0o600)
    _write(UNIT_PATH, unit, 0o644)
    # The kiosk's data belongs to its user (a first start under sudo made files as root).
    for folder, _dirs, files in os.walk(instance):
        for path in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(path, user.pw_uid, user.pw_gid)
    for command in (["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", SERVICE]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise click.ClickException(f"{' '.join(command)} : {done.stderr.strip()}")
    click.echo(f"Service installé ({UNIT_PATH}, réglages dans {ENV_PATH}) : la caisse démarre "
               f"avec l'ordinateur, en tant que {user.pw_name}, et redémarre si elle s'arrête. "
               f"État : systemctl status {SERVICE}")


def _write(path: Path, text: str, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def service_installed() -> bool:
    return UNIT_PATH.exists()


# --- update FILE.whl -----------------------------------------------------------------------

DIST = "fees-declic-kiosk"


@dataclass(frozen=True)
class UpdatePlan:
    """What `update` would do: from which version to which, or why it refuses."""

    wheel: Path
    before: str
    after: str
    refused: str | None  # a sentence for the admin; None: go ahead

    @property
    def same(self) -> bool:
        from packaging.version import Version  # `update` alone reads versions

        return Version(self.before) == Version(self.after)


def installed_version() -> str:
    from importlib.metadata import version

    return version(DIST)


def plan_update(wheel: Path, before: str | None = None) -> UpdatePlan:
    """Reads the wheel's name and version from its file name (PEP 427) and compares."""
    # Imported here: every start registers this command, and only `update` runs it (issue 29).
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
    from packaging.version import Version

    before = before or installed_version()
    try:
        name, after, _build, _tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename:
        return UpdatePlan(wheel, before, "?", f"{wheel.name} n'est pas un fichier .whl de "
                                               f"la caisse.")
    if canonicalize_name(name) != canonicalize_name(DIST):
        return UpdatePlan(wheel, before, str(after),
                          f"{wheel.name} n'est pas la caisse ({name}) : rien n'a changé.")
    if not wheel.is_file():
        return UpdatePlan(wheel, before, str(after), f"{wheel} est introuvable.")
    if after < Version(before):
        return UpdatePlan(wheel, before, str(after),
                          f"Refusé : {wheel.name} est la version {after}, plus ancienne que "
                          f"celle installée ({before}). Revenir en arrière se fait avec la "
                          f"copie de sauvegarde (restore), pas avec update.")
    return UpdatePlan(wheel, before, str(after), None)


def _backup_path(instance: Path, before: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    folder = instance / "backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"avant-mise-a-jour-{before}-{stamp}.sqlite3"


@click.command("update")
@click.argument("wheel", type=click.Path(dir_okay=False, path_type=Path))
def update(wheel: Path) -> None:
    """A new version from a .whl file (a USB stick): a backup, the install, the
    migrations, the restart; a downgrade is refused."""

    app = current_app._get_current_object()
    plan = plan_update(wheel.resolve())
    if plan.refused:
        click.echo(plan.refused, err=True)
        sys.exit(1)
    if plan.same:
        click.echo(f"La version {plan.after} est déjà installée : rien à faire.")
        return
    instance = Path(app.instance_path).resolve()
    copy = _backup_path(instance, plan.before)
    if db.engine.dialect.name == "postgresql":
        copy = copy.with_suffix(".pgdump")
    try:
        backup_database(db.engine, str(copy))
    except (ValueError, OSError, subprocess.CalledProcessError) as exc:
        click.echo(f"Refusé : la copie de sauvegarde n'a pas pu être faite ({exc}) ; rien "
                   f"n'a changé.", err=True)
        sys.exit(1)
    db.engine.dispose()
    click.echo(f"Copie de sauvegarde : {copy}")
    service = service_installed() and shutil.which("systemctl") is not None
    if service:  # no sale while the code and the schema change under it
        _systemctl("stop")
    try:
        _install_and_migrate(plan, instance, copy)
    finally:
        if service and not _systemctl("start"):
            click.echo(f"Le service n'a pas redémarré : sudo systemctl start {SERVICE}, "
                       f"puis journalctl -u {SERVICE}", err=True)
            sys.exit(1)
    click.echo(f"Mise à jour faite : version {plan.before} → {plan.after} ; base à jour.")
    if service:
        click.echo(f"Service redémarré : la caisse tourne en version {plan.after}.")
    else:
        click.echo("Pas de service installé : arrêtez la caisse (Ctrl+C) et relancez-la "
                   "pour passer à la nouvelle version.")


def _systemctl(action: str) -> bool:
    return subprocess.run(["systemctl", action, SERVICE], capture_output=True).returncode == 0


def _install_and_migrate(plan: UpdatePlan, instance: Path, copy: Path) -> None:
    # No internet at the stall: what the wheel needs comes from its own folder (the USB
    # stick) or is installed already.
    pip = [sys.executable, "-m", "pip", "install", "--no-index", "--find-links",
           str(plan.wheel.parent), "--disable-pip-version-check", "--quiet", str(plan.wheel)]
    done = subprocess.run(pip, capture_output=True, text=True)
    if done.returncode != 0:
        click.echo(f"L'installation a échoué, la caisse reste en version {plan.before} :\n"
                   f"{done.stderr.strip()[-2000:]}", err=True)
        sys.exit(1)
    # The new code migrates the database (the same instance folder, pinned), run from the
    # instance folder: `--app kiosk` run in the clone would import the clone's code.
    env = {**os.environ, "KIOSK_INSTANCE": str(instance)}
    migrate = subprocess.run([sys.executable, "-m", "flask", "--app", "kiosk", "init-db"],
                             capture_output=True, text=True, env=env, cwd=instance)
    if migrate.returncode != 0:
        click.echo(f"La version {plan.after} est installée mais la base n'a pas pu être mise "
                   f"à jour :\n{migrate.stderr.strip()[-2000:]}\nRemettez la copie : "
                   f"flask --app kiosk restore --yes {copy}", err=True)
        sys.exit(1)


COMMANDS = (install_service, update)
