"""`python -m salesops.core.dbcheck URL`: exit 0 when the PostgreSQL server of URL answers."""

import sys

from salesops.env import parse_database_url


def main(url: str) -> int:
    import psycopg

    config = parse_database_url(url)
    try:
        with psycopg.connect(
            host=config.host or None,
            port=config.port or None,
            user=config.user or None,
            password=config.password or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
