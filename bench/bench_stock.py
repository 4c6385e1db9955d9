"""Stock and label figures: an A4 PDF of 100 labels, 100 label PNGs, and the /stock page
with 500 products and 200,000 moves on SQLite. Targets: PDF < 1 s, page < 150 ms.

    .venv/bin/python -m bench.bench_stock
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PRODUCTS = 500
MOVES = 200_000
PDF_TARGET_S = 1.0
PAGE_TARGET_MS = 150.0


def _timed(fn, repeat: int = 5) -> float:
    """Median seconds of `repeat` runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bench_labels() -> dict[str, float]:
    import printer
    from kiosk.documents import labels

    names = ["Sac cabas Ville de Dijon", "Étiquette de valise TGV", "Sac à linge IKEA",
             "Tablier enfant Ville de Dijon", "Trousse de toilette IKEA"]
    batch = [printer.Label(names[i % len(names)], 500 + i * 10, f"SKU-{i:03d}",
                           f"https://fees.example.org/p/SKU-{i:03d}") for i in range(100)]
    pdf = _timed(lambda: labels.labels_pdf(batch), 3)
    pngs = _timed(lambda: [labels.label_png(label) for label in batch], 3)
    return {"pdf_100_s": pdf, "png_100_s": pngs}


def _fill(session, rng: random.Random) -> None:
    """500 products and 200,000 moves in bulk (Core inserts), with matching levels."""
    from sqlalchemy import insert, select

    from kiosk.database import utcnow
    from kiosk.models import Location, Product, StockLevel, StockMove

    locations = list(session.scalars(select(Location.id)))
    first = utcnow() - timedelta(days=400)
    session.execute(insert(Product), [
        {"sku": f"BENCH-{i:04d}", "name": f"Produit d'essai n° {i}", "category": "bag",
         "price_cents": 500 + i, "active": True, "story": "", "colour": "#2b6cb0",
         "banner_area_cm2": 1000, "created_at": first, "updated_at": first}
        for i in range(PRODUCTS)])
    product_ids = list(session.scalars(select(Product.id)))
    levels: dict[tuple[int, int], int] = {
        (p, loc): q for p, loc, q in session.execute(
            select(StockLevel.product_id, StockLevel.location_id, StockLevel.qty))}
    reasons = ("production", "transfer", "sale", "count", "loss")
    rows = []
    for n in range(MOVES):
        product, location = rng.choice(product_ids), rng.choice(locations)
        reason = reasons[n % len(reasons)]
        qty = rng.randint(1, 5) * (1 if reason == "production" else rng.choice((1, -1)))
        levels[(product, location)] = levels.get((product, location), 0) + qty
        rows.append({"product_id": product, "location_id": location, "qty": qty,
                     "reason": reason, "note": "", "user_id": None,
                     "created_at": first + timedelta(seconds=n * 150)})
        if len(rows) == 20_000:
            session.execute(insert(StockMove), rows)
            rows = []
    if rows:
        session.execute(insert(StockMove), rows)
    session.query(StockLevel).delete()
    session.execute(insert(StockLevel), [
        {"product_id": p, "location_id": loc, "qty": q} for (p, loc), q in levels.items()])


def bench_stock_page() -> dict[str, float]:
    from sqlalchemy import func, select

    from kiosk import create_app
    from kiosk.cli import upgrade_schema
    from kiosk.database import write_transaction
    from kiosk.demo.seed import seed_demo
    from kiosk.extensions import db
    from kiosk.models import StockLevel, StockMove

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PRINTER": "none"},
                         str(Path(tmp) / "instance"))
        with app.app_context():
            upgrade_schema()
            with write_transaction(db.session):
                seed_demo(db.session)
            start = time.perf_counter()
            with write_transaction(db.session):
                _fill(db.session, random.Random(2026))
            fill_s = time.perf_counter() - start
            moves = db.session.scalar(select(func.count(StockMove.id)))
            ledger = dict(((p, loc), q) for p, loc, q in db.session.execute(
                select(StockMove.product_id, StockMove.location_id, func.sum(StockMove.qty))
                .group_by(StockMove.product_id, StockMove.location_id)))
            cached = dict(((p, loc), q) for p, loc, q in db.session.execute(
                select(StockLevel.product_id, StockLevel.location_id, StockLevel.qty)))
            assert {k: v for k, v in ledger.items() if v} == {
                k: v for k, v in cached.items() if v}, "levels cache must match the ledger"
            db.session.remove()

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "user": "Vendeuse", "pin": "3456"})
        response = client.get("/stock")
        assert response.status_code == 200
        rows = response.get_data(as_text=True).count("<tr data-sku=")
        page_s = _timed(lambda: client.get("/stock"), 10)
    return {"moves": moves, "rows": rows, "fill_s": fill_s, "stock_page_ms": page_s * 1000}


def main() -> None:
    label_figures = bench_labels()
    print(f"labels: A4 PDF of 100 labels {label_figures['pdf_100_s'] * 1000:.0f} ms "
          f"(target < {PDF_TARGET_S * 1000:.0f} ms), 100 label PNGs "
          f"{label_figures['png_100_s'] * 1000:.0f} ms")
    page = bench_stock_page()
    print(f"stock page: {page['rows']} products, {page['moves']:,} moves "
          f"(bulk fill {page['fill_s']:.1f} s): GET /stock median "
          f"{page['stock_page_ms']:.0f} ms (target < {PAGE_TARGET_MS:.0f} ms, SQLite)")


if __name__ == "__main__":
    main()
