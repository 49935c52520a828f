"""Print a new read-and-write API key of the demo partner's company (for schemathesis in CI, and trying the API)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api import services
from api.models import KeyScope


class Command(BaseCommand):
    help = "Create a read-and-write API key for the demo partner's company and print it (run demo_data first)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="partener", help="A company administrator (default: partener).")
        parser.add_argument("--name", default="demo")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: run `manage.py demo_data` first.")
        _key, secret = services.api_key_create(by=user, name=name, scope=KeyScope.READ_WRITE)
        self.stdout.write(secret)
