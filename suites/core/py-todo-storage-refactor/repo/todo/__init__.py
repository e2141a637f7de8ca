from .models import Task

__all__ = ["Task"]
