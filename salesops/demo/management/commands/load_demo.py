from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone

from salesops.core.selectors import company_zone
from salesops.demo.loader import DEMO_PASSWORD, load_demo

DEMO_LOGINS = [
    ("admin", "system administrator"),
    ("gm", "general manager"),
    ("director", "sales director"),
    ("manager", "sales manager, East region"),
    ("supervisor1", "sales supervisor, team East-1"),
    ("rep1", "sales rep, team East-1"),
    ("rep2", "sales rep, team East-1"),
    ("rep3", "sales rep, team East-2 (another team)"),
    ("salesadmin", "sales admin"),
    ("finance", "finance"),
    ("warehouse", "warehouse"),
    ("planner", "production planner"),
    ("purchasing", "purchasing manager"),
]


class Command(BaseCommand):
    help = "Load the demo company (idempotent: steps already loaded are skipped) and print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write("Loading the demo company:")
        # The demo's history triggers reminders and approvals; nobody should get those e-mails.
        # Its dates are the company's days, as a request or a job sees them (not the UTC date).
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            timezone.override(company_zone()),
        ):
            load_demo(progress=self.stdout.write)
        call_command("approvals_refingerprint")  # requests of a demo loaded by an earlier version
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {role}")
