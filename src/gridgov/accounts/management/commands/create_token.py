from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.services import api_token_for_username
from gridgov.common.errors import DomainError


class Command(BaseCommand):
    help = "Make an API bearer token for USERNAME; the token is printed on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options):
        try:
            token, key = api_token_for_username(username=username, name=name)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stderr.write(
            f"Token {token.prefix}… for {token.user.username}; it is shown only once."
        )
        self.stdout.write(key)
