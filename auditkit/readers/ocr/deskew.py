"""Clean a page image and set it upright: ink mask, red-stamp mask, photo page quad, skew, 90/180 turns.

All functions take and return numpy arrays; ``dpi`` is the resolution the image is at.
"""

from __future__ import annotations

import cv2
import numpy as np


def text_grey(bgr: np.ndarray) -> np.ndarray:
    """The red channel as the grey image to read: black print stays black, a red seal goes pale."""
    return bgr[:, :, 2] if bgr.ndim == 3 else bgr


def normalise(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Divide out the paper (grey paper, shading, uneven light): paper -> 255, print stays dark."""
    k = max(15, int(dpi / 8)) | 1  # wider than any stroke, narrower than a cell
    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    kk = max(3, k // 4) | 1
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (kk, kk)))
    bg = cv2.GaussianBlur(bg, (0, 0), kk / 2)
    bg = cv2.resize(bg, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = grey.astype(np.float32) * 255.0 / np.maximum(bg.astype(np.float32), 1.0)
    return np.clip(out, 0, 255).astype(np.uint8)


def ink_mask(norm: np.ndarray, dpi: float) -> np.ndarray:
    """Print pixels (255) of a normalised page, specks removed."""
    thr, _ = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = float(np.clip(thr, 150, 215))
    ink = (norm < thr).astype(np.uint8) * 255
    speck = max(2, int((dpi / 150) ** 2 * 3))
    _n, lab, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < speck
    small[0] = False
    if small.any():
        ink[small[lab]] = 0
    return ink


def red_mask(bgr: np.ndarray) -> np.ndarray:
    """Seal ink: saturated red (255)."""
    if bgr.ndim != 3:
        return np.zeros(bgr.shape, np.uint8)
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((h <= 10) | (h >= 165)) & (s >= 70) & (v >= 70)
    return red.astype(np.uint8) * 255


def skew_angle(ink: np.ndarray, max_deg: float = 5.0) -> float:
    """How far the page's lines are turned, in degrees counter-clockwise (cv2's sign): ``rotate(img, -angle)``
    levels them.

    Projection profile: the angle at which the ink's row histogram is sharpest (sum of squares),
    over a sample of ink pixels: coarse (0.25°) on every other pixel, then fine (0.025°) at full
    resolution. Ruled lines and text lines both count.
    """
    rng = np.random.default_rng(0)

    def sample(step: int) -> tuple[np.ndarray, np.ndarray]:
        ys, xs = np.nonzero(ink[::step, ::step])
        if len(xs) > 80000:
            pick = rng.choice(len(xs), 80000, replace=False)
            xs, ys = xs[pick], ys[pick]
        return ys.astype(np.float64), xs.astype(np.float64) - ink.shape[1] / (2 * step)

    def score(deg: float, ys: np.ndarray, xs: np.ndarray) -> float:
        a = np.deg2rad(deg)
        y2 = ys * np.cos(a) + xs * np.sin(a)  # row of each pixel after turning the page by -deg
        hist = np.bincount((y2 - y2.min()).astype(np.int64))
        return float((hist.astype(np.float64) ** 2).sum())

    ys, xs = sample(2)
    if len(xs) < 200:
        return 0.0
    coarse = np.arange(-max_deg, max_deg + 1e-6, 0.25)
    best = max(coarse, key=lambda d: score(d, ys, xs))
    ys, xs = sample(1)
    fine = np.arange(best - 0.3, best + 0.3 + 1e-6, 0.025)
    return float(max(fine, key=lambda d: score(d, ys, xs)))


def rotate(img: np.ndarray, deg: float, fill: int | tuple = 255) -> np.ndarray:
    """Turn by ``deg`` (cv2 convention) about the centre, same canvas, paper-coloured corners."""
    if abs(deg) < 0.02:
        return img
    h, w = img.shape[:2]
    m = rotation_matrix(img.shape, deg)
    if img.ndim == 3 and isinstance(fill, int):
        fill = (fill, fill, fill)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def rotation_matrix(shape: tuple[int, ...], deg: float) -> np.ndarray:
    """The 2x3 matrix ``rotate`` turns an image of ``shape`` by: pixel (x, y) -> (x', y')."""
    h, w = shape[:2]
    return cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)


def turn_matrix(shape: tuple[int, ...], turned: int) -> np.ndarray:
    """The 3x3 matrix of ``cv2.rotate`` by ``turned`` degrees clockwise (0, 90, 180, 270) on an image of
    ``shape``: pixel (x, y) -> (x', y')."""
    h, w = shape[:2]
    return {0: np.eye(3),
            90: np.array([[0.0, -1, h], [1, 0, 0], [0, 0, 1]]),
            180: np.array([[-1.0, 0, w], [0, -1, h], [0, 0, 1]]),
            270: np.array([[0.0, 1, 0], [-1, 0, w], [0, 0, 1]])}[turned]


def page_quad(bgr: np.ndarray) -> np.ndarray | None:
    """The paper's four corners in a photo (tl, tr, br, bl), or None when the page fills the frame."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 3)
    _, th = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    th = cv2.morphologyEx(th, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    cnts, _ = cv2.findContours(th, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cnts:
        return None
    c = max(cnts, key=cv2.contourArea)
    area = cv2.contourArea(c) / (small.shape[0] * small.shape[1])
    if not 0.25 < area < 0.93:
        return None
    peri = cv2.arcLength(c, True)
    for eps in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(c, eps * peri, True)
        if len(approx) == 4:
            break
    else:
        return None
    pts = approx.reshape(4, 2).astype(np.float32) / scale
    s = pts.sum(1)
    d = np.diff(pts, axis=1).ravel()
    return np.float32([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def unwarp(bgr: np.ndarray, quad: np.ndarray, dpi: float, page_mm: tuple[float, float] = (210, 297)) -> np.ndarray:
    """Map the photographed page onto an upright rectangle; A4 proportions unless the quad says otherwise."""
    tl, tr, br, bl = quad
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    ratio = h / max(w, 1)
    a4 = page_mm[1] / page_mm[0]
    if abs(ratio - a4) < 0.12 * a4:
        ratio = a4
    out_w = round(page_mm[0] / 25.4 * dpi)
    out_h = round(out_w * ratio)
    dst = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    m = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(bgr, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def unwarp_matrix(quad: np.ndarray, unwarped_shape: tuple[int, ...]) -> np.ndarray:
    """The 3x3 homography ``unwarp`` applied, given the quad and the shape of the image it made."""
    h, w = unwarped_shape[:2]
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    return cv2.getPerspectiveTransform(quad, dst)
