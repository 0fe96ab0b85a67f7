"""The torture set of issue 12: documents made from the truth files in the ways agencies and
crawlers really mangle them, and a harness that counts every silent error in reading them.

``cases``: what each case exhibits and how it is made (``build_cases``); ``harness``: read
a case and sort each cell into right / null with a reason / silent null / wrong. The
generators: ``model`` (a report as paragraphs and grids), ``cms_html``, ``drawn_pdf``
(reportlab), ``word`` (WordprocessingML) and ``crawler``.
"""
