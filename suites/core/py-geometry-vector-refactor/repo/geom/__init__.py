from . import matrix, polygon, vectors

__all__ = ["matrix", "polygon", "vectors"]
