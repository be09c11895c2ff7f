"""The package version, read by pyproject.toml and the User-Agent; nothing else lives here."""

__version__ = "0.1.0"
