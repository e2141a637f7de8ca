import math

import pytest

from geom import matrix, polygon, vectors

SQUARE = [(0, 0), (4, 0), (4, 4), (0, 4)]


def test_vector_functions():
    assert vectors.add((1, 2), (3, 4)) == (4, 6)
    assert vectors.sub((1, 2), (3, 4)) == (-2, -2)
    assert vectors.dot((1, 2), (3, 4)) == 11
    assert vectors.length((3, 4)) == 5
    x, y = vectors.rotate((1, 0), math.pi / 2)
    assert (x, y) == pytest.approx((0, 1))


def test_polygon_measures():
    assert polygon.area(SQUARE) == 16
    assert polygon.perimeter(SQUARE) == 16
    assert polygon.signed_area(list(reversed(SQUARE))) == -16
    cx, cy = polygon.centroid(SQUARE)
    assert (cx, cy) == pytest.approx((2, 2))
    assert polygon.bounding_box([(1, 5), (-2, 3), (4, -1)]) == ((-2, -1), (4, 5))


def test_degenerate_polygon():
    with pytest.raises(ValueError):
        polygon.centroid([(0, 0), (1, 1), (2, 2)])


def test_transforms():
    move_then_turn = matrix.compose(matrix.rotation(math.pi / 2), matrix.translation(1, 0))
    x, y = matrix.apply(move_then_turn, (1, 0))
    assert (x, y) == pytest.approx((0, 2))
    assert matrix.apply(matrix.scaling(2, 3), (1, 1)) == (2, 3)
