"""The reports frame: one row per report, with its agency's kind and publication deadline
(条例第四十九条), its published date, the format its year calls for, and the shares that
plausibility rules look at."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from auditkit.agency import DEADLINE_RULES, agency_kind, publication_deadline
from auditkit.frames.frame import Frame
from auditkit.frames.keys import KEY_INDEX
from auditkit.record import Report


@lru_cache(maxsize=65536)
def _deadline(year: int | None, kind: str) -> pd.Timestamp:
    deadline = publication_deadline(year, kind)
    return pd.Timestamp(deadline) if deadline else pd.NaT


@lru_cache(maxsize=65536)
def _date(text: str | None) -> pd.Timestamp:
    if not text:
        return pd.NaT
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", str(text))
    if not m:
        return pd.NaT
    try:
        return pd.Timestamp(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    except ValueError:
        return pd.NaT


def expected_format(year: int | None) -> str | None:
    if year is None:
        return None
    return "2021" if year >= 2021 else "2019" if year >= 2019 else None


def build_reports(reports: Sequence[Report], values: np.ndarray) -> Frame:
    """One row per report: agency, kind, deadline, published date, format, plausibility shares."""
    v = values
    nh, th = KEY_INDEX["requests.unavailable_not_held.total"], KEY_INDEX["requests.total_handled.total"]
    lc = [KEY_INDEX["appeals.litigation_direct.corrected"], KEY_INDEX["appeals.litigation_after_reconsideration.corrected"]]
    # Per report only what differs by report; dates and deadlines worked out once per distinct value.
    kinds = [agency_kind(r.agency) for r in reports]
    years = [r.year for r in reports]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(v[:, th] > 0, v[:, nh] / v[:, th], np.nan) if len(reports) else np.zeros(0)
    df = pd.DataFrame({
        "report": np.arange(len(reports)), "agency": [r.agency for r in reports], "year": years,
        "format": [r.format for r in reports], "expected_format": [expected_format(y) for y in years],
        "agency_kind": kinds, "published": [_date(r.published) for r in reports],
        "deadline": [_deadline(y, k) for y, k in zip(years, kinds, strict=True)],
        "not_held_share": share, "litigation_corrected": v[:, lc].sum(axis=1) if len(reports) else np.zeros(0),
        "evidence": [f"机关「{r.agency or '未识别'}」{DEADLINE_RULES[k]}；发布日期 {r.published or '未知'}"
                     for r, k in zip(reports, kinds, strict=True)],
    }, columns=["report", "agency", "year", "format", "expected_format", "agency_kind", "published", "deadline",
                "not_held_share", "litigation_corrected", "evidence"])
    df["published"] = pd.to_datetime(df["published"])
    df["deadline"] = pd.to_datetime(df["deadline"])
    df.insert(0, "row_id", np.arange(len(df)))
    n = len(df)

    def one(key: str) -> np.ndarray:
        return np.full((n, 1), KEY_INDEX[key], dtype=np.int32)

    keymap = {
        "published": one("meta.published"), "deadline": one("meta.published"),
        "format": one("meta.format"), "expected_format": one("meta.year"),
        "agency": one("meta.agency"), "year": one("meta.year"),
        "not_held_share": np.tile(np.array([nh, th], dtype=np.int32), (n, 1)),
        "litigation_corrected": np.tile(np.array(lc, dtype=np.int32), (n, 1)),
    }
    return Frame("reports", df, ("row_id", "report"), keymap, place=lambda d, p: "报告",
                 evidence_for=("published", "deadline"))
