"""Load the demo accounts (and, as the portal grows, its demo catalogue). Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from claims import demo


class Command(BaseCommand):
    help = "Create or refresh the demo accounts and data, then print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            logins = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins:"))
        for role, username, password in logins:
            self.stdout.write(f"  {role:<32} login: {username:<10} password: {password}")
        self.stdout.write("Try these on the dashboard:")
        for label, value in demo.hints():
            self.stdout.write(f"  {label:<40} {value}")
