def truncate_words(text, max_length, ellipsis="…"):
    """Shortens text to at most max_length characters, cutting at a word boundary and adding the ellipsis."""
    if len(text) <= max_length:
        return text
    room = max_length - len(ellipsis)
    cut = text[:room]
    if " " in cut and not text[room:room + 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + ellipsis
