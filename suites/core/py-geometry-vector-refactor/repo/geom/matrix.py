import math


def identity():
    return [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


def translation(dx, dy):
    return [[1, 0, dx], [0, 1, dy], [0, 0, 1]]


def rotation(angle):
    c, s = math.cos(angle), math.sin(angle)
    return [[c, -s, 0], [s, c, 0], [0, 0, 1]]


def scaling(sx, sy=None):
    return [[sx, 0, 0], [0, sx if sy is None else sy, 0], [0, 0, 1]]


def multiply(m, n):
    return [[sum(m[i][k] * n[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def compose(*matrices):
    """compose(a, b, c) applies c first, then b, then a."""
    result = identity()
    for m in matrices:
        result = multiply(result, m)
    return result


def apply(m, point):
    x, y = point
    return (m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2])
