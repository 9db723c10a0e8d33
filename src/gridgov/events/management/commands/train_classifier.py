from django.core.management.base import BaseCommand

from gridgov.events.classifier import train


class Command(BaseCommand):
    help = "Retrain the subclass suggestion model from the catalog and the filed events."

    def handle(self, *args, **options):
        trained = train()
        self.stdout.write(f"trained on {trained.samples} samples (model {trained.pk})")
