"""Every exception auditkit raises, and the codes it uses for read failures and diagnostics.

One base class, ``AuditkitError``: the command line catches it and turns it into a
one-line message and an exit status; a caller of the library can catch it to tell
auditkit's refusals from bugs. Each subclass also derives from the built-in
exception it used to be (``ValueError``, ``RuntimeError``, …) so that callers that
caught those keep working.

The reasons a document cannot be read (``ReadReason``) and the diagnostic codes a
reader or the matcher attaches to a record (``DiagnosticCode``) are enumerations
of strings: they compare equal to, and serialise as, the plain strings the record
contract (../shared/spec) and the output files use.
"""

from __future__ import annotations

from enum import StrEnum


class ReadReason(StrEnum):
    """Why a document could not be read: ``ReadError.reason``, the ``error`` field of a failure record."""

    EMPTY = "empty"  # no bytes, or only white space
    NOT_A_REPORT = "not_a_report"  # a readable document that is not an annual report
    SCANNED = "scanned"  # pictures of pages, no text layer
    ENCRYPTED = "encrypted"  # password-protected
    TRUNCATED = "truncated"  # the file ends before the document does
    UNKNOWN_ENCODING = "unknown_encoding"  # text whose character encoding cannot be told
    UNSUPPORTED = "unsupported"  # a kind of file auditkit does not read
    CONVERTER_MISSING = "converter_missing"  # needs LibreOffice, which is not installed
    CORRUPT = "corrupt"  # damaged beyond reading
    TIMEOUT = "timeout"  # the converter did not finish in time
    UNREADABLE = "unreadable"  # cannot be opened (permissions, a folder, a device)
    TOO_LARGE = "too_large"  # larger than any annual report (a configurable limit)
    DUPLICATE = "duplicate"  # byte-identical to another file of the batch
    OUTSIDE_FOLDER = "outside_folder"  # a symbolic link in a folder scan that leads out of the folder given
    INTERNAL_ERROR = "internal_error"  # a bug in auditkit: the message says where


class DiagnosticCode(StrEnum):
    """What a reader or the matcher tells the auditor about a value, a label or the record."""

    LABEL_VARIANT = "label_variant"  # a row, column or section title worded otherwise than the format
    MERGED_ROW = "merged_row"  # rows the format splits written as one; the sub-rows are null
    RECOVERED_BY_ARITHMETIC = "recovered_by_arithmetic"  # run-together digits cut by the row's own sums
    AMBIGUOUS_DIGITS = "ambiguous_digits"  # several cuts fit: the cells are null
    NO_VALID_SPLIT = "no_valid_split"  # no cut of the digits fits the row: the cells are null
    DIGITS_SPLIT = "digits_split"  # digits cut where the layout left one reading
    BLANK_CELL = "blank_cell"  # an empty cell: null, not 0
    DASH_CELL = "dash_cell"  # a cell written —, -, /, 无: null
    UNPARSED_VALUE = "unparsed_value"  # a cell holding something that is not a number
    NOT_A_COUNT = "not_a_count"  # a figure where a count stands (8%, (8), 八, l2, a negative): null
    MISSING_TABLE = "missing_table"
    MISSING_SECTION = "missing_section"
    MISSING_ROW = "missing_row"
    MISSING_VALUES = "missing_values"  # a row with fewer values than cells
    EXTRA_VALUES = "extra_values"  # a row with more values than cells
    CUT_OFF = "cut_off"  # a cell the paper's edge cut through or left out: null
    SELF_CHECK = "self_check"  # a value that failed the reader's own check (a bug): null
    OCR_DOUBTFUL = "ocr_doubtful"  # a number OCR could not read for certain (scans): null, what was seen kept
    OCR_PAGE = "ocr_page"  # for information: how a scanned page was set upright to be read (turned, unwarped, levelled)
    FORMAT_GUESS = "format_guess"  # the format could not be told; read as 2021
    YEAR_GUESS = "year_guess"  # the report year taken from somewhere other than the title
    AGENCY_GUESS = "agency_guess"  # the agency taken from somewhere other than the title
    TAKEN_FROM_COPY = "taken_from_copy"  # metadata this file lacks, taken from another file of the same report


class AuditkitError(Exception):
    """Base of every exception auditkit raises on purpose."""


class ReadError(AuditkitError):
    """A document that cannot be read; the message is one line naming the reason."""

    def __init__(self, reason: ReadReason | str, message: str) -> None:
        super().__init__(message)
        self.reason = ReadReason(reason)
        self.message = message


class UsageError(AuditkitError, ValueError):
    """A call or command given something it cannot work with (a path that does not exist, a bad option)."""


class ClusterError(AuditkitError, ConnectionError):
    """The Dask cluster cannot be used: the scheduler cannot be reached, no worker joins,
    or the workers run another auditkit (``auditkit.cluster``)."""


class NotAnAuditFolder(AuditkitError, FileNotFoundError):
    """A folder that holds no audit results (no findings file)."""


class SuiteError(AuditkitError, ValueError):
    """A suite file that cannot be loaded; the message names the file and the expectation."""


class ExpressionError(AuditkitError, ValueError):
    """An identity expression in a suite that auditkit cannot evaluate."""


class ValidationRunError(AuditkitError, RuntimeError):
    """Great Expectations did not return a result for a rule it was given."""


class StoreError(AuditkitError, RuntimeError):
    """The report store cannot be opened or written."""


class ReviewError(AuditkitError, ValueError):
    """A review decision that cannot be recorded (unknown decision, no finding, no reviewer)."""


class ReviewLogError(AuditkitError, RuntimeError):
    """The review log cannot be used: written by a newer auditkit, or its chain of events is broken."""


class NotebookRunError(AuditkitError, ValueError):
    """A notebook that could not be run or exported."""


class OfflineError(AuditkitError, ValueError):
    """A page that would load content from other hosts, and so would not work offline."""
