"""Demo welfare data: load the pack, recompute, and seed visits for the last two months (idempotent)."""

from django.core.management.base import BaseCommand

from chuncheng.welfare import demo, services


class Command(BaseCommand):
    help = "Load the Kunming welfare pack, recompute flags and entitlements, seed demo welfare visits."

    def handle(self, *args, **options):
        services.load_policy_pack()
        self.stdout.write(str(services.recompute_all()))
        self.stdout.write(f"demo visits: {demo.seed_visits()}")
