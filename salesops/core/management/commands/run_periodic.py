import time

from django.core.management.base import BaseCommand

from salesops.core.periodic import periodic_jobs, run_due


class Command(BaseCommand):
    help = "Run the periodic jobs that are due (SOP clock, reminders…); --loop keeps running every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument("--interval", type=int, default=30, help="seconds between checks (default 30)")
        parser.add_argument("--force", action="store_true", help="run every job now, due or not")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")

    def handle(self, *args, **options):
        if options["list"]:
            for job in periodic_jobs():
                self.stdout.write(f"{job.name}  every {job.every}")
            return
        while True:
            ran = run_due(force=options["force"])
            if ran:
                self.stdout.write("ran: " + ", ".join(ran))
            if not options["loop"]:
                return
            time.sleep(options["interval"])
