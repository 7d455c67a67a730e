"""Files shipped with the app (the embedded MNIST, the icon) and the app's version.

Paths are found from this package's own location, which holds in a checkout, in an
installed wheel and in the standalone bundle (there `__file__` lies under sys._MEIPASS).
"""
from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
ICONS_DIR = RESOURCES_DIR / "icons"
ICON_SVG = ICONS_DIR / "nn-explorer.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
DISTRIBUTION = "nn-explorer"  # the name in pyproject.toml


def icon_png(size: int) -> Path:
    """Return the path of the app icon rendered at size × size pixels."""
    return ICONS_DIR / f"nn-explorer-{size}.png"


def version() -> str:
    """Return the app's version: from the installed package's metadata, else the bundle's or the checkout's."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    bundled = RESOURCES_DIR / "VERSION"  # written by packaging/build_bundle.py
    if bundled.is_file():
        return bundled.read_text(encoding="utf-8").strip()
    pyproject = RESOURCES_DIR.parent / "pyproject.toml"  # a checkout that was never installed
    if pyproject.is_file():
        for line in pyproject.read_text(encoding="utf-8").splitlines():
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    return "unknown"
