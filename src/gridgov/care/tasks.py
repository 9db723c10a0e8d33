"""Queue tasks of the care app: they only call services (docs/decisions/0014-task-queue.md)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gridgov.care.overdue import overdue_visits_warn
from gridgov.care.quality import quality_figures_warm


# The queue runs in UTC (settings.HUEY): 00:05 UTC is 08:05 in China, before the day's rounds.
@db_periodic_task(crontab(hour="0", minute="5"))
def overdue_visits_warn_task() -> int:
    """Daily at 08:05 China time: grid workers are told who in their grid is overdue for a visit,
    once per person per day."""
    return overdue_visits_warn()


# Every 15 minutes, inside the figures' 30-minute cache: a leader never waits for a cold count
# of the district (seconds at a million residents).
@db_periodic_task(crontab(minute="*/15"))
def quality_figures_warm_task() -> int:
    return quality_figures_warm()
