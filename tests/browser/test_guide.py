"""The guide's pictures are the real screens: this walk through a day takes them at every
run (static/aide/*.jpg), so the guide at /aide shows the kiosk as it is today. A picture
is written over only when its screen changed: not for the time of day a screen shows, so
that a test run leaves git's working tree as it found it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from kiosk.main.guide import pictures
from tests.browser.conftest import HOME, assert_accessible, login_by_touch

pytestmark = pytest.mark.browser

PICTURES = Path(__file__).resolve().parents[2] / "static" / "aide"
# Where the screen shows a date or a time of day ("06/12/2026 00:37"): each match's own
# box, from the text itself, in the viewport's pixels.
CLOCKS = """() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const found of node.data.matchAll(/\\d{2}\\/\\d{2}\\/\\d{4}|\\d{1,2}[:h]\\d{2}/g)) {
      const range = document.createRange();
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      for (const r of range.getClientRects()) {
        if (r.width && r.height) boxes.push([r.left, r.top, r.right, r.bottom]);
      }
    }
  }
  return boxes;
}"""


def snap(page, name: str, taken: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    shot = page.screenshot(type="jpeg", quality=70)
    path = PICTURES / f"{name}.jpg"
    if not (path.exists() and same_screen(path.read_bytes(), shot, page.evaluate(CLOCKS))):
        path.write_bytes(shot)
    taken.append(name)


def same_screen(before: bytes, after: bytes, clocks: list[list[float]]) -> bool:
    """Do two pictures show the same screen, but for the dates and times in `clocks`?
    (No pixel outside them differs in any colour by more than JPEG's noise.)"""
    from PIL import Image, ImageChops, ImageDraw

    old, new = (Image.open(io.BytesIO(data)).convert("RGB") for data in (before, after))
    if old.size != new.size:
        return False
    for picture in (old, new):
        draw = ImageDraw.Draw(picture)
        for left, top, right, bottom in clocks:
            draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill="black")
    # (point() thresholds each channel; getbbox() sees a pixel if any channel is left)
    return ImageChops.difference(old, new).point(lambda v: 255 if v > 40 else 0).getbbox() \
        is None


def test_the_guide_pictures_are_taken_from_the_real_screens(page):
    PICTURES.mkdir(exist_ok=True)
    taken: list[str] = []
    page.goto("/login")
    page.get_by_role("radio", name="Vendeuse", exact=True).tap()
    snap(page, "vendre-1", taken)
    for digit in "3456":
        page.locator(f'.keypad [data-key="{digit}"]').tap()
    with page.expect_navigation():
        page.get_by_role("button", name="OK").tap()
    page.wait_for_url(HOME)
    page.get_by_role("link", name="Ouvrir la caisse").first.tap()
    page.wait_for_url(re.compile(r"/sell/open$"))
    page.locator("label.place", has_text="Stand IKEA Dijon").tap()
    for _ in range(2):
        page.get_by_role("button", name="Un de plus : 10 €").tap()
    snap(page, "vendre-2", taken)
    page.get_by_role("button", name="Ouvrir la caisse").tap()
    page.wait_for_url(re.compile(r"/sell\?session=\d+$"))

    page.locator('button[data-sku="POCH-TGV"]').tap()
    page.locator('button[data-sku="ETIQ-TGV"]').tap()
    page.locator('button[data-sku="ETIQ-TGV"]').tap()
    snap(page, "vendre-3", taken)
    snap(page, "corriger-1", taken)
    page.get_by_role("button", name="Un de moins : Étiquette de valise TGV").tap()
    page.locator("[data-checkout]").tap()
    snap(page, "vendre-4", taken)
    page.locator('[data-cash="exact"]').tap()
    page.locator("[data-done]").wait_for(state="visible")
    snap(page, "vendre-5", taken)
    page.locator("[data-next]").tap()
    page.get_by_role("button", name="Annuler la dernière vente").tap()
    snap(page, "corriger-2", taken)
    page.get_by_role("button", name="Ne rien annuler").tap()

    page.goto("/stock")
    snap(page, "etiquettes-1", taken)
    page.goto("/stock/made?sku=POCH-TGV")
    snap(page, "etiquettes-2", taken)
    with page.expect_navigation():
        page.get_by_role("button", name="Quitter").tap()

    login_by_touch(page, "Tresoriere", "2345")
    page.wait_for_url(HOME)
    page.goto("/sessions")
    snap(page, "corriger-3", taken)
    snap(page, "fermer-1", taken)
    page.get_by_role("link", name="Fermer la caisse").first.tap()
    page.wait_for_url("**/close")
    page.get_by_role("button", name="Un de plus : Billets de 50 €", exact=True).tap()
    snap(page, "fermer-2", taken)
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le compte").tap()
    snap(page, "fermer-3", taken)

    assert sorted(taken) == sorted(pictures())  # every step of the guide has its picture
    page.goto("/aide")
    assert_accessible(page)
    shown = page.locator(".guide-picture").evaluate_all(
        "imgs => imgs.map(i => i.getAttribute('src'))")
    assert [src.rsplit("/", 1)[-1] for src in shown] == [f"{p}.jpg" for p in pictures()]
    images = page.locator(".guide-picture")
    for i in range(images.count()):  # (lazy images: bring each one into view)
        images.nth(i).scroll_into_view_if_needed()
        images.nth(i).evaluate("i => i.decode()")
        assert images.nth(i).evaluate("i => i.naturalWidth") == 1024, shown[i]


def test_a_clock_is_not_a_new_screen_but_a_changed_letter_price_or_colour_is():
    from PIL import Image, ImageDraw

    clock = [[520, 172, 556, 186]]

    def picture(text: str = "Encaisser", price: str = "10,00 €", time: str = "11:35",
                colour: str = "#7b1f5c") -> bytes:
        image = Image.new("RGB", (1024, 768), "white")
        draw = ImageDraw.Draw(image)
        draw.rectangle((300, 300, 560, 360), fill=colour)
        draw.text((320, 320), text, fill="white", font_size=24)
        draw.text((320, 400), price, fill="black", font_size=16)
        draw.text((520, 172), time, fill="black", font_size=12)
        kept = io.BytesIO()
        image.save(kept, "JPEG", quality=70)
        return kept.getvalue()

    assert same_screen(picture(), picture(), [])
    assert same_screen(picture(), picture(time="12:08"), clock)
    assert not same_screen(picture(), picture(time="12:08"), [])
    assert not same_screen(picture(), picture(text="Encaissez"), clock)
    assert not same_screen(picture(), picture(price="12,00 €"), clock)
    assert not same_screen(picture(), picture(colour="#1f4f7b"), clock)
