from datetime import timedelta

from core.sweeps import sweep


@sweep("saved_search_digests", every=timedelta(hours=1))
def saved_search_digests() -> int:
    """Send each daily saved search's digest, at most once a day."""
    from matching.alerts import send_daily_digests

    return send_daily_digests()
