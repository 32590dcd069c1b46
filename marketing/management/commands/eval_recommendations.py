"""``manage.py eval_recommendations``: hit rate@k and coverage, co-purchase vs popularity."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from marketing.recommendations import evaluate


class Command(BaseCommand):
    help = (
        "Hold out each customer's last order, train on the rest of the web and till history, and print "
        "hit rate@k and catalogue coverage for the co-purchase recommender and a popularity baseline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", type=int, default=10, help="How many recommendations (default 10).")

    def handle(self, *args: Any, k: int, **options: Any) -> None:
        result = evaluate(k=k)
        self.stdout.write(
            f"{result.customers} customers held out (their last order), {result.train_orders} orders "
            f"to learn from, {result.catalogue} published products."
        )
        self.stdout.write(f"  {'recommender':<14} {f'hit rate@{k}':>12} {'coverage':>10}")
        for score in result.scores:
            self.stdout.write(f"  {score.name:<14} {score.hit_rate:>12.1%} {score.coverage:>10.1%}")
