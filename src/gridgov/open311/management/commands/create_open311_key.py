from django.core.management.base import BaseCommand

from gridgov.open311.models import ApiKey


class Command(BaseCommand):
    help = "Make an Open311 api_key for a client NAME; the key is printed on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        record, key = ApiKey.issue(name)
        self.stderr.write(f"Open311 key {record.prefix}… for {record.name}; it is shown only once.")
        self.stdout.write(key)
