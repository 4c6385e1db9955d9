"""Draws the pictures of the tablet guide (static/img/guide/*.svg), once; they are vendored.

`python scripts/draw_tablet_guide.py`. Each picture is a tablet's screen as the step shows
it, in French (the stall's tablets are), with the thing to touch outlined in the kiosk's
colour and a fingertip on it. Plain SVG, no fonts of its own, a few hundred bytes each.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "guide"
PLUM, INK, GREY, LIGHT = "#7b1f5c", "#222", "#888", "#f4e6ef"
W, H = 320, 220


def _text(x, y, text, size=13, weight="normal", fill=INK, anchor="start"):
    return (f'<text x="{x}" y="{y}" font-family="sans-serif" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{escape(text)}</text>')


def _frame(title: str, body: list[str]) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img">',
        f'<rect x="2" y="2" width="{W - 4}" height="{H - 4}" rx="18" fill="{INK}"/>',
        f'<rect x="16" y="14" width="{W - 32}" height="{H - 28}" rx="4" fill="#fff"/>',
        f'<rect x="16" y="14" width="{W - 32}" height="30" rx="4" fill="#eee"/>',
        _text(28, 34, title, 14, "bold"),
        *body, "</svg>"]
    return "".join(parts)


def _finger(x, y):
    return (f'<circle cx="{x}" cy="{y}" r="11" fill="{PLUM}" fill-opacity="0.35"/>'
            f'<circle cx="{x}" cy="{y}" r="5" fill="{PLUM}"/>')


def _rows(rows: list[str], chosen: int, y0: int = 52, step: int = 30) -> list[str]:
    out = []
    for i, row in enumerate(rows):
        y = y0 + i * step
        if i == chosen:
            out.append(f'<rect x="22" y="{y}" width="{W - 44}" height="{step - 4}" rx="5" '
                       f'fill="{LIGHT}" stroke="{PLUM}" stroke-width="2.5"/>')
        out.append(_text(32, y + step / 2 + 1, row, 13, "bold" if i == chosen else "normal"))
        if i != chosen:
            out.append(f'<line x1="22" y1="{y + step - 2}" x2="{W - 22}" y2="{y + step - 2}" '
                       f'stroke="#ddd"/>')
    y = y0 + chosen * step + step / 2 - 2
    out.append(_finger(W - 50, y))
    return out


def _dialog(title: str, lines: list[str], buttons: list[str], chosen: int) -> list[str]:
    out = [f'<rect x="40" y="58" width="{W - 80}" height="134" rx="10" fill="#fff" '
           f'stroke="{GREY}"/>', _text(56, 82, title, 14, "bold")]
    for i, line in enumerate(lines):
        out.append(_text(56, 104 + i * 18, line, 12, fill="#444"))
    x = W - 56
    for i, label in reversed(list(enumerate(buttons))):
        width = 10 + 7.2 * len(label)
        x -= width
        if i == chosen:
            out.append(f'<rect x="{x}" y="160" width="{width}" height="24" rx="12" '
                       f'fill="{PLUM}"/>')
            out.append(_text(x + width / 2, 176, label, 12, "bold", "#fff", "middle"))
            out.append(_finger(x + width - 8, 186))
        else:
            out.append(_text(x + width / 2, 176, label, 12, "bold", PLUM, "middle"))
        x -= 10
    return out


def _address_bar(url: str, lock: bool) -> list[str]:
    out = [f'<rect x="28" y="54" width="{W - 56}" height="26" rx="13" fill="#eee"/>']
    if lock:
        out += [f'<rect x="40" y="63" width="11" height="9" rx="2" fill="{PLUM}"/>',
                f'<path d="M42 63v-3a3.5 3.5 0 0 1 7 0v3" stroke="{PLUM}" stroke-width="2" '
                f'fill="none"/>']
    out.append(_text(58, 72, url, 12))
    return out


def pictures() -> dict[str, str]:
    page = [f'<rect x="28" y="92" width="{W - 56}" height="18" rx="3" fill="{LIGHT}"/>',
            f'<rect x="28" y="118" width="{W - 120}" height="12" rx="3" fill="#eee"/>']
    return {
        "android-1": _frame("Chrome", [
            *_address_bar("192.168.1.10:5000/ca.pem", False), *page,
            f'<rect x="22" y="150" width="{W - 44}" height="40" rx="6" fill="{INK}"/>',
            _text(34, 175, "caisse-fees-declic.crt téléchargé", 12, fill="#fff"),
            _text(W - 34, 175, "OK", 12, "bold", "#f0b0d8", "end")]),
        "android-2": _frame("Paramètres › Sécurité", _rows([
            "Verrouillage de l'écran", "Plus de paramètres de sécurité",
            "Chiffrement et identifiants", "Épinglage d'application"], 2)),
        "android-3": _frame("Chiffrement et identifiants", _rows([
            "Identifiants de confiance", "Installer un certificat",
            "Certificat CA", "Certificat utilisateur"], 2)),
        "android-4": _frame("Certificat CA", _dialog("Votre confidentialité", [
            "Installez ce certificat seulement", "s'il vient de votre caisse."],
            ["Annuler", "Installer quand même"], 1)),
        "android-5": _frame("Chrome", [*_address_bar("192.168.1.10:5000/sell", True),
                                       *page, _text(W / 2, 170, "Un cadenas : c'est bon",
                                                    13, "bold", PLUM, "middle")]),
        "ipad-1": _frame("Safari", [*_address_bar("192.168.1.10:5000/ca.pem", False),
                                    *_dialog("Profil de configuration", [
                                        "Ce site web tente de télécharger", "un profil."],
                                        ["Ignorer", "Autoriser"], 1)]),
        "ipad-2": _frame("Réglages", _rows([
            "Wi-Fi", "Profil téléchargé", "Général", "Écran et luminosité"], 1)),
        "ipad-3": _frame("Profil › Caisse Fées déclic", _dialog("Installer le profil", [
            "Tapez le code de l'iPad, puis", "« Installer » encore une fois."],
            ["Annuler", "Installer"], 1)),
        "ipad-4": _frame("Général › Informations › Certificats", [
            _text(32, 70, "Confiance totale pour les certificats racine", 11, fill=GREY),
            f'<rect x="22" y="82" width="{W - 44}" height="34" rx="5" fill="{LIGHT}" '
            f'stroke="{PLUM}" stroke-width="2.5"/>',
            _text(32, 104, "Caisse Fées déclic", 13, "bold"),
            f'<rect x="{W - 84}" y="88" width="40" height="22" rx="11" fill="#34c759"/>',
            f'<circle cx="{W - 55}" cy="99" r="9" fill="#fff"/>', _finger(W - 55, 99)]),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, svg in pictures().items():
        (OUT / f"{name}.svg").write_text(svg + "\n", encoding="utf-8")
    print(f"{len(pictures())} pictures in {OUT}")


if __name__ == "__main__":
    main()
