import re

from .normalize import strip_accents

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text, separator="-", max_length=None):
    """URL slug: ASCII lowercase words joined by separator, at most max_length characters."""
    slug = _NOT_SLUG.sub(separator, strip_accents(text).lower()).strip(separator)
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length]
    return slug


def unique_slug(text, taken, **options):
    """slugify(text), with -2, -3... appended until it is not in `taken`."""
    base = slugify(text, **options) or "item"
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug
