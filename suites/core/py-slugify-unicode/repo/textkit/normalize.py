import re

# Letters that Unicode does not decompose into a base letter plus accents.
SPECIAL = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d"}


def strip_accents(text):
    """Removes diacritics: 'Crème brûlée' -> 'Creme brulee'."""
    text = "".join(SPECIAL.get(char, char) for char in text)
    return text.encode("ascii", "ignore").decode("ascii")


def collapse_whitespace(text):
    return re.sub(r"\s+", " ", text).strip()
