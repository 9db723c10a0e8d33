"""Queue tasks of the events app: they only call services.

Both are periodic and safe when several consumers run them at the same moment: the sweep
claims each warning by compare-and-swap on the event row, the purge deletes a photo only while
it is still unattached (docs/decisions/0014-task-queue.md).
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.events.photos import photos_purge_unattached
from gridgov.events.services import deadlines_sweep
from gridgov.events.services.whistles import whistles_sweep


@db_periodic_task(crontab(minute="*"))
def deadlines_sweep_task() -> int:
    """Every minute: the yellow and red deadline warnings, one timeline row and notice each."""
    return len(deadlines_sweep())


@db_periodic_task(crontab(minute="*"))
def whistles_sweep_task() -> int:
    """Every minute: summonses near or past a deadline (check-in, action, report-back), the
    department and the whistler warned once each (bits claimed by compare-and-swap)."""
    return len(whistles_sweep())


@db_periodic_task(crontab(minute="17"))
def photos_purge_task() -> int:
    """Hourly: uploads never attached to a report (abandoned or refused), files included."""
    return photos_purge_unattached()
