"""Every write to events, importable from one place: intake (`intake`), the loop's actions
(`loop`, applying the workflow table's rows with their `effects`), offers (`offers`),
whistle-and-report (`whistles`), the deadline sweep (`deadlines`), the timeline and stage
deadlines (`timeline`), the catalog (`catalog`); and who may open an event (`access`)."""

from gridgov.events.access import event_for_user as event_for_user
from gridgov.events.access import may_see as may_see
from gridgov.events.services.catalog import catalog_load_default as catalog_load_default
from gridgov.events.services.deadlines import _notify_deadline as _notify_deadline
from gridgov.events.services.deadlines import deadlines_sweep as deadlines_sweep
from gridgov.events.services.intake import MAX_PHOTOS_PER_REPORT as MAX_PHOTOS_PER_REPORT
from gridgov.events.services.intake import event_report as event_report
from gridgov.events.services.intake import likely_duplicate as likely_duplicate
from gridgov.events.services.loop import event_act as event_act
from gridgov.events.services.loop import events_open_for_department as events_open_for_department
from gridgov.events.services.offers import _dispatch_targets as _dispatch_targets
from gridgov.events.services.offers import _offer_decide as _offer_decide
from gridgov.events.services.offers import _offers_replace as _offers_replace
from gridgov.events.services.offers import routing_candidates as routing_candidates
from gridgov.events.services.whistles import WHISTLE_LEVELS as WHISTLE_LEVELS
from gridgov.events.services.whistles import summons_check_in as summons_check_in
from gridgov.events.services.whistles import summons_report as summons_report
from gridgov.events.services.whistles import whistle_blow as whistle_blow
from gridgov.events.workflow import TERMINAL as TERMINAL
