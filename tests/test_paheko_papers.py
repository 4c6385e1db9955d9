"""The treasurer's and the partners' papers (issue 28): Paheko's projects as Paheko accepts
them, a month exported at each awkward moment and balanced after every export, distinct
file names, and the papers read back."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Envelope
from kiosk.services.paheko_accounts import code_from_name, project_codes

PAHEKO_CODE = re.compile(r"^[A-Z0-9_]+$")


# -- 1. project codes Paheko accepts ---------------------------------------------------------

def test_default_project_codes_are_codes_paheko_accepts(demo):
    codes = project_codes(db.session)
    assert sorted(codes.values()) == ["LOISIRS", "SOLIDARITE"]
    assert all(PAHEKO_CODE.match(code) for code in codes.values())
    for name, code in (("Solidarité", "SOLIDARITE"), ("Sorties & loisirs", "SORTIES_LOISIRS"),
                       ("  Fête de l'été 2027 ", "FETE_DE_L_ETE_2027"), ("Œuvres", "OEUVRES")):
        got = code_from_name(name)
        assert PAHEKO_CODE.match(got) and got == code, (name, got)


def test_a_setting_paheko_would_refuse_is_refused_and_changes_nothing(client, demo):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    for bad in ("Solidarité 2026", "SOLI-DARITE", "solidarite 2", "X" * 65):
        answer = client.post("/exports/projects", data={
            "csrf_token": token, "project-solidarite": bad, "project-loisirs": "SORTIES"},
            follow_redirects=True)
        page = answer.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
        assert "lettres sans accent, des chiffres et « _ »" in page, bad
        db.session.rollback()
        assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE"]
    # what is typed is upper-cased, as Paheko does
    client.post("/exports/projects", data={"csrf_token": token,
                                           "project-solidarite": " solidarite_2026 "})
    db.session.rollback()
    assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE_2026"]
    # empty: back to the default made from the name
    client.post("/exports/projects", data={"csrf_token": token, "project-solidarite": ""})
    db.session.rollback()
    assert sorted(project_codes(db.session).values()) == ["LOISIRS", "SOLIDARITE"]


def test_the_exports_page_tells_what_paheko_accepts(client, demo):
    from tests.conftest import web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get("/exports").get_data(as_text=True).replace("&#39;", "'")
    assert "majuscules comprises" not in page  # the instruction that could not be followed
    assert "lettres sans accent, des chiffres et « _ »" in page
    assert 'value="SOLIDARITE"' in page and 'value="LOISIRS"' in page
    assert "par défaut SOLIDARITE" in page
    assert "« Usagers » dans le plan comptable de Paheko" in page  # 411, the 2025 chart


def test_the_migration_makes_the_stored_codes_paheko_s(tmp_path):
    """Its own SQLite file: an installation of before, a code set as Paheko refused it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from kiosk import create_app, paths

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
                      "SECRET_KEY": "t"}, str(tmp_path / "instance"))
    with app.app_context():
        upgrade(directory=str(paths.MIGRATIONS_DIR), revision="r18a00000001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO envelopes (code, name, active, project_code) VALUES "
                "('solidarite', 'Solidarité', 1, 'solidarite'), "
                "('loisirs', 'Loisirs', 1, NULL), "
                "('fete', 'Fête', 1, 'Fête de l''été 2026'), "
                "('atelier', 'Atelier', 1, 'ATELIER_2')"))
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        stored = dict(db.session.execute(select(Envelope.code, Envelope.project_code)).all())
        assert stored == {"solidarite": "SOLIDARITE", "loisirs": None,
                          "fete": "FETE_DE_L_ETE_2026", "atelier": "ATELIER_2"}
        assert project_codes(db.session) == {1: "SOLIDARITE", 2: "LOISIRS",
                                             3: "FETE_DE_L_ETE_2026", 4: "ATELIER_2"}
        db.session.remove()
        downgrade(directory=str(paths.MIGRATIONS_DIR), revision="r18a00000001")
        upgrade(directory=str(paths.MIGRATIONS_DIR))
        db.engine.dispose()
