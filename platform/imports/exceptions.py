"""Domain errors of imports; each means the operation was refused and nothing changed."""


class ImportRefused(Exception):
    pass


class NotAllowed(ImportRefused):
    pass


class InvalidState(ImportRefused):
    """The import is not in a state that allows this step (e.g. a second commit)."""
