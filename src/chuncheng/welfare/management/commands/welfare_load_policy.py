"""Load the Kunming welfare pack (rules, settings, city-default list) and recompute flags and entitlements."""

from django.core.management.base import BaseCommand

from chuncheng.welfare import services


class Command(BaseCommand):
    help = "Load policies/kunming/{special-difficulty-rules,basic-service-list}.json and recompute."

    def add_arguments(self, parser):
        parser.add_argument("--no-recompute", action="store_true")

    def handle(self, *args, **options):
        self.stdout.write(str(services.load_policy_pack()))
        if not options["no_recompute"]:
            self.stdout.write(str(services.recompute_all()))
