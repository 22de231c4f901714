from django.core.management.base import BaseCommand, CommandError

from salesops.credit.checks import money_check


class Command(BaseCommand):
    help = (
        "Check that the receivables at every month end agree with the receipts: ageing balance = ledger balance, "
        "open total = documents less allocations, paid amounts = allocations, statements and reconciliations = ledger."
    )

    def handle(self, *args, **options):
        result = money_check()
        self.stdout.write(
            f"{'as of':<12}{'open':>16}{'on account':>14}{'ageing balance':>18}{'ledger balance':>18}  agrees"
        )
        for row in result.months:
            self.stdout.write(
                f"{row.as_of!s:<12}{row.open_total:>16,.2f}{row.on_account:>14,.2f}{row.ageing_balance:>18,.2f}"
                f"{row.ledger_balance:>18,.2f}  {'yes' if row.agrees else 'NO'}"
            )
        for problem in result.problems:
            self.stdout.write(f"problem: {problem}")
        if not result.ok:
            raise CommandError(
                f"{len(result.problems)} problems; {sum(not r.agrees for r in result.months)} months differ"
            )
        self.stdout.write(f"{len(result.months)} month ends checked: every figure agrees with the receipts.")
