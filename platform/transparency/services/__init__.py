"""The one write of this app: compute the public figures into a new snapshot.

Every figure is aggregated by the database (``GROUP BY`` month, region and category; a
histogram of whole days per agency for the medians), so Python only ever sees grouped
rows, never a need or a contract: about twenty-five queries whatever the data's size.
The definitions are in ``transparency.figures`` and docs/architecture.md.

One module per part of the snapshot: ``gathering`` and ``figure_rows`` (the figures),
``agencies`` (timeliness), ``best_records``, and ``snapshot``, which computes them all
and swaps the snapshot in. The names callers use are re-exported here.
"""

from transparency.services.agencies import _median, _p90
from transparency.services.gathering import COUNTY_PATH, REGION_LEVELS
from transparency.services.snapshot import snapshot_compute, snapshot_refresh_if_stale

__all__ = ["COUNTY_PATH", "REGION_LEVELS", "_median", "_p90", "snapshot_compute", "snapshot_refresh_if_stale"]
