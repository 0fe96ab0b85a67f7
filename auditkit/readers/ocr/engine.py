"""The OCR engine: PP-OCRv4 detection and recognition from rapidocr-onnxruntime's wheel.

Only the ONNX sessions and rapidocr's detector post-processing are used; recognition
is decoded here so that every character keeps its probability, the runner-up class
and where it sits along the line (rapidocr's own result averages the probabilities
into one score per line, and ``return_word_box`` gives boxes but not the per-character
probabilities).

Nothing is downloaded: the three models ship inside the wheel (``rapidocr_onnxruntime/models``).
"""

from __future__ import annotations

import math
from dataclasses import field

import cv2
import numpy as np

from auditkit.precompiled import dataclass

REC_H = 48  # PP-OCRv4 recognition input height
REC_MIN_W = 320  # the model's nominal width; shorter crops are padded to it


@dataclass(slots=True)
class RecChar:
    ch: str
    prob: float  # probability of the emitted class at its best frame
    alt: str  # runner-up non-blank class over the character's frames ("" if none)
    alt_prob: float
    x0: float  # share of the crop width where the character's frames start / end
    x1: float


@dataclass(slots=True)
class RecLine:
    text: str
    chars: list[RecChar] = field(default_factory=list)
    # frames where blank won but a class other than the neighbours' came close: a character may be missing
    dropped: list[tuple[str, float, float]] = field(default_factory=list)  # (class, prob, x share)

    @property
    def min_prob(self) -> float:
        return min((c.prob for c in self.chars), default=0.0)


class Engine:
    """Detection, direction and recognition sessions; build once per process (about 0.5 s of CPU) and reuse."""

    def __init__(self, threads: int = 1) -> None:
        from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier
        from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
        from rapidocr_onnxruntime.utils import OrtInferSession, read_yaml
        from rapidocr_onnxruntime.utils.parse_parameters import update_model_path

        cfg = update_model_path(read_yaml(DEFAULT_CFG_PATH))
        for part in ("Det", "Cls", "Rec"):
            cfg[part]["intra_op_num_threads"] = threads
            cfg[part]["inter_op_num_threads"] = 1
        self.det_cfg = cfg["Det"]
        self.det = TextDetector(cfg["Det"])
        self.cls = TextClassifier(cfg["Cls"])
        self.rec = OrtInferSession(cfg["Rec"])
        chars = self.rec.get_character_list()
        self.classes = ["", *chars, " "]  # 0 = CTC blank, last = space (as rapidocr's CTCLabelDecode)
        self.digit_ids = np.array([i for i, c in enumerate(self.classes) if c in "0123456789"])

    # ------------------------------------------------------------ detection

    def detect(self, img: np.ndarray, max_side: int = 2000) -> list[np.ndarray]:
        """Text-line quadrilaterals (4x2 float, clockwise from top-left) in ``img``'s pixels."""
        h, w = img.shape[:2]
        scale = min(1.0, max_side / max(h, w))
        small = cv2.resize(img, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else img
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        boxes, _ = self.det(small)
        if boxes is None or len(boxes) == 0:
            return []
        return [np.asarray(b, np.float32) / scale for b in boxes]

    def upside_down_votes(self, crops: list[np.ndarray]) -> tuple[int, int]:
        """(upright, upside-down) votes of the 0/180 direction classifier over line crops."""
        crops = [c if c.ndim == 3 else cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
        _, res, _ = self.cls(crops)
        up = sum(1 for label, p in res if label == "0" and p > 0.8)
        down = sum(1 for label, p in res if label == "180" and p > 0.8)
        return up, down

    # ------------------------------------------------------------ recognition

    def recognise(self, crops: list[np.ndarray], batch: int = 8) -> list[RecLine]:
        """Read each crop (one text line, grey or BGR) into characters with probabilities."""
        out: list[RecLine | None] = [None] * len(crops)
        ratios = [c.shape[1] / max(c.shape[0], 1) for c in crops]
        order = np.argsort(ratios)
        for s in range(0, len(crops), batch):
            idx = order[s:s + batch]
            max_ratio = max(REC_MIN_W / REC_H, *(ratios[i] for i in idx))
            width = math.ceil(REC_H * max_ratio)
            x = np.zeros((len(idx), 3, REC_H, width), np.float32)
            widths = []
            for k, i in enumerate(idx):
                c = crops[i]
                if c.ndim == 2:
                    c = cv2.cvtColor(c, cv2.COLOR_GRAY2BGR)
                rw = min(width, math.ceil(REC_H * ratios[i]))
                r = cv2.resize(c, (max(rw, 1), REC_H)).astype(np.float32)
                x[k, :, :, :rw] = (r.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
                widths.append(rw / width)
            preds = self.rec(x)[0]  # (B, T, C) softmax
            for k, i in enumerate(idx):
                out[i] = self._decode(preds[k], widths[k])
        return out  # type: ignore[return-value]

    def _decode(self, p: np.ndarray, used: float) -> RecLine:
        """Greedy CTC decode keeping per-character evidence. ``used``: share of the input width the crop filled."""
        t_len = p.shape[0]
        best = p.argmax(1)
        line = RecLine("")
        t = 0
        prev_cls = 0
        while t < t_len:
            c = int(best[t])
            if c == 0:
                # blank won; is a different character hiding under it?
                row = p[t].copy()
                row[0] = 0
                if prev_cls:
                    row[prev_cls] = 0
                nxt = int(best[t + 1]) if t + 1 < t_len else 0
                if nxt:
                    row[nxt] = 0
                j = int(row.argmax())
                if row[j] > 0.25:
                    line.dropped.append((self.classes[j], float(row[j]), min(1.0, (t + 0.5) / (used * t_len))))
                t += 1
                continue
            u = t
            while u + 1 < t_len and best[u + 1] == c:
                u += 1
            run = p[t:u + 1]
            prob = float(run[:, c].max())
            alt_row = run.max(0).copy()
            alt_row[0] = 0
            alt_row[c] = 0
            j = int(alt_row.argmax())
            sc = 1.0 / (used * t_len)
            line.chars.append(RecChar(self.classes[c], prob, self.classes[j], float(alt_row[j]),
                                      min(1.0, t * sc), min(1.0, (u + 1) * sc)))
            prev_cls = c
            t = u + 1
        line.text = "".join(ch.ch for ch in line.chars)
        return line
