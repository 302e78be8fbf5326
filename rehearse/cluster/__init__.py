"""Analysis on a Dask scheduler (`rehearse analyze --scheduler`): the client side in `client`,
what runs on the workers in `worker`. Importing this package imports neither dask nor
distributed; they are imported when a scheduler is used."""

from rehearse.cluster.client import (
    ClusterError,
    SchedulerSpec,
    analyze_on_scheduler,
    parse_scheduler,
)

__all__ = ["ClusterError", "SchedulerSpec", "analyze_on_scheduler", "parse_scheduler"]
