from datetime import timedelta

from core.sweeps import sweep


@sweep("transparency_snapshot", every=timedelta(days=1))
def transparency_snapshot() -> int:
    """The public figures, recomputed once a day (and at the scheduler's start)."""
    from transparency.services import snapshot_compute

    return snapshot_compute().rows
