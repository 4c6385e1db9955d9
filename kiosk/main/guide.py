"""The illustrated guide at /aide, in the FALC spirit: short sentences, one idea a line, a
picture beside each step. The pictures are screenshots that tests/browser/test_guide.py
takes of the real screens at every run, so the guide cannot drift from the kiosk."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Step:
    picture: str  # static/aide/PICTURE.jpg
    text: str


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    steps: tuple[Step, ...]


GUIDE: tuple[Chapter, ...] = (
    Chapter("vendre", _l("Vendre"), (
        Step("vendre-1", _l("Touchez votre nom, puis tapez votre code.")),
        Step("vendre-2", _l("Pas de caisse ouverte ? Touchez « Ouvrir la caisse ». "
                            "Comptez le fond de caisse, pièce par pièce.")),
        Step("vendre-3", _l("Touchez chaque article que la personne prend. "
                            "Il va dans le panier, à droite.")),
        Step("vendre-4", _l("Touchez « Encaisser ». Puis touchez ce que la personne donne : "
                            "espèces, chèque ou carte.")),
        Step("vendre-5", _l("La monnaie à rendre s'affiche en grand. Rendez-la. "
                            "La personne suivante ? Touchez son premier article.")),
    )),
    Chapter("corriger", _l("Corriger une erreur"), (
        Step("corriger-1", _l("Un article en trop dans le panier ? "
                              "Touchez « − » à côté de lui.")),
        Step("corriger-2", _l("La vente est déjà enregistrée ? "
                              "Touchez « Annuler la dernière vente », puis la raison.")),
        Step("corriger-3", _l("Une vente plus ancienne ? La trésorière la retrouve "
                              "dans « Caisses » et la rembourse.")),
    )),
    Chapter("fermer", _l("Fermer la journée"), (
        Step("fermer-1", _l("La trésorière touche « Caisses », puis « Fermer la caisse ».")),
        Step("fermer-2", _l("Comptez les billets et les pièces : une ligne par valeur. "
                            "Écrivez les chèques et le total de la carte.")),
        Step("fermer-3", _l("Le kiosque dit s'il manque de l'argent, ou s'il y en a trop. "
                            "Puis il imprime le ticket Z et le bordereau.")),
    )),
    Chapter("etiquettes", _l("Imprimer des étiquettes"), (
        Step("etiquettes-1", _l("Touchez « Stock », puis « J'ai cousu… ».")),
        Step("etiquettes-2", _l("Choisissez l'article et le nombre de pièces. "
                                "Le kiosque propose d'imprimer leurs étiquettes.")),
    )),
)


def pictures() -> list[str]:
    return [step.picture for chapter in GUIDE for step in chapter.steps]
