from django.core.management.base import BaseCommand

from salesops.approvals.services import approval_refingerprint_pending


class Command(BaseCommand):
    help = (
        "Make the version of pending approval requests again from their documents' stored values "
        "(once after an upgrade: requests submitted while versions held translated labels)."
    )

    def handle(self, *args, **options):
        updated = approval_refingerprint_pending()
        self.stdout.write(f"{updated} pending approval requests updated.")
