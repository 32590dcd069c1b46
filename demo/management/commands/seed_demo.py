"""``manage.py seed_demo``: the demo stores, catalog, stock and one login per role (see demo.seed)."""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.images import seed_images as seed_product_images
from demo.management.commands.demo_logins import write_logins
from demo.seed import seed_demo
from demo.seed.accounts import seed as seed_accounts
from demo.seed.content import seed as seed_content
from demo.seed.history import seed as seed_history
from demo.seed.invoicing import seed as seed_invoicing
from demo.seed.logistics import seed as seed_logistics
from demo.seed.loyalty import seed as seed_loyalty
from demo.seed.pos import seed as seed_pos
from demo.seed.pricing import seed as seed_pricing
from demo.seed.reviews import seed as seed_reviews
from demo.seed.sales_history import ensure_cost_prices
from demo.seed.sales_history import seed as seed_sales_history
from demo.seed.shops import PRO_HOST
from demo.seed.shops import seed as seed_shops


class Command(BaseCommand):
    help = (
        "Create the demo data: 4 Corsican stores and a warehouse, a generated FR/EN/IT catalog with stock "
        "written through the inventory ledger, and one user per role. Deterministic and re-runnable: "
        "an existing catalog is kept, users and roles are brought back to their demo state."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=5000, help="How many products (default 5000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the WHOLE database first (manage.py flush), then seed.",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the logins table (make demo prints it last with manage.py demo_logins).",
        )

    def handle(self, *args, products: int, seed: int, reset: bool, no_logins: bool, **options):
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Database emptied.")
        result = seed_demo(products=products, seed=seed)
        ensure_cost_prices()  # before any order: the reports' margins are written with the facts
        seed_logistics()  # carriers and shipping rates
        seed_pricing()  # currency rates, promotions, coupons (BIENVENUE10, MERCI-01..10), B2B prices
        self.stdout.write("Product photos: {} ({} drawings) in {:.1f} s.".format(*seed_product_images()))
        seed_reviews()  # approved demo reviews on a few hundred products
        seed_pos()  # two registers per store
        seed_accounts()  # the demo shopper's profile, addresses and order history (the account portal)
        seed_history(seed=seed)  # a year of web and till orders of 300 customers (recommendations)
        seed_loyalty()  # a gold shopper with points and a voucher; consents, RFM, a segment, a campaign
        seed_invoicing()  # today's daily run: the shopper's first invoice and its Factur-X PDF
        seed_content()  # the blog: three articles linking demo products, the delivery and legal pages
        seed_shops()  # a second shop: Maison Corse Pro (B2B) on http://pro.localhost:8000/
        started = time.perf_counter()
        sales = seed_sales_history(seed=seed)  # a year of sales in the four stores and on the web
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            # The orders' events queued the reports' refresh for a worker that may not run yet: the
            # dashboard is filled now (reporting is a sibling layer: the command, by name).
            call_command("rebuild_reports")
        if sales:
            self.stdout.write(f"A year of sales: {sales} orders in {time.perf_counter() - started:.1f} s.")
        if not result.catalog_created:
            self.stdout.write("A catalog already exists: kept as it is (use --reset to start over).")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<14} {count:>8}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {result.seconds:.1f} s."))
        port = os.environ.get("PORT", "8000")  # make demo's port
        self.stdout.write(f"Second shop (B2B, food and gifts, FR/EN): http://{PRO_HOST}:{port}/")
        if not no_logins:
            write_logins(self.stdout, self.style, result.logins)
