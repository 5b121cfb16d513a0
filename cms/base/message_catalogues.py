"""Compiles the interface translations (`cms/locale/<language>/LC_MESSAGES/django.po`).

The .mo files are build output, not committed: `setup_croody` (so `make run`) and the test
session compile each catalogue whose .mo is missing or older than its .po. polib does it in
Python, so a fresh machine needs no GNU gettext; `manage.py compilemessages` (which needs
it) produces equivalent files.
"""

from collections.abc import Iterable
from pathlib import Path

import polib
from django.conf import settings


def catalogue_files(locale_paths: Iterable[Path | str] | None = None) -> list[Path]:
    """Every .po file under the project's LOCALE_PATHS."""
    paths = settings.LOCALE_PATHS if locale_paths is None else locale_paths
    return sorted(po for path in paths for po in Path(path).glob("*/LC_MESSAGES/*.po"))


def is_stale(po_file: Path) -> bool:
    mo_file = po_file.with_suffix(".mo")
    return not mo_file.exists() or mo_file.stat().st_mtime < po_file.stat().st_mtime


def compile_catalogues(
    locale_paths: Iterable[Path | str] | None = None, *, force: bool = False
) -> list[Path]:
    """Compile the stale catalogues (every one with `force`); return the .po files compiled.

    Fuzzy entries are left out of the .mo, as msgfmt does: Django then shows the source text.
    A read-only tree that already has its .mo files (a container image, compiled at build
    time) is left as it is.
    """
    compiled = []
    for po_file in catalogue_files(locale_paths):
        if not (force or is_stale(po_file)):
            continue
        mo_file = po_file.with_suffix(".mo")
        try:
            polib.pofile(str(po_file)).save_as_mofile(str(mo_file))
        except PermissionError:
            if not mo_file.exists():
                raise
            continue
        compiled.append(po_file)
    if compiled:
        forget_loaded_catalogues()
    return compiled


def forget_loaded_catalogues() -> None:
    """Make this process read the new .mo files: Django keeps every catalogue it has loaded,
    and one read before compiling (django.setup() may translate a string in the default
    language) would stay empty. The same reset Django's test signals do for LOCALE_PATHS."""
    from asgiref.local import Local
    from django.utils.translation import trans_real

    # Private names, absent from django-stubs.
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    trans_real._active = Local()  # type: ignore[attr-defined]
    trans_real.translation_catalog_exists.cache_clear()  # type: ignore[attr-defined]  # lru_cache
