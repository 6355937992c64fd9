"""Errors a user can act on. Each message says what went wrong and what to do."""


class MizanError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero."""

    exit_code = 1


class IndexNotFound(MizanError):
    """No index at the given directory."""


class NotAnIndex(MizanError):
    """The directory exists but does not hold a Mizan index."""


class IndexVersionMismatch(MizanError):
    """The index was written by a Mizan with another format, normaliser or model."""


class IndexDamaged(MizanError):
    """A part of the index cannot be read (truncated, overwritten, deleted): `mizan check` says which."""


class IndexBusy(MizanError):
    """Another process is writing the index."""


class InputNotFound(MizanError):
    """A path given to the indexer does not exist."""

    exit_code = 2


class UnreadableFile(MizanError):
    """A file that cannot be read as news text (binary, empty, undecodable, no permission)."""


class BackendUnavailable(MizanError):
    """The search server (OpenSearch) cannot be reached, or refuses our credentials."""


class BackendError(MizanError):
    """The search server answered a request with an error it did not recover from."""


class IndexingFailed(MizanError):
    """Some documents could not be indexed; the message names them."""
