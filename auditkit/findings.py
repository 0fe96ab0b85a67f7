"""The findings table: one row per (report, rule, place) an auditor must look at.

This module owns the columns, the stable ``finding_id`` and the ways findings
leave the program (JSON Lines, CSV for Excel). It knows nothing of Great
Expectations; ``auditkit.rules.outcomes`` fills it from validation results.

``status`` is ``failed`` (the rule does not hold), or ``unverified`` (the rule
holds, but only on values the reader recovered from the table's own arithmetic,
so it proves nothing; always severity ``info``). Checks skipped because a cell
has no value are not findings; they are counted (``AuditResult.skipped``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditkit.vocabulary import SEVERITY_ORDER

if TYPE_CHECKING:
    import pandas as pd

FINDING_COLUMNS = (
    "finding_id",  # stable across re-runs: sha256 of the report content, the rule and the cells
    "source", "sha256", "agency", "year",
    "rule_id", "category", "severity", "status",
    "description",  # what the rule says, for the auditor (Chinese)
    "place",  # where in the report, in words: 行「（一）予以公开」, 申请人列「自然人」…
    "keys",  # cell keys involved (list)
    "expected", "actual", "difference",
    "evidence",  # the sentence or the cells' text as written, with their location
    "basis",  # the article or line of the format notice the rule rests on
    # The review queue (``auditkit.queue``): "problem" (the agency's defect) or "reading" (需人工核对读数:
    # a check that held only on inferred values, a cell that could not be read)
    "queue",
    "also_rules",  # other rules that raised the same defect on the same cells, merged into this finding (list)
    "copies",  # the other files of the same report, audited once on this one (list)
    "rule_name",  # the rule's Chinese name
    "place_text",  # where in the document, as the auditor finds it: 第3页 表三 第12行
    "cells_text",  # the cells as the report prints them: 表三 三、本年度办理结果（七）总计 — 自然人
    "figures_text",  # the figures in words: 应为 51，实际 52 / 正文 393 / 表格 470 / 5 个单元格无法确定读数 / 66.7%
)
LIST_COLUMNS = ("keys", "also_rules", "copies")


def finding_id(report_id: str, rule_id: str, keys: Sequence[str], place: str = "") -> str:
    """A fingerprint of the report content (its sha256), the rule and the cells (and place)."""
    text = "\x1f".join([report_id, rule_id, ",".join(sorted(keys)), place])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def plain(value: Any) -> Any:
    """A JSON-friendly value: numpy scalars to Python, whole floats to int, NaN/NaT to None."""
    if value is None:
        return None
    if type(value).__name__ == "datetime64":  # numpy's: .item() would give nanoseconds
        import pandas as pd

        value = pd.Timestamp(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else round(value, 6)
    if hasattr(value, "isoformat"):
        try:
            import pandas as pd

            if value is pd.NaT:
                return None
        except ImportError:
            pass
        return value.isoformat()[:10]
    return value


def findings_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The findings DataFrame of new findings: columns in order, every ``finding_id`` unique, sorted by
    report, severity, rule, place. This is where ids are made final; a frame read back from
    ``findings.jsonl`` keeps the ids stored there (``read_jsonl``)."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=list(FINDING_COLUMNS))
    dup = df["finding_id"].duplicated(keep=False)
    if dup.any():
        # The same rule on the same cells twice (a figure stated in two sentences): the evidence
        # tells them apart, and stays the same from run to run.
        df.loc[dup, "finding_id"] = [
            finding_id(f"{i}|{e}", r, []) for i, r, e in zip(df.loc[dup, "finding_id"], df.loc[dup, "rule_id"],
                                                             df.loc[dup, "evidence"], strict=True)]
    later = df["finding_id"].duplicated(keep="first")
    if later.any():
        # Identical even in their evidence (the same report twice in records given directly, not through a
        # batch, which audits a copy once): the first keeps its id, the others are numbered in the order
        # found, so that no two findings share an id.
        nth = df.groupby("finding_id").cumcount()[later]
        df.loc[later, "finding_id"] = [finding_id(f"{i}#{n}", "", []) for i, n in
                                       zip(df.loc[later, "finding_id"], nth, strict=True)]
    return _ordered(df)


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    if len(df):
        df["_sev"] = df["severity"].map(SEVERITY_ORDER)
        df = df.sort_values(["source", "_sev", "rule_id", "place", "finding_id"], kind="stable")
        df = df.drop(columns="_sev").reset_index(drop=True)
    for col in ("expected", "actual", "difference", "year"):
        df[col] = df[col].astype(object)
    return df


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as JSON-ready dicts (keys as a list, numbers as numbers)."""
    out = []
    for row in df.itertuples(index=False):
        rec = {c: plain(v) if c not in LIST_COLUMNS else _list(v) for c, v in zip(df.columns, row, strict=True)}
        out.append(rec)
    return out


def _list(value: Any) -> list[Any]:
    """A list column's value as a list (a findings file written before the column existed has none)."""
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value) if hasattr(value, "__iter__") and not isinstance(value, str) else [value]


def write_jsonl(df: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        for rec in records(df):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """CSV for Excel (UTF-8 with a BOM), text that looks like a formula neutralised (``auditkit.csvfile``)."""
    from auditkit.csvfile import write_rows

    write_rows(path, list(df.columns), (["; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                                         for v in rec.values()] for rec in records(df)))


def read_jsonl(path: str | Path) -> pd.DataFrame:
    """Findings written by ``write_jsonl``, back as a DataFrame, each with the ``finding_id`` stored (never
    derived again: decisions are recorded against the stored ids)."""
    import pandas as pd

    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    df = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    for col in ("expected", "actual", "difference", "year"):
        df[col] = df[col].astype(object)
    return df  # in the order written: the review's (``auditkit.queue``)


def count_by(df: pd.DataFrame, column: str, status: str | None = "failed") -> dict[str, int]:
    sel = df if status is None else df[df["status"] == status]
    return {str(k): int(v) for k, v in sel[column].value_counts().items()}
