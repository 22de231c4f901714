"""Both languages are complete: every translatable string in the code has a Simplified
Chinese translation, and the compiled catalogues match their sources."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from salesops.core.i18n_tools import LANGUAGE, PACKAGE_DIR, areas

AREAS_WITH_STRINGS = [area for area in areas() if any(area.rglob("*.py")) and area.name not in {"formats"}]


def catalogue(area: Path) -> Path:
    return area / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
@pytest.mark.parametrize("area", AREAS_WITH_STRINGS, ids=lambda a: a.name)
def test_every_string_in_the_code_has_a_chinese_translation(area, tmp_path):
    copy = tmp_path / area.name
    shutil.copytree(area, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "django-admin"), "makemessages", "-l", LANGUAGE, "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "salesops.settings.test",
            "PYTHONPATH": str(PACKAGE_DIR.parent),
            "PATH": "/usr/bin:/bin",
        },
    )
    found = polib.pofile(str(catalogue(copy))) if catalogue(copy).exists() else []
    committed = polib.pofile(str(catalogue(area))) if catalogue(area).exists() else []
    translated = {(e.msgctxt, e.msgid) for e in committed if e.translated() and "fuzzy" not in e.flags}
    missing = sorted(e.msgid for e in found if (e.msgctxt, e.msgid) not in translated)
    assert missing == [], f"{area.name}: {len(missing)} strings without a zh-hans translation: {missing[:20]}"


@pytest.mark.parametrize("area", [a for a in AREAS_WITH_STRINGS if catalogue(a).exists()], ids=lambda a: a.name)
def test_compiled_catalogue_matches_its_source(area):
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.pofile(str(catalogue(area)))
        if e.translated() and "fuzzy" not in e.flags
    }
    compiled_path = catalogue(area).with_suffix(".mo")
    assert compiled_path.exists(), f"{area.name}: run `make messages` to compile the catalogue"
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(compiled_path)) if e.msgid}
    assert compiled == source
