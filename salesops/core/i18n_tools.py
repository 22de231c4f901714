"""Keep the translation catalogues current: `python -m salesops.core.i18n_tools [area ...]`.

Each area keeps its own catalogue in salesops/<area>/locale/zh_Hans/LC_MESSAGES/django.po.
This runs makemessages for each area (all areas when none is named), then compiles every
catalogue. Translators then fill in the new msgstr entries and run it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_Hans"


def areas() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.iterdir() if (p / "apps.py").exists())


def run(names: list[str]) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "salesops.settings.dev", "PYTHONPATH": str(PACKAGE_DIR.parent)}
    # django-admin, not `python -m django`: the latter puts the area folder on sys.path, where
    # a module name such as calendar.py would shadow the standard library.
    django_admin = [str(Path(sys.executable).parent / "django-admin")]
    for area in areas():
        if names and area.name not in names:
            continue
        (area / "locale").mkdir(exist_ok=True)
        subprocess.run([*django_admin, "makemessages", "-l", LANGUAGE, "--no-obsolete"], cwd=area, env=env, check=True)
        subprocess.run([*django_admin, "compilemessages", "-l", LANGUAGE], cwd=area, env=env, check=True)


if __name__ == "__main__":
    run(sys.argv[1:])
