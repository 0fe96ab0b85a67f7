"""Office documents: Word (.docx; .doc/.rtf/.wps via LibreOffice) and Excel (.xlsx, .xls).

``docx`` reads Word's XML with lxml: merged cells become true spans and text boxes
are kept, which python-docx loses. Legacy Word files are converted to .docx by
LibreOffice headless (``auditkit.readers.libreoffice``; a batch converts its files
ahead in ``legacy_batch``) and then read like any .docx. ``spreadsheet`` reads
.xlsx with openpyxl and .xls with xlrd (or through LibreOffice when xlrd cannot):
a sheet becomes one table per block of rows separated by empty rows, a lone title
or note line around a table a text block. ``reader`` holds the entry points.

Every failure surfaces as ``ReadError`` with a one-line reason, never a traceback.
"""

from auditkit.readers.office.reader import read_doc, read_docx, read_xls, read_xlsx

__all__ = ["read_doc", "read_docx", "read_xls", "read_xlsx"]
