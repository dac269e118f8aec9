"""The logo search's speed-ups change no result: padded FFT lengths, and templates kept between searches."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flashfusion.linting import logo
from tests.unit.lint.test_logo import LOGO, negative, positive


def _factors_ok(n: int) -> bool:
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


@pytest.mark.parametrize("n", [1, 2, 7, 17, 97, 438, 779, 1080, 1146, 1921, 4096])
def test_fast_length_is_the_smallest_even_5_smooth_length_not_below_n(n: int) -> None:
    got = logo._fast_length(n)
    assert got >= n
    assert got % 2 == 0
    assert _factors_ok(got)
    assert not any(m % 2 == 0 and _factors_ok(m) for m in range(max(2, n), got))


def _direct_ncc(image: np.ndarray, gray: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The masked NCC written out window by window (float64): what the FFT version must equal."""
    h, w = gray.shape
    n = mask.sum()
    t = (gray - (gray * mask).sum() / n) * mask
    t_norm = math.sqrt((t * t).sum())
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for y in range(out.shape[0]):
        for x in range(out.shape[1]):
            window = image[y : y + h, x : x + w]
            s1, s2 = (window * mask).sum(), (window * window * mask).sum()
            var = s2 - s1 * s1 / n
            if var < n * logo.MIN_STD**2:
                continue
            out[y, x] = (window * t).sum() / (t_norm * math.sqrt(var))
    return np.clip(out, -1, 1)


@pytest.mark.parametrize("shape", [(37, 53), (41, 29), (61, 47)])
def test_padded_correlation_equals_the_direct_ncc_at_every_valid_offset(shape: tuple[int, int]) -> None:
    # Odd, prime-ish sides: the transform is padded to a longer length, which must not wrap into the result.
    rng = np.random.default_rng(shape[0])
    image = rng.random(shape).astype(np.float32)
    template = logo._template(LOGO)
    sized = template.at(23)
    assert sized is not None
    correlator = logo._Correlator(image)
    assert correlator.fft_shape != shape
    got = correlator.ncc(template, sized)
    assert got is not None
    gray = np.where(sized.mask > 0, sized.centred, 0.0)  # any values inside the mask give the same NCC
    expected = _direct_ncc(image.astype(np.float64), gray.astype(np.float64), sized.mask.astype(np.float64))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=2e-4)


def test_a_kept_template_gives_the_same_match_as_a_fresh_one() -> None:
    image, _ = positive(("scene", 0.10, (0.85, 0.10), 0.5))
    logo._templates.clear()
    fresh = logo._search(image, LOGO)
    # Other sizes in between fill the kept spectra; the first image again must find the same box and score.
    logo._search(negative(("shapes", 1.0)), LOGO)
    logo._search(negative(("scene", 1.5)), LOGO)
    again = logo._search(image, LOGO)
    assert fresh is not None
    assert again == fresh
    assert len(logo._templates) == 1


def test_kept_spectra_stay_within_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logo, "SPECTRA_BUDGET_BYTES", 2 * 2**20)
    template = logo._template(LOGO)
    for side in range(60, 200, 7):
        correlator = logo._Correlator(np.random.default_rng(side).random((side * 2, side)).astype(np.float32))
        sized = template.at(side / 3)
        assert sized is not None
        correlator.ncc(template, sized)
    kept = sum(v.nbytes for v in template._spectra.values())
    assert 0 < kept <= 2 * 2**20
