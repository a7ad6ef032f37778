"""How far a question-set run is: done of total, the rate, the time left."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SetProgress:
    """A snapshot of a run's progress.

    ``done`` counts every finished request (ok or failed) including ``resumed`` ones found
    done before this run started; ``rate`` is requests per second over this run's own
    requests (``(done − resumed) / elapsed``; ``None`` until one finished), ``eta`` seconds
    left at that rate (``None`` without a rate)."""

    done: int
    total: int
    failed: int
    resumed: int
    elapsed: float
    rate: float | None
    eta: float | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def progress(done: int, total: int, failed: int, resumed: int, elapsed: float) -> SetProgress:
    """The snapshot for these counts after ``elapsed`` seconds of this run."""
    ran = done - resumed
    rate = ran / elapsed if ran > 0 and elapsed > 0 else None
    eta = (total - done) / rate if rate else None
    return SetProgress(done, total, failed, resumed, elapsed, rate, eta)


def duration_text(seconds: float | None) -> str:
    """``1:05:09``, ``4:07`` or ``–`` (unknown)."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def done_text(p: SetProgress, unit: str = "requests") -> str:
    """The counts alone: ``130/1000 requests · 2 failed``."""
    return f"{p.done}/{p.total} {unit}" + (f" · {p.failed} failed" if p.failed else "")


def progress_text(p: SetProgress, unit: str = "requests") -> str:
    """One line: ``120/3000 requests · 3 failed · 4.2/s · 11:26 left``."""
    parts = [f"{p.done}/{p.total} {unit}"]
    if p.failed:
        parts.append(f"{p.failed} failed")
    if p.rate is not None:
        parts.append(f"{p.rate:.1f}/s")
        parts.append(f"{duration_text(p.eta)} left")
    return " · ".join(parts)
