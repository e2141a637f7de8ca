from .vectors import add, cross, length, scale, sub


def _edges(points):
    return zip(points, points[1:] + points[:1])


def signed_area(points):
    return sum(cross(a, b) for a, b in _edges(points)) / 2


def area(points):
    return abs(signed_area(points))


def perimeter(points):
    return sum(length(sub(b, a)) for a, b in _edges(points))


def centroid(points):
    total = signed_area(points)
    if total == 0:
        raise ValueError("degenerate polygon")
    acc = (0.0, 0.0)
    for a, b in _edges(points):
        acc = add(acc, scale(add(a, b), cross(a, b)))
    return scale(acc, 1 / (6 * total))


def bounding_box(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys)), (max(xs), max(ys))
