"""The `salesops` command.

  salesops demo [--port N] [--no-serve]   set up var/, migrate, load the demo company, serve it
  salesops deploy                          after installing a release: migrate, collect static files
  salesops serve [--port N] [--workers N]  serve with gunicorn (production) or the dev server
  salesops worker                          run the background task worker (SOP clock, long jobs)
  salesops <tool> ...                      data tools working on files (abc, forecast, mrp, aggregate-plan)
  salesops <django command> ...            any Django management command (migrate, createsuperuser, …)

Tools register in TOOL_MODULES: each module has `register(subparsers)` adding one
subcommand whose handler is set with `parser.set_defaults(handler=...)`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

TOOL_MODULES: list[str] = [
    "salesops.core.abc_cli",
    "salesops.planning.engine.cli",
    "salesops.planning.engine.forecast_cli",
    "salesops.field.engine.cli",
]

DJANGO_SETTINGS = "salesops.settings.dev"


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DJANGO_SETTINGS)
    import django

    django.setup()


def cmd_demo(args) -> int:
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")
    if args.no_serve:
        return 0
    return cmd_serve(argparse.Namespace(host=args.host, port=args.port, workers=0, with_worker=True))


def cmd_deploy(args) -> int:
    """Once per release, not on every start: the schema and the static files the app
    servers serve."""
    from django.conf import settings
    from django.core.management import call_command

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=1)
    call_command("collectstatic", interactive=False, verbosity=1)
    return 0


def cmd_serve(args) -> int:
    import subprocess

    from django.conf import settings

    worker = None
    if getattr(args, "with_worker", False):
        worker = subprocess.Popen([sys.executable, "-m", "salesops.cli", "worker"])  # noqa: S603
    try:
        if args.workers:
            if not (settings.STATIC_ROOT / "salesops").is_dir():
                print("Static files are not collected: run `salesops deploy` first.", file=sys.stderr)
                return 2
            os.execvp(  # noqa: S606
                sys.executable,
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "salesops.wsgi:application",
                    "--bind",
                    f"{args.host}:{args.port}",
                    "--workers",
                    str(args.workers),
                    "--access-logfile",
                    "-",
                ],
            )
        from django.core.management import call_command

        print(f"salesops at http://{args.host}:{args.port}/  (database: {settings.DATABASES['default']['NAME']})")
        call_command("runserver", f"{args.host}:{args.port}", use_reloader=False)
    finally:
        if worker is not None:
            worker.terminate()
    return 0


def cmd_worker(args) -> int:
    """The task worker plus the periodic-job loop, in one command."""
    import subprocess

    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
        queue = [sys.executable, "-m", "salesops.cli", "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    else:
        queue = [sys.executable, "-m", "salesops.cli", "db_worker", "--interval", "1"]
    task_worker = subprocess.Popen(queue)  # noqa: S603
    try:
        from django.core.management import call_command

        call_command("run_periodic", loop=True, interval=args.interval)
    finally:
        task_worker.terminate()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesops", description="salesops: sales operations system")
    sub = parser.add_subparsers(dest="command", metavar="command")

    demo = sub.add_parser("demo", help="migrate, load the demo company (idempotent) and serve it")
    demo.add_argument("--host", default=os.environ.get("SALESOPS_HOST", "127.0.0.1"))
    demo.add_argument("--port", type=int, default=int(os.environ.get("SALESOPS_PORT", "8000")))
    demo.add_argument("--no-serve", action="store_true", help="only migrate and load the demo data")
    demo.set_defaults(handler=cmd_demo, needs_django=True)

    deploy = sub.add_parser("deploy", help="after installing a release: migrate, collect static files")
    deploy.set_defaults(handler=cmd_deploy, needs_django=True)

    serve = sub.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default=os.environ.get("SALESOPS_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SALESOPS_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=0, help="gunicorn worker processes (0: development server)")
    serve.add_argument("--with-worker", action="store_true", help="also start the background task worker")
    serve.set_defaults(handler=cmd_serve, needs_django=True)

    worker = sub.add_parser("worker", help="run the background task worker (SOP clock, imports, planning runs)")
    worker.add_argument("--interval", type=int, default=30, help="seconds between periodic-job checks")
    worker.set_defaults(handler=cmd_worker, needs_django=True)

    for module_name in TOOL_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices) if parser._subparsers else set()
    if argv and argv[0] not in known and not argv[0].startswith("-"):
        # Anything else is a Django management command.
        _django_setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["salesops", *argv])
        return 0
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if getattr(args, "needs_django", False):
        _django_setup()
    try:
        return int(args.handler(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as error:
        print(f"salesops {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
