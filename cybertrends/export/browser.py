"""Finding the Chrome/Chromium browser that image export needs, and the errors image export raises.

Discovery re-checks the environment on every call (no cache): `BROWSER_PATH` first, then
Debian's /usr/bin/chromium, then chromium, chromium-browser or google-chrome on PATH. A path is
accepted only if it is an executable whose name says Chrome/Chromium, because Kaleido hangs on
a non-browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from cybertrends import i18n

__all__ = ["UNAVAILABLE_MESSAGE", "ExportError", "ExportUnavailable", "chromium_available", "find_browser",
           "require_browser"]

# The install hint in both languages (tests and callers compare against it).
UNAVAILABLE_MESSAGE = {lang: i18n.t("export_image_unavailable", lang) for lang in i18n.LANGS}

# Checked in this order after BROWSER_PATH (module-level so tests can narrow them).
SYSTEM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium",)
PATH_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")


class ExportError(RuntimeError):
    """An image export failed (browser crashed or stalled)."""


class ExportUnavailable(ExportError):
    """No Chrome/Chromium browser: image export (PNG/SVG/PDF) is not possible here.

    HTML, CSV and XLSX exports still work. `str(error)` is in the requested language;
    `error.messages` holds both languages.
    """

    def __init__(self, lang: str = "es", detail: dict[str, str] | None = None) -> None:
        self.lang = i18n.lang_or_default(lang)
        self.messages = {
            code: UNAVAILABLE_MESSAGE[code] + (f" {detail[code]}" if detail else "") for code in UNAVAILABLE_MESSAGE
        }
        super().__init__(self.messages[self.lang])


def _is_browser(path: str | os.PathLike[str] | None) -> bool:
    """An existing executable file whose name says Chrome/Chromium (a non-browser hangs Kaleido)."""
    if not path:
        return False
    candidate = Path(path)
    try:
        if not candidate.is_file() or not os.access(candidate, os.X_OK):
            return False
        names = {candidate.name.lower(), candidate.resolve().name.lower()}
    except OSError:
        return False
    return any("chrom" in name for name in names)


def find_browser() -> str | None:
    """The Chrome/Chromium executable image exports use, or None. Re-checks the environment on each call.

    Order: `BROWSER_PATH` (only if it is an executable whose name contains "chrom"),
    /usr/bin/chromium, then chromium, chromium-browser, google-chrome on PATH.
    """
    env_path = os.environ.get("BROWSER_PATH")
    if env_path and _is_browser(env_path):
        return env_path
    for candidate in SYSTEM_CANDIDATES:
        if _is_browser(candidate):
            return candidate
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found and _is_browser(found):
            return found
    return None


def chromium_available() -> bool:
    """True when PNG/SVG export can run (a Chrome/Chromium browser was found)."""
    return find_browser() is not None


def require_browser(lang: str) -> str:
    """The browser to use; raises `ExportUnavailable` (naming a rejected BROWSER_PATH) when there is none."""
    browser = find_browser()
    if browser is None:
        env_path = os.environ.get("BROWSER_PATH")
        detail = None
        if env_path:
            detail = {code: i18n.t("export_bad_browser_path", code, path=env_path) for code in i18n.LANGS}
        raise ExportUnavailable(lang, detail)
    return browser
