"""The treasurer's books in Paheko (issue 16): a month of the kiosk exported, read back as
Paheko's simplified import reads it, balances account by account and project by project
to the cent; nothing lost when a drawer is still open; nothing written when empty."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import ExportRecord


def records() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(ExportRecord))


def test_an_empty_period_writes_nothing_and_remembers_nothing(runner, demo, tmp_path):
    for fmt in ("paheko", "csv"):
        out = tmp_path / fmt
        result = runner.invoke(args=["export", "--from", "2026-02-01", "--to", "2026-02-28",
                                     "--format", fmt, str(out)])
        assert result.exit_code == 0, result.output
        assert "Rien à exporter" in result.output
        assert not out.exists()
    assert records() == 0


def test_the_page_says_there_is_nothing_to_export(client, demo):
    from tests.conftest import csrf_token, web_login

    web_login(client, "Tresoriere", "2345")
    token = csrf_token(client, "/exports")
    answer = client.post("/exports", data={"csrf_token": token, "date_from": "2026-02-01",
                                           "date_to": "2026-02-28", "format": "paheko"},
                         follow_redirects=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "Rien à exporter" in answer.get_data(as_text=True)
    assert records() == 0


def test_the_page_names_the_accounts_as_paheko_s_chart_does(client, demo):
    from tests.conftest import web_login

    web_login(client, "Tresoriere", "2345")
    page = client.get("/exports").get_data(as_text=True).replace("&#39;", "'")
    for ours, chart in (("Charges diverses (manque en caisse)", "Pénalités et autres charges"),
                        ("Produits divers (excédent de caisse)",
                         "Indemnités et autres produits")):
        assert ours in page and f"« {chart} » dans le plan comptable de Paheko" in page
