"""What a report's text says: the figures it states (to hold against the tables) and how much of
it repeats last year's text.

- ``metrics``: what a stated figure counts, its words, and the table cells behind it
- ``figures``: reading the figures out of the sentences (counts, shares, claims, changes)
- ``repetition``: character n-grams and their overlap
"""

from auditkit.narrative.figures import FIGURES_VERSION, extract_figures, figures_of, read_figures
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

__all__ = [
    "APPLICANT_LABELS", "APPLICANT_WORDS", "FIGURES_VERSION", "KINDS", "METRIC_LABELS", "OUTCOME_LABELS",
    "SUB_ROW_LABELS", "StatedFigure", "containment", "extract_figures", "figures_of", "metric_label",
    "metric_terms", "read_figures", "share_bases", "shingles", "shingles_many", "similarity",
]
