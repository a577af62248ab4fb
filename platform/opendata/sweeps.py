from datetime import timedelta

from core.sweeps import sweep


@sweep("open_data_publish", every=timedelta(hours=1))
def open_data_publish() -> int:
    """Regenerate the open-data files once they are a day old (checked hourly, so a
    restart of the scheduler neither skips a day nor regenerates at once)."""
    from opendata.publish import open_data_publish, stale

    due = stale()
    if due:
        open_data_publish(only=due)
    return len(due)
