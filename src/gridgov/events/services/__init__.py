"""Every write to events, importable from one place: the loop's actions (`loop`, applying
the workflow table's rows with their `effects`), offers (`offers`), the deadline sweep
(`deadlines`), the catalog (`catalog`); and, from their own modules, intake (`intake`),
who may open an event (`access`) and whistle-and-report (`whistles`)."""

from gridgov.events.access import event_for_user as event_for_user
from gridgov.events.access import may_see as may_see
from gridgov.events.intake import MAX_PHOTOS_PER_REPORT as MAX_PHOTOS_PER_REPORT
from gridgov.events.intake import event_report as event_report
from gridgov.events.intake import likely_duplicate as likely_duplicate
from gridgov.events.services.catalog import catalog_load_default as catalog_load_default
from gridgov.events.services.deadlines import _notify_deadline as _notify_deadline
from gridgov.events.services.deadlines import deadlines_sweep as deadlines_sweep
from gridgov.events.services.loop import event_act as event_act
from gridgov.events.services.loop import events_open_for_department as events_open_for_department
from gridgov.events.services.offers import _dispatch_targets as _dispatch_targets
from gridgov.events.services.offers import _offer_decide as _offer_decide
from gridgov.events.services.offers import _offers_replace as _offers_replace
from gridgov.events.services.offers import routing_candidates as routing_candidates
from gridgov.events.whistles import WHISTLE_LEVELS as WHISTLE_LEVELS
from gridgov.events.whistles import summons_check_in as summons_check_in
from gridgov.events.whistles import summons_report as summons_report
from gridgov.events.whistles import whistle_blow as whistle_blow
from gridgov.events.workflow import TERMINAL as TERMINAL


def __getattr__(name: str):
    # Whistle-and-report's other names (CHECK_IN_HOURS today) as its own module has them:
    # its timing is being reworked, and a constant it drops must not break this import.
    from gridgov.events import whistles

    try:
        return getattr(whistles, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
