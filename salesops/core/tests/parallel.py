"""Calls made at the same moment from several threads, for the tests of locks (PostgreSQL)."""

import threading
import time

from django.db import connections

DEADLINE_SECONDS = 120  # a thread still running by then is stuck on a lock: a deadlock


def run_at_once(function, arguments, *, expected=(), timeout=DEADLINE_SECONDS) -> list:
    """Call `function(argument)` for each argument, one thread each, all released together by a barrier.

    Returns one outcome per argument, in their order: what the call returned, or the exception it
    raised if that is one of the `expected` types. Any other exception fails the test once every
    thread has finished, and so does a thread still running after `timeout` seconds. Each thread
    closes its own database connections when it is done.
    """
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments), timeout=timeout)
    outcomes = [None] * len(arguments)
    failures = []

    def run(index, argument):
        try:
            barrier.wait()
            outcomes[index] = function(argument)
        except expected as error:
            outcomes[index] = error
        except Exception as error:  # noqa: BLE001 - raised below, in the test's own thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, argument), daemon=True) for index, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} of {len(threads)} calls still running after {timeout}s: a deadlock"
    if failures:
        raise AssertionError(f"{len(failures)} of {len(threads)} calls failed: {failures!r}") from failures[0]
    return outcomes
