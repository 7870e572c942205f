"""Recompute every elder's special-difficulty flags and basic-service entitlements (set-based)."""

from django.core.management.base import BaseCommand

from chuncheng.welfare import services


class Command(BaseCommand):
    help = "Recompute special-difficulty flags and entitlements for every elder after a policy change."

    def handle(self, *args, **options):
        self.stdout.write(str(services.recompute_all()))
