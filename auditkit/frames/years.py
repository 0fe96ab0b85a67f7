"""Frames that hold a report against the same agency's report of the year before (``Prior``):
上年结转 against last year's 结转下年度 (carry_over), 现行有效 against last year's plus
制发 minus 废止 (in_force), and sections 一 and 五 against last year's text (repetition)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditkit.agency import Prior
from auditkit.frames.frame import Frame, format_value
from auditkit.frames.keys import APPLICANTS, IN_FORMAT, KEY_INDEX, key_indices, key_label
from auditkit.narrative import APPLICANT_LABELS, REPEATED_SECTIONS, containment, grams_of, shingles_many
from auditkit.record import Report

DOCUMENT_KINDS = ("regulations", "normative_documents")


def _prior_value(prior: Prior, key: str) -> float:
    v = prior.report.cells.get(key)
    return np.nan if v is None else float(v)


def build_carry_over(reports: Sequence[Report], values: np.ndarray, priors: Sequence[Prior | None]) -> Frame:
    """One row per (report with a prior, applicant column): 上年结转 and last year's 结转下年度."""
    rows, maps = [], []
    for i, r in enumerate(reports):
        prior = priors[i]
        if prior is None or r.format not in IN_FORMAT:
            continue
        for c in APPLICANTS:
            key = f"requests.carried_over.{c}"
            rows.append((i, c, values[i, KEY_INDEX[key]], _prior_value(prior, f"requests.carried_forward.{c}")))
            maps.append(KEY_INDEX[key])
    df = pd.DataFrame(rows, columns=["report", "applicant", "carried_over", "prev_carried_forward"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array(maps, dtype=np.int32).reshape(-1, 1)

    def note(d: Frame, p: int) -> str:
        prior, c = priors[d.col("report")[p]], d.col("applicant")[p]
        return (f"{prior.describe()}；其「结转下年度继续办理/{APPLICANT_LABELS[c]}」"
                f"= {format_value(prior.report.cells.get(f'requests.carried_forward.{c}'))}")

    return Frame("carry_over", df, ("row_id", "report", "applicant"), {"carried_over": km},
                 place=lambda d, p: f"申请人列「{APPLICANT_LABELS[d.col('applicant')[p]]}」", note=note)


def build_in_force(reports: Sequence[Report], values: np.ndarray, priors: Sequence[Prior | None]) -> Frame:
    """One row per (2021-format report with a prior, document kind): 现行有效, 制发, 废止 and last year's 现行有效."""
    rows, maps = [], []
    for i, r in enumerate(reports):
        prior = priors[i]
        if prior is None or r.format != "2021":
            continue
        same = prior.report.format == "2021"
        for doc in DOCUMENT_KINDS:
            keys = [f"active.{doc}.{c}" for c in ("in_force", "issued", "repealed")]
            prev = _prior_value(prior, f"active.{doc}.in_force") if same else np.nan
            rows.append((i, doc, values[i, KEY_INDEX[keys[0]]], prev, values[i, KEY_INDEX[keys[1]]],
                         values[i, KEY_INDEX[keys[2]]], same))
            maps.append(key_indices(keys))
    df = pd.DataFrame(rows, columns=["report", "document", "in_force", "prev_in_force", "issued", "repealed",
                                     "same_format"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array(maps, dtype=np.int32).reshape(-1, 3)
    keymap = {"in_force": km[:, 0:1], "issued": km[:, 1:2], "repealed": km[:, 2:3], "same_format": km[:, 0:1]}

    def note(d: Frame, p: int) -> str:
        prior, doc = priors[d.col("report")[p]], d.col("document")[p]
        same = prior.report.format == "2021"
        return (f"{prior.describe()}（{prior.report.format}年格式）；其「现行有效件数」= "
                f"{format_value(prior.report.cells.get(f'active.{doc}.in_force')) if same else '—'}")

    return Frame("in_force", df, ("row_id", "report", "document"), keymap,
                 place=lambda d, p: "规章" if d.col('document')[p] == "regulations" else "行政规范性文件",
                 note=note)


def build_repetition(reports: Sequence[Report], priors: Sequence[Prior | None]) -> Frame:
    """One row per (report with a prior, section 一 or 五): how much of its text last year's holds."""
    sections_ = REPEATED_SECTIONS
    pairs = [(i, priors[i].report) for i in range(len(reports)) if priors[i] is not None]
    # Each report's n-grams once: as its read worker found them, else in one vectorised pass over
    # every other text involved.
    involved = list({id(r): r for r in [reports[i] for i, _ in pairs] + [p for _, p in pairs]}.values())
    grams: dict[tuple[int, str], np.ndarray] = {}
    todo = []
    for r in involved:
        read = grams_of(r.sections, r.figures)
        if read is None:
            todo.append(r)
        else:
            grams.update(((id(r), s), read[s]) for s in sections_)
    texts = [r.sections.get(s) or "" for r in todo for s in sections_]
    grams.update(zip([(id(r), s) for r in todo for s in sections_], shingles_many(texts), strict=True))
    rows = []
    for i, prior in pairs:
        for s in sections_:
            sim = containment(grams[(id(reports[i]), s)], grams[(id(prior), s)])
            rows.append((i, s, np.nan if sim is None else round(sim, 4)))
    df = pd.DataFrame(rows, columns=["report", "section", "similarity"])
    df.insert(0, "row_id", np.arange(len(df)))
    km = np.array([KEY_INDEX[f"section.{s}"] for s in df["section"]], dtype=np.int32).reshape(-1, 1)
    return Frame("repetition", df, ("row_id", "report", "section"), {"similarity": km},
                 place=lambda d, p: key_label(f"section.{d.col('section')[p]}"),
                 note=lambda d, p: f"与{priors[d.col('report')[p]].describe()}相比")
