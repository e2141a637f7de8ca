from collections import Counter


def count_by_level(entries):
    return dict(Counter(entry.level for entry in entries))


def top_services(entries, n=3, min_level="WARNING"):
    from .parser import LEVELS

    threshold = LEVELS.index(min_level)
    counts = Counter(entry.service for entry in entries if LEVELS.index(entry.level) >= threshold)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def errors_per_minute(entries):
    """Maps each minute (a datetime with seconds zeroed) to its number of ERROR/CRITICAL entries, in time order."""
    buckets = Counter()
    first = {}
    for entry in entries:
        if entry.level not in ("ERROR", "CRITICAL"):
            continue
        key = entry.timestamp.minute
        buckets[key] += 1
        first.setdefault(key, entry.timestamp.replace(second=0, microsecond=0))
    return {first[key]: count for key, count in sorted(buckets.items())}
