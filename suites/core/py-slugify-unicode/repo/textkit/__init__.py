from .normalize import collapse_whitespace, strip_accents
from .slug import slugify, unique_slug
from .truncate import truncate_words

__all__ = ["collapse_whitespace", "slugify", "strip_accents", "truncate_words", "unique_slug"]
