"""Storage: one aiosqlite connection, versioned migrations, repositories. All SQL lives here."""

from db.connection import Database
from db.repos import Repos

__all__ = ["Database", "Repos"]
