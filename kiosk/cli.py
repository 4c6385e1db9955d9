"""`flask --app kiosk COMMAND`: the commands of CONTRACT.md."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from kiosk.database import write_transaction
from kiosk.extensions import db


def register_cli(app: Flask) -> None:
    for command in (init_db, seed_demo, create_user_cmd, set_pin_cmd, set_role_cmd,
                    deactivate_cmd, reactivate_cmd, create_token, verify_journal, backup,
                    export, restore):
        app.cli.add_command(command)
    from kiosk.box import COMMANDS  # install-service, update: the box at the stall

    for command in COMMANDS:
        app.cli.add_command(command)


def upgrade_schema() -> None:
    from flask_migrate import upgrade

    from kiosk import paths

    upgrade(directory=str(paths.MIGRATIONS_DIR))


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (migrations)."""
    upgrade_schema()
    click.echo("Base de données à jour.")


@click.command("seed-demo")
@click.option("--sales", type=click.IntRange(min=0), default=0,
              help="Also write N past sales spread over past events.")
def seed_demo(sales: int) -> None:
    """Demo users, catalogue, stock and envelopes (and, with --sales, past sales)."""
    from kiosk.demo.seed import seed_demo as load

    with write_transaction(db.session):
        loaded = load(db.session)
    click.echo("Démo chargée." if loaded else "La démo était déjà là.")
    if sales:
        from kiosk.demo.bulk import seed_sales

        count = seed_sales(db.session, sales)
        click.echo(f"{count} ventes passées ajoutées.")


@click.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["seller", "treasurer", "admin"]))
@click.option("--pin", required=True)
def create_user_cmd(name: str, role: str, pin: str) -> None:
    """Add a volunteer."""
    from kiosk.services.auth import create_user

    try:
        with write_transaction(db.session):
            create_user(db.session, name, role, pin)
    except ValueError as exc:
        _refuse(exc, name)
    click.echo(f"{name} ajouté(e) ({role}).")


def _refuse(exc: ValueError, name: str) -> None:
    """A volunteer command's refusal in a sentence that says what to do; exit status 2."""
    reasons = {
        "pin": "le code secret doit avoir 4 à 6 chiffres",
        "name": "le nom doit avoir 1 à 120 caractères, sans caractère de contrôle",
        "exists": f"ce nom existe déjà. Pour lui donner un nouveau code : "
                  f"flask --app kiosk set-pin \"{name}\" --pin CODE ; pour changer son rôle : "
                  f"flask --app kiosk set-role \"{name}\" --role ROLE",
        "role": "rôle inconnu (seller, treasurer ou admin)",
        "unknown": f"personne ne s'appelle « {name} » (les noms sont sur la page Réglages)",
        "last_admin": f"{name} est la seule coordinatrice (admin) active : ajoutez-en une "
                      "autre d'abord, sinon personne ne pourrait plus gérer la caisse"}
    click.echo(f"Refusé : {reasons.get(str(exc), str(exc))}.", err=True)
    sys.exit(2)


def _change_user(name: str, change) -> None:
    """Apply `change(session, user)` to the volunteer named, in one transaction."""
    from kiosk.services.auth import find_user

    try:
        with write_transaction(db.session):
            change(db.session, find_user(db.session, name))
    except ValueError as exc:
        _refuse(exc, name)


@click.command("set-pin")
@click.argument("name")
@click.option("--pin", required=True)
def set_pin_cmd(name: str, pin: str) -> None:
    """Give a volunteer a new PIN (logs her out everywhere)."""
    from kiosk.services.auth import set_pin

    _change_user(name, lambda session, user: set_pin(session, user, pin))
    click.echo(f"{name} a un nouveau code secret ; ses connexions ouvertes sont fermées.")


@click.command("set-role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["seller", "treasurer", "admin"]))
def set_role_cmd(name: str, role: str) -> None:
    """Change a volunteer's role (logs her out everywhere)."""
    from kiosk.services.auth import set_role

    _change_user(name, lambda session, user: set_role(session, user, role))
    click.echo(f"{name} est maintenant {role} ; ses connexions ouvertes sont fermées.")


@click.command("deactivate")
@click.argument("name")
def deactivate_cmd(name: str) -> None:
    """Take a volunteer off the login list (her past sales keep her name)."""
    from kiosk.services.auth import set_active

    _change_user(name, lambda session, user: set_active(session, user, False))
    click.echo(f"{name} n'est plus dans la liste ; ses ventes passées gardent son nom.")


@click.command("reactivate")
@click.argument("name")
def reactivate_cmd(name: str) -> None:
    """Put a deactivated volunteer back on the login list, with the PIN she had."""
    from kiosk.services.auth import set_active

    _change_user(name, lambda session, user: set_active(session, user, True))
    click.echo(f"{name} est de nouveau dans la liste.")


@click.command("create-token")
@click.argument("name")
def create_token(name: str) -> None:
    """Print an API token for that volunteer."""
    from kiosk.models import User
    from kiosk.services.auth import issue_token

    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        click.echo(f"Refusé : personne ne s'appelle « {name} ».", err=True)
        sys.exit(2)
    with write_transaction(db.session):
        user = db.session.get(User, user.id)
        token = issue_token(db.session, user, int(current_app.config["TOKEN_DAYS"]), "cli")
    click.echo(token)


@click.command("verify-journal")
@click.option("--expect-head", metavar="ENTRIES:HASH", default=None,
              help="The head printed on a Z report or slip: the chain must still reach it.")
def verify_journal(expect_head: str | None) -> None:
    """Re-check the whole hash chain, its seals, the printed closings and the stock."""
    from kiosk.ledger.journal import head, parse_head, verify

    try:
        expected = parse_head(expect_head) if expect_head else None
    except ValueError as exc:
        click.echo(f"Refusé : --expect-head s'écrit {exc}.")
        sys.exit(2)
    progress = _terminal_progress(head(db.session)[0]) if sys.stderr.isatty() else None
    from kiosk.ledger.disk_map import DiskMap

    verdict = verify(db.session, expected, progress=progress, mapping=DiskMap)  # flat memory
    if progress is not None:
        click.echo("\r\033[K", nl=False, err=True)  # the progress line goes
    for problem in verdict.problems:
        click.echo(f"PROBLÈME : {problem}")
    if verdict.ok:
        click.echo(f"Journal intact : {verdict.entries} entrées, tête {verdict.head_hash}.")
        if verdict.unsealed:
            click.echo(f"({verdict.unsealed} entrées écrites avant les sceaux : leur chaîne "
                       "est vérifiée, leur sceau ne peut pas l'être.)")
        if expected:
            click.echo(f"La tête imprimée {expected[0]}:{expected[1][:16]}… est bien là.")
        return
    click.echo(f"Journal ABÎMÉ : {len(verdict.problems)} problème(s) sur "
               f"{verdict.entries} entrées.")
    sys.exit(1)


def _terminal_progress(entries: int):
    """Where verify-journal is at, on one line of the terminal (stderr, only a terminal's:
    a script reading the output gets the verdict alone)."""
    def show(stage: str, count: int) -> None:
        if stage == "entries":
            text = f"Vérification : {count:,} / {entries:,} entrées".replace(",", " ")
        else:
            text = f"Vérification : lignes gardées, {count:,} relues".replace(",", " ")
        click.echo(f"\r\033[K{text}", nl=False, err=True)

    show("entries", 0)
    return show


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """A consistent copy of the database while the app runs."""
    import subprocess

    from kiosk.services.backup import backup_database

    try:
        backup_database(db.engine, path)
    except (ValueError, OSError, subprocess.CalledProcessError) as exc:
        click.echo(f"Refusé : {exc}", err=True)
        sys.exit(2)
    click.echo(f"Copie écrite dans {path}.")


@click.command("export")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day (YYYY-MM-DD, Paris time).")
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day, included.")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "paheko", "xlsx"]))
@click.option("--again", is_flag=True,
              help="Export to Paheko again the period's entries already exported.")
@click.argument("directory", type=click.Path(file_okay=False))
def export(date_from, date_to, fmt: str, again: bool, directory: str) -> None:
    """Sales, payments, refunds, cash counts and envelope entries for the treasurer."""
    from kiosk.errors import ServiceError
    from kiosk.services.exports import export as run_export

    try:
        with write_transaction(db.session):
            result = run_export(db.session, date_from.date(), date_to.date(), fmt, directory,
                                again=again)
    except ServiceError as exc:
        click.echo(f"Refusé : {exc.message}", err=True)
        sys.exit(2)
    if result.nothing:
        click.echo(result.message)
    for path in result.files:
        click.echo(str(path))
    if result.carried:
        click.echo("Ajoutées car laissées ouvertes lors d'un export précédent : "
                   + ", ".join(result.carried) + ".")
    if result.left_out:
        from kiosk.services.exports import left_out_message

        click.echo(left_out_message(result.left_out))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True), required=False)
@click.option("--yes", is_flag=True, help="Really replace the database (stop the app first).")
@click.option("--force", is_flag=True,
              help="Restore even a copy older than the database, or from another one: what "
                   "was recorded since is lost and its sale numbers are given again.")
@click.option("--from-replica", "replica_folder", type=click.Path(file_okay=False),
              help="Rebuild the database from the live copy in this folder (KIOSK_REPLICA).")
def restore(path: str | None, yes: bool, force: bool, replica_folder: str | None) -> None:
    """Replace the database by a copy made with `backup` (docs/backup.md)."""
    if replica_folder is not None or path is None:
        from kiosk.services.replica_restore import restore_command

        if replica_folder is None:
            click.echo("Refusé : dites quelle copie (PATH ou --from-replica DOSSIER).", err=True)
            sys.exit(2)
        sys.exit(restore_command(current_app, replica_folder, yes=yes, force=force,
                                 echo=click.echo))
    from kiosk.services import replica
    from kiosk.services.backup import restore_database, restore_plan
    from kiosk.services.replica_restore import set_aside

    try:
        plan = restore_plan(db.session, db.engine, path)
    except (ValueError, OSError, subprocess.CalledProcessError) as exc:
        click.echo(f"Refusé : {exc}", err=True)
        sys.exit(1)
    for sentence in plan.warnings():
        click.echo(sentence)
    refusal = plan.refusal(force)
    if refusal is not None:
        click.echo(refusal, err=True)
        sys.exit(1)
    if not yes:
        click.echo("Refusé : la base actuelle serait remplacée. Arrêtez la caisse, puis "
                   "relancez avec --yes.", err=True)
        sys.exit(1)
    try:
        restore_database(db.engine, path)
    except (ValueError, OSError, sqlite3.Error, subprocess.CalledProcessError) as exc:
        click.echo(f"Refusé : {exc}", err=True)
        sys.exit(1)
    click.echo(f"Base restaurée depuis {path}.")
    database, stick = replica.database_path(current_app), replica.folder(current_app)
    if database is not None and stick is not None:
        # the live copy went on from the old database: a new one starts from this one
        set_aside(database, stick)
        click.echo(f"L'ancienne copie de {stick} est mise de côté ; "
                   "la copie en direct repart de la base restaurée.")
    if plan.lost_numbers:
        click.echo(f"Attention : les prochaines ventes reprendront au ticket n° "
                   f"{plan.lost_numbers[0]}, déjà donné avant la restauration.")
