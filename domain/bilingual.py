"""Every text shown to people comes as a (Thai, English) pair: Thai first."""

from domain.models import Language

Bilingual = tuple[str, str]


def pick(pair: Bilingual, language: Language) -> str:
    return pair[1] if language == Language.ENGLISH else pair[0]
