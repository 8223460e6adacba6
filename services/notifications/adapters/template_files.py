"""Reads the notice templates from `templates/<language>/<name>.txt` (once, at start-up)."""

from __future__ import annotations

from pathlib import Path

from services.notifications.domain.facts import TEMPLATE_NAMES
from services.notifications.domain.labels import LANGUAGES
from services.notifications.domain.templates import TemplateSet

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def load_templates(directory: Path = TEMPLATES_DIR) -> TemplateSet:
    """Every `<lang>/<name>.txt` under `directory`; fails if a template the service needs is missing."""
    texts = {
        (lang, path.name.removesuffix(".txt")): path.read_text(encoding="utf-8")
        for lang in LANGUAGES
        for path in sorted((directory / lang).glob("*.txt"))
    }
    return TemplateSet.from_texts(texts).require(TEMPLATE_NAMES)
