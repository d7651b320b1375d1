"""Exceptions raised for input a user can fix; each message names the input."""


class DatasetteInputError(ValueError):
    """Something the user named cannot be opened; the message says what to do."""


class DatabaseFileError(DatasetteInputError):
    """A database file is missing, unreadable or not SQLite."""


class MetadataFileError(DatasetteInputError):
    """A metadata file is missing or is not valid JSON or YAML."""


class SettingError(DatasetteInputError):
    """A Datasette setting name or value is not valid."""
