"""Queue tasks of the dispatch app: they only call services.

The purge is periodic and safe when several consumers run it at once: it deletes by a time
cut-off, so a second run at the same moment finds nothing left to delete.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.dispatch.services import tracks_purge


@db_periodic_task(crontab(minute="41"))
def tracks_purge_task() -> int:
    """Hourly: position tracks older than GRIDGOV_TRACK_DAYS."""
    return tracks_purge()
