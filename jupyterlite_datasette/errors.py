"""Exceptions raised for input a user can fix; each message names the input."""


class DatasetteInputError(ValueError):
    """Something the user named cannot be opened; the message says what to do."""


class DatabaseFileError(DatasetteInputError):
    """A database file is missing, unreadable or not SQLite."""


class MetadataFileError(DatasetteInputError):
    """A metadata file is missing or is not valid JSON or YAML."""


class SettingError(DatasetteInputError):
    """A Datasette setting name or value is not valid."""


class DownloadError(DatasetteInputError):
    """A URL could not be downloaded: not found, unreachable, too slow."""


class TabularFileError(DatasetteInputError):
    """A CSV, TSV or JSON file (or a DataFrame) cannot be made into a table."""


class SqlFileError(DatasetteInputError):
    """A SQL file cannot be read, or its SQL fails."""


class TableNameError(DatasetteInputError):
    """Two sources would make tables of the same name, or a name is not usable."""


class ExportError(DatasetteInputError):
    """Data cannot be had from a page or database the user named (no rows there, no such database)."""
