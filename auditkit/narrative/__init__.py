"""What a report's text says: the figures it states (to hold against the tables) and how much of
it repeats last year's text.

- ``metrics``: what a stated figure counts, its words, and the table cells behind it
- ``figures``: reading the figures out of the sentences (counts, shares, claims, changes)
- ``repetition``: character n-grams and their overlap
- ``stored``: what the read worker works out from the text and the record keeps
"""

from auditkit.narrative.figures import extract_figures
from auditkit.narrative.metrics import (
    APPLICANT_LABELS,
    APPLICANT_WORDS,
    KINDS,
    METRIC_LABELS,
    OUTCOME_LABELS,
    SUB_ROW_LABELS,
    StatedFigure,
    metric_label,
    metric_terms,
    share_bases,
)
from auditkit.narrative.repetition import containment, shingles, shingles_many, similarity
from auditkit.narrative.stored import (
    FIGURES_VERSION,
    REPEATED_SECTIONS,
    figure_items,
    figures_of,
    grams_of,
    read_figures,
)

__all__ = [
    "APPLICANT_LABELS", "APPLICANT_WORDS", "FIGURES_VERSION", "KINDS", "METRIC_LABELS", "OUTCOME_LABELS",
    "REPEATED_SECTIONS", "SUB_ROW_LABELS", "StatedFigure", "containment", "extract_figures", "figure_items",
    "figures_of", "grams_of", "metric_label", "metric_terms", "read_figures", "share_bases", "shingles",
    "shingles_many", "similarity",
]
