"""Notice templates: first line the title, the rest the body, filled with `string.Template`.

`substitute` (not `safe_substitute`): a placeholder without a value is a bug and must fail loudly,
never reach a person as "$predikat". Reading the files is the adapters' job (at start-up, once);
here templates are text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import Template

from services.notifications.domain.facts import NoticeDraft
from services.notifications.domain.labels import LANGUAGES


class TemplateError(LookupError):
    """A template is missing, malformed, or asks for a value the facts do not have."""


@dataclass(frozen=True)
class NoticeTemplate:
    title: Template
    body: Template

    @classmethod
    def parse(cls, text: str, name: str = "?") -> NoticeTemplate:
        title, _, body = text.strip().partition("\n")
        if not title.strip() or not body.strip():
            raise TemplateError(f"template {name!r} needs a title line and a body")
        return cls(Template(title.strip()), Template(body.strip()))

    def render(self, facts: Mapping[str, str], name: str = "?") -> tuple[str, str]:
        try:
            return self.title.substitute(facts), self.body.substitute(facts)
        except KeyError as exc:
            raise TemplateError(f"template {name!r} needs a value for ${exc.args[0]}") from exc
        except ValueError as exc:  # a stray "$" in the template text
            raise TemplateError(f"template {name!r} is malformed: {exc}") from exc


@dataclass(frozen=True)
class RenderedNotice:
    """The same notice in every language: {"id": (title, body), "en": (title, body)}."""

    texts: Mapping[str, tuple[str, str]]


class TemplateSet:
    def __init__(self, templates: Mapping[tuple[str, str], NoticeTemplate]) -> None:
        self._templates = dict(templates)  # (language, name) -> template

    @classmethod
    def from_texts(cls, texts: Mapping[tuple[str, str], str]) -> TemplateSet:
        return cls({key: NoticeTemplate.parse(text, f"{key[0]}/{key[1]}") for key, text in texts.items()})

    def get(self, lang: str, name: str) -> NoticeTemplate:
        try:
            return self._templates[(lang, name)]
        except KeyError:
            raise TemplateError(f"no template {lang}/{name}") from None

    def missing(self, names: Iterable[str]) -> list[str]:
        return [f"{lang}/{name}" for name in names for lang in LANGUAGES if (lang, name) not in self._templates]

    def require(self, names: Iterable[str]) -> TemplateSet:
        """Refuse to start with a gap: every name in every language."""
        missing = self.missing(names)
        if missing:
            raise TemplateError(f"missing notice templates: {', '.join(missing)}")
        return self

    def render(self, draft: NoticeDraft) -> RenderedNotice:
        name = draft.template
        return RenderedNotice(
            {lang: self.get(lang, name).render(draft.facts[lang], f"{lang}/{name}") for lang in LANGUAGES}
        )
