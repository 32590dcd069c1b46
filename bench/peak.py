"""Black Friday: a crowd of shoppers and 4 tills on the production layout, ramping to 5x a normal peak.

    .venv/bin/python bench/peak.py                 # 1 min ramp 1x -> 5x, then 2 min at 5x
    .venv/bin/python bench/peak.py --quick         # 20 s smoke run (5 s ramp, 15 s at the peak)
    .venv/bin/python bench/peak.py --minutes 5 --normal 6 --products 300 \
        --url postgres://postgres@127.0.0.1:5432/omni_bench_peak --redis redis://127.0.0.1:6379/11

What it does:

1. drops, creates and migrates the ``--url`` database, seeds ``--products`` demo products
   (``seed_demo``: 4 stores with 2 registers each, the warehouse, carriers, stock through the ledger)
   and opens one register session at each of the 4 stores, for a cashier with an API token;
2. starts HTTP as in production (docker-compose's ``web``): ``gunicorn -c deploy/gunicorn.conf.py
   config.wsgi:application`` with 2 sync workers (one per core of this machine), ``DJANGO_DEBUG=0``,
   PostgreSQL with persistent connections (one per worker), Redis (cache, sessions, broker), the test
   payment provider, and the API/checkout limits raised (every shopper comes from 127.0.0.1);
3. runs the load generator in its own process (``bench/peak.py --drive``: threads, one
   ``requests.Session`` per shopper, so each keeps its cookies and CSRF token):
   - a shopper: home, a category, the category filtered (price range, sort), a product, a search,
     another product, adds it to the cart (the page's JSON add), the cart, the checkout page, "Pay"
     with the test provider (a home delivery by Colissimo), the test provider's page, "Pay" there,
     the confirmation; then starts over with a new session (a new visitor). Between steps it thinks
     ``--think`` seconds (default 1 s: a compressed shopper; real ones think longer);
   - 4 tills (one thread each, the cashier's token): ``POST /api/v1/pos/sales/`` of 1-3 lines, cash,
     one sale every ``--till-interval`` seconds at 1x (default 4 s), that interval divided by the load;
   - the load: ``--normal`` shoppers (default 4) at 1x, ramped linearly to 5x over the ramp, then held
     at 5x for ``--minutes``. "Normal peak" is a fixed, documented figure: 4 shoppers thinking 1 s
     per step (about 3 requests/s) plus 4 tills at a sale per 4 s (1 sale/s), a busy ordinary
     afternoon for 4 stores and their web shop; 5x is the Black Friday crowd (20 shoppers, 5 sales/s);
   - a third of product views, and a third of till baskets, go to 5 "hot" products whose stock is cut
     to 8 units per location before the run, so web checkouts and tills fight for the last units
     (oversold must stay 0; a sale or an add refused for want of stock is an expected 4xx);
4. meanwhile polls ``pg_stat_activity`` every 0.5 s: the most connections this database and the whole
   server held, against ``max_connections``;
5. at the end: ``manage.py check_stock`` (the ledger explains every level), oversold units (a level
   below zero or reserving more than it holds), and the table: per step requests, errors, refusals
   (expected 4xx: out of stock), p50/p95/p99 ms and req/s; totals; the verdict against the targets
   (0 errors, 0 oversold, p95 of pages under 800 ms).

Errors: any 5xx, a connection error or timeout, or a 4xx that is not an out-of-stock refusal.
Other people's work on the machine shows in the figures: say so when quoting them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    child_env,
    create_database,
    free_port,
    migrate,
    percentile,
    print_table,
    wait_for_port,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omni_bench_peak"
WORKERS = "2"  # one per core of this machine (deploy/gunicorn.conf.py)
STORES = ["AJA", "BAS", "PVE", "CAL"]
HOT_PRODUCTS = 5
HOT_UNITS = 8  # per location, for each variant of a hot product
HOT_SHARE = 1 / 3  # of product views, and of till baskets, that go to a hot product
PEAK = 5.0
STEPS = [  # the table's rows, in the shopper's order
    "home",
    "category",
    "filter",
    "product",
    "search",
    "add to cart",
    "cart",
    "checkout page",
    "checkout (pay)",
    "payment page",
    "pay",
    "confirmation",
    "till sale",
]
PAGES = {
    "home",
    "category",
    "filter",
    "product",
    "search",
    "cart",
    "checkout page",
    "payment page",
    "confirmation",
}
ADDRESS = {
    "first_name": "Ana",
    "last_name": "Colonna",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
}
STOCK_CODES = {"insufficient_stock", "out_of_stock", "variant_unavailable"}


# --- set-up (this process, Django) ------------------------------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    for key in ("DATABASE_URL", "REDIS_URL"):
        os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(seed: int) -> dict[str, Any]:
    """Open a register session per store (a cashier each, with a token), cut the hot products' stock,
    and list what the tills may sell and which products are hot."""
    from decimal import Decimal

    from django.db.models import Sum
    from rest_framework.authtoken.models import Token

    from catalog.models import Product
    from inventory import services as inventory
    from inventory.models import Location, StockLevel
    from pos.models import Register
    from pos.services.sessions import open_register_session
    from tests.factories import cashier

    rng = random.Random(seed)
    tills = []
    for code in STORES:
        store = Location.objects.get(code=code)
        register = Register.objects.filter(store=store).order_by("code").first()
        assert register is not None, f"seed_demo made no register at {code}"
        user = cashier(store, email=f"peak-cashier@{code.lower()}.example")
        session = open_register_session(register=register, user=user, opening_float=Decimal("200.00"))
        token, _ = Token.objects.get_or_create(user=user)
        skus = list(
            StockLevel.objects.filter(location=store, on_hand__gte=5, variant__is_active=True)
            .values_list("variant__sku", flat=True)
            .order_by("variant__sku")[:300]
        )
        assert len(skus) >= 3, f"too little stock at {code} for the till"
        tills.append({"store": code, "session": session.pk, "token": token.key, "skus": skus})

    stocked = (
        Product.objects.filter(is_published=True)
        .annotate(units=Sum("variants__stock_levels__on_hand"))
        .filter(units__gt=50)
        .order_by("pk")
    )
    hot = rng.sample(list(stocked.filter(tracks_lots=False)), HOT_PRODUCTS)
    hot_skus = []
    for level in StockLevel.objects.filter(
        variant__product__in=hot, on_hand__gt=HOT_UNITS, reserved__lte=HOT_UNITS
    ).select_related("variant__product", "location"):
        inventory.adjust_stock(
            variant=level.variant, location=level.location, counted=HOT_UNITS, reference="PEAK-HOT"
        )
        hot_skus.append(level.variant.sku)
    for till in tills:  # the tills sell the hot items too: web and stores fight for the last units
        till["skus"] = sorted(set(till["skus"]) - set(hot_skus))
        till["hot"] = sorted(set(hot_skus))
    return {"tills": tills, "hot_slugs": [p.slug for p in hot]}


# --- the load generator (its own process) -------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[tuple[str, float, float, str, str]] = []  # step, t, ms, outcome, detail

    def add(self, step: str, t: float, ms: float, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.rows.append((step, t, ms, outcome, detail))


class Load:
    """The multiplier at time t: 1x -> 5x over ``ramp`` seconds, then 5x until ``end``."""

    def __init__(self, ramp: float, hold: float) -> None:
        self.start = time.monotonic()
        self.ramp, self.end = ramp, ramp + hold

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def factor(self) -> float:
        t = self.elapsed()
        return PEAK if t >= self.ramp else 1 + (PEAK - 1) * t / max(self.ramp, 1e-9)

    def running(self) -> bool:
        return self.elapsed() < self.end


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _classify(step: str, status: int, body: str) -> tuple[str, str]:
    if status >= 500:
        return "error", f"{status}"
    if status >= 400:
        code = ""
        found = re.search(r'"code":\s*"([a-z_]+)"', body)
        if found:
            code = found.group(1)
        if code in STOCK_CODES or (status == 409 and step in {"add to cart", "checkout (pay)", "till sale"}):
            return "refused", code or str(status)
        return "error", f"{status} {code}".strip()
    return "ok", ""


def _request(rec: Recorder, load: Load, session: Any, step: str, method: str, url: str, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        body = response.text
    except Exception as exc:  # a refused connection, a timeout: an error, never a crash of the driver
        rec.add(step, load.elapsed(), (time.perf_counter() - started) * 1000, "error", type(exc).__name__)
        return None
    outcome, detail = _classify(step, response.status_code, body)
    rec.add(step, load.elapsed(), (time.perf_counter() - started) * 1000, outcome, detail)
    return response if outcome == "ok" else None


def shopper(index: int, base: str, conf: dict, rec: Recorder, load: Load) -> None:
    import requests

    rng = random.Random(conf["seed"] * 1000 + index)
    think = conf["think"]

    def pause() -> None:
        time.sleep(rng.uniform(0.5, 1.5) * think)

    while load.running():
        if index >= conf["normal"] * load.factor():  # not yet part of the crowd
            time.sleep(0.2)
            continue
        session = requests.Session()  # a new visitor
        session.headers["User-Agent"] = "Mozilla/5.0 (peak bench) Firefox/133.0"
        session.headers["Accept-Language"] = "fr"
        home = _request(rec, load, session, "home", "GET", f"{base}/fr/")
        if home is None:
            pause()
            continue
        categories = re.findall(r'href="(/fr/c/[^"/]+/)"', home.text) or ["/fr/"]
        products = re.findall(r'href="(/fr/p/[^"/]+/)"', home.text)
        pause()
        category = rng.choice(categories)
        page = _request(rec, load, session, "category", "GET", f"{base}{category}")
        if page is not None:
            products += re.findall(r'href="(/fr/p/[^"/]+/)"', page.text)
        pause()
        params = {
            "min_price": rng.choice(["0", "10", "20"]),
            "max_price": rng.choice(["60", "100", "200"]),
            "sort": rng.choice(["price_asc", "price_desc", "name", "newest"]),
        }
        _request(rec, load, session, "filter", "GET", f"{base}{category}", params=params)
        pause()

        def product_url(products: list[str] = products) -> str:
            if conf["hot"] and rng.random() < HOT_SHARE:
                return f"/fr/p/{rng.choice(conf['hot'])}/"
            return rng.choice(products) if products else f"/fr/p/{rng.choice(conf['hot'])}/"

        _request(rec, load, session, "product", "GET", f"{base}{product_url()}")
        pause()
        found = _request(
            rec, load, session, "search", "GET", f"{base}/fr/search/", params={"q": rng.choice(conf["words"])}
        )
        if found is not None:
            products += re.findall(r'href="(/fr/p/[^"/]+/)"', found.text)
        pause()
        url = product_url()
        page = _request(rec, load, session, "product", "GET", f"{base}{url}")
        if page is None:
            continue
        picker = re.search(r'<select id="sku" name="sku">(.*?)</select>', page.text, flags=re.DOTALL)
        options = re.findall(
            r'<option value="([^"]+)"[^>]*>([^<]*)</option>', picker.group(1) if picker else ""
        )
        skus = [sku for sku, _ in options]
        in_stock = [sku for sku, label in options if "rupture" not in label.lower()]  # "— en rupture"
        token = CSRF.search(page.text)
        if not (skus and token):
            continue
        pause()
        added = _request(
            rec,
            load,
            session,
            "add to cart",
            "POST",
            f"{base}/fr/cart/add/",
            data={
                "sku": rng.choice(in_stock or skus),
                "quantity": str(rng.choice([1, 1, 1, 2])),
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Accept": "application/json", "Referer": f"{base}{url}", "X-CSRFToken": token.group(1)},
        )
        if added is None:
            continue
        pause()
        _request(rec, load, session, "cart", "GET", f"{base}/fr/cart/")
        pause()
        page = _request(rec, load, session, "checkout page", "GET", f"{base}/fr/checkout/")
        if page is None:
            continue
        token = CSRF.search(page.text)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
        if token is None:
            continue
        pause()
        form = {
            "action": "pay",
            "email": f"peak{index}-{uuid.uuid4().hex[:8]}@example.com",
            "phone": "0612345678",
            "delivery_method": "home",
            "carrier": "colissimo",
            "provider": "test",
            "idempotency_key": key.group(1) if key else uuid.uuid4().hex,
            "csrfmiddlewaretoken": token.group(1),
            **ADDRESS,
        }
        started = _request(
            rec,
            load,
            session,
            "checkout (pay)",
            "POST",
            f"{base}/fr/checkout/",
            data=form,
            headers={"Referer": f"{base}/fr/checkout/"},
        )
        if started is None or started.status_code != 302:
            if started is not None:
                rec.add("checkout (pay)", load.elapsed(), 0, "error", f"no redirect: {started.status_code}")
            continue
        pay_url = started.headers["Location"]
        pay_url = pay_url if pay_url.startswith("http") else f"{base}{pay_url}"
        page = _request(rec, load, session, "payment page", "GET", pay_url)
        if page is None:
            continue
        token = CSRF.search(page.text)
        if token is None:
            continue
        pause()
        paid = _request(
            rec,
            load,
            session,
            "pay",
            "POST",
            pay_url,
            data={"action": "pay", "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": pay_url},
        )
        if paid is None or "Location" not in paid.headers:
            continue
        done = paid.headers["Location"]
        _request(
            rec, load, session, "confirmation", "GET", done if done.startswith("http") else f"{base}{done}"
        )
        pause()


def till(index: int, base: str, conf: dict, rec: Recorder, load: Load) -> None:
    import requests

    rng = random.Random(conf["seed"] * 7 + index)
    info = conf["tills"][index]
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {info['token']}", "Content-Type": "application/json"})
    while load.running():
        started = time.monotonic()
        skus = rng.sample(info["skus"], rng.randint(1, 3))
        if info["hot"] and rng.random() < HOT_SHARE:  # one of the hot items in this basket
            skus[0] = rng.choice(info["hot"])
        lines = [{"sku": sku, "quantity": rng.randint(1, 2)} for sku in dict.fromkeys(skus)]
        body = {
            "uuid": str(uuid.uuid4()),
            "session": info["session"],
            "lines": lines,
            "tenders": [{"kind": "cash", "amount": "1000.00"}],
            "offline": False,
        }
        _request(
            rec,
            load,
            session,
            "till sale",
            "POST",
            f"{base}/api/v1/pos/sales/",
            data=json.dumps(body),
            headers={"Idempotency-Key": body["uuid"]},
        )
        interval = conf["till_interval"] / load.factor()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def drive(conf_path: str) -> None:
    conf = json.loads(Path(conf_path).read_text())
    rec, load = Recorder(), Load(conf["ramp"], conf["hold"])
    base = conf["base"]
    threads = [
        threading.Thread(target=shopper, args=(i, base, conf, rec, load), daemon=True)
        for i in range(int(conf["normal"] * PEAK))
    ]
    threads += [threading.Thread(target=till, args=(i, base, conf, rec, load), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=conf["ramp"] + conf["hold"] + 60)
    Path(conf["out"]).write_text(json.dumps({"rows": rec.rows, "seconds": load.elapsed()}))


# --- the run (this process) ---------------------------------------------------------------------------


class PgWatch(threading.Thread):
    """The most connections held at once: this database's, the server's, against max_connections."""

    def __init__(self, url: str, name: str) -> None:
        super().__init__(daemon=True)
        self.url, self.name = url, name
        self.stop = threading.Event()
        self.most_db = self.most_all = self.max_connections = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            self.max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE datname = %s), count(*) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend'",
                    [self.name],
                ).fetchone()
                self.most_db, self.most_all = max(self.most_db, row[0]), max(self.most_all, row[1])
                self.stop.wait(0.5)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process, its live children and the children it reaped: what the
    gunicorn master and its workers used (workers replaced by max_requests included)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(p: int | str) -> list[str]:
        return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()

    own = fields(pid)  # after ")": state is [0], utime [11], stime [12], cutime [13], cstime [14]
    total = sum(int(own[i]) for i in (11, 12, 13, 14))
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            total += sum(int(fields(child)[i]) for i in (11, 12))
    return total / tick


def warm_up(base: str, hot: list[str]) -> None:
    """What a shop that has been open all day has: the page cache filled for home, the categories and
    the hot products (each page rendered once, then served whole), the workers' imports done."""
    import requests

    with requests.Session() as session:
        home = session.get(f"{base}/fr/", timeout=120).text
        urls = set(re.findall(r'href="(/fr/c/[^"/]+/)"', home)) | {f"/fr/p/{slug}/" for slug in hot}
        for url in sorted(urls):
            for _ in range(2):  # both workers
                session.get(f"{base}{url}", timeout=120)


def oversold_units(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(greatest(-on_hand, 0) + greatest(reserved - greatest(on_hand, 0), 0)), 0) "
            "FROM inventory_stocklevel"
        ).fetchone()
    return int(row[0])


def report(rows: list, seconds: float, ramp: float) -> tuple[list[list[object]], dict[str, Any]]:
    """Per step; "p95 <=2x": the ramp's first quarter (the load still under 2x), "p95 @5x": the hold."""
    by_step: dict[str, list] = defaultdict(list)
    for row in rows:
        by_step[row[0]].append(row)
    table: list[list[object]] = []
    summary: dict[str, Any] = {}

    def line(name: str, chosen: list) -> list[object]:
        ok = sorted(r[2] for r in chosen if r[3] == "ok")
        errors = sum(1 for r in chosen if r[3] == "error")
        refused = sum(1 for r in chosen if r[3] == "refused")
        early = sorted(r[2] for r in chosen if r[3] == "ok" and r[1] < ramp / 4)
        peak = sorted(r[2] for r in chosen if r[3] == "ok" and r[1] >= ramp)
        summary[name] = {"p95": percentile(ok, 95), "peak_p95": percentile(peak, 95), "errors": errors}
        return [
            name,
            len(chosen),
            errors,
            refused,
            f"{percentile(ok, 50):.0f}",
            f"{percentile(ok, 95):.0f}",
            f"{percentile(ok, 99):.0f}",
            f"{percentile(early, 95):.0f}",
            f"{percentile(peak, 95):.0f}",
            f"{len(chosen) / seconds:.1f}",
        ]

    for step in STEPS:
        if by_step.get(step):
            table.append(line(step, by_step[step]))
    table.append(line("pages (every GET)", [r for r in rows if r[0] in PAGES]))
    table.append(line("total", rows))
    return table, summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--normal", type=int, default=4, help="shoppers at 1x, the normal peak (default 4)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds a shopper thinks per step (default 1)"
    )
    parser.add_argument(
        "--till-interval", type=float, default=4.0, help="seconds between sales at 1x, per till"
    )
    parser.add_argument("--minutes", type=float, default=2.0, help="minutes at 5x (default 2)")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds from 1x to 5x (default 60)")
    parser.add_argument("--quick", action="store_true", help="20 s: a 5 s ramp, 15 s at the peak")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the load generator's own process
    args = parser.parse_args()
    if args.drive:
        drive(args.drive)
        return 0
    ramp, hold = (5.0, 15.0) if args.quick else (args.ramp, args.minutes * 60)

    name = args.url.rsplit("/", 1)[1]
    env = child_env(
        DATABASE_URL=args.url,
        REDIS_URL=args.redis,
        DJANGO_DEBUG="0",
        DB_POOL=None,
        DJANGO_ENV=None,
        DJANGO_ALLOW_ASYNC_UNSAFE=None,
        PAYMENTS_TEST_PROVIDER="1",
        LOG_LEVEL="ERROR",  # not a line per expected 409 (out of stock)
        PYTHONWARNINGS="ignore:No directory at",  # WhiteNoise: no collectstatic here (finders serve)
        # every shopper and till comes from 127.0.0.1: per-address limits would answer 429
        THROTTLE_ANON="1000000/second",
        THROTTLE_USER="1000000/second",
        THROTTLE_CHECKOUT="1000000/second",
        WEB_CONCURRENCY=WORKERS,
        GUNICORN_LOGLEVEL="warning",
    )
    create_database(args.url)
    migrate(env)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--products", str(args.products)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"seeded {args.products} products in {time.perf_counter() - started:.0f} s", flush=True)
    setup_django(env)
    prepared = prepare(args.seed)
    from django.db import connections

    from catalog.models import Product

    words = sorted(
        {
            w.lower()
            for n in Product.objects.values_list("name", flat=True)[:200]
            for w in n.split()
            if len(w) > 4 and w.isalpha()
        }
    )[:60] or ["robe"]
    connections.close_all()
    subprocess.run(["psql", args.url, "-qc", "ANALYZE"], check=True)

    port = free_port()
    metrics_dir = tempfile.mkdtemp(prefix="peak-prometheus-")
    server_log = Path(metrics_dir) / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": metrics_dir},
        start_new_session=True,
        stderr=server_log.open("w"),  # its warnings (each 409 out of stock) would drown the table
    )
    print(f"server log: {server_log}", flush=True)
    watch = PgWatch(args.url, name)
    try:
        wait_for_port(port, timeout=60, process=server)
        out = Path(tempfile.mkstemp(prefix="peak-", suffix=".json")[1])
        conf = Path(tempfile.mkstemp(prefix="peak-conf-", suffix=".json")[1])
        conf.write_text(
            json.dumps(
                {
                    "base": f"http://127.0.0.1:{port}",
                    "normal": args.normal,
                    "think": args.think,
                    "till_interval": args.till_interval,
                    "ramp": ramp,
                    "hold": hold,
                    "seed": args.seed,
                    "tills": prepared["tills"],
                    "hot": prepared["hot_slugs"],
                    "words": words,
                    "out": str(out),
                }
            )
        )
        warm_up(f"http://127.0.0.1:{port}", prepared["hot_slugs"])
        since = time.time()
        watch.start()
        print(
            f"load: {args.normal} shoppers and 4 tills at 1x -> {PEAK:.0f}x over {ramp:.0f} s, "
            f"then {hold:.0f} s at {PEAK:.0f}x ({int(args.normal * PEAK)} shoppers)",
            flush=True,
        )
        subprocess.run([sys.executable, __file__, "--drive", str(conf)], cwd=ROOT, check=True)
        watch.stop.set()
        cpu = cpu_seconds(server.pid)
        data = json.loads(out.read_text())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
    watch.join(timeout=5)

    check = subprocess.run(
        [sys.executable, "manage.py", "check_stock"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    oversold = oversold_units(args.url)
    rows, seconds = data["rows"], data["seconds"]
    table, summary = report(rows, seconds, ramp=ramp)
    print(
        f"\n{len(rows):,} requests in {seconds:.0f} s; gunicorn sync x{WORKERS} (WSGI), PostgreSQL + Redis, "
        f"DEBUG off; ms of the answered requests; 'p95 <=2x': the ramp's first {ramp / 4:.0f} s, "
        f"'p95 @5x': the {hold:.0f} s at the peak"
    )
    print_table(
        [
            "step",
            "requests",
            "errors",
            "refused",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "p95 <=2x",
            "p95 @5x",
            "req/s",
        ],
        table,
    )
    details: dict[str, int] = defaultdict(int)
    for row in rows:
        if row[3] != "ok":
            details[f"{row[3]}: {row[0]} {row[4]}"] += 1
    for what, count in sorted(details.items()):
        print(f"  {what}: {count}")
    import psycopg

    with psycopg.connect(args.url) as conn:
        orders = conn.execute(
            "SELECT channel, status, count(*) FROM orders_order WHERE created_at >= to_timestamp(%s) "
            "GROUP BY 1, 2 ORDER BY 1, 2",
            [since],
        ).fetchall()
    print("orders of the run: " + ", ".join(f"{c} {s} {n}" for c, s, n in orders))
    errors = sum(1 for r in rows if r[3] == "error")
    pages_p95 = summary["pages (every GET)"]["p95"]
    print(f"oversold units: {oversold}; check_stock: {'ok' if check.returncode == 0 else 'MISMATCH'}")
    per_request = cpu / len(rows) * 1000 if rows else 0.0
    print(
        f"gunicorn CPU: {cpu:.0f} s for {len(rows):,} requests, {per_request:.0f} ms per request "
        f"(PostgreSQL's and Redis's own not counted): 2 free cores would serve about "
        f"{2000 / per_request:.0f} req/s; the run asked {len(rows) / seconds:.1f} req/s on average"
        if per_request
        else "gunicorn CPU: no request"
    )
    print(
        f"PostgreSQL connections: at most {watch.most_db} to this database, {watch.most_all} on the server, "
        f"max_connections {watch.max_connections}"
    )
    print(
        f"cart p95 {summary['add to cart']['p95']:.0f} ms, "
        f"checkout p95 {summary['checkout (pay)']['p95']:.0f} ms, pay p95 {summary['pay']['p95']:.0f} ms"
    )
    verdict = errors == 0 and oversold == 0 and check.returncode == 0 and pages_p95 < 800
    print(
        f"targets (0 errors, 0 oversold, page p95 < 800 ms): {'met' if verdict else 'NOT met'} "
        f"({errors} errors, page p95 {pages_p95:.0f} ms)"
    )
    if check.returncode:
        print(check.stdout[-2000:])
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
