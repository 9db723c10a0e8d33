"""The words the resident pages' scripts show, translated on the server and handed to them
in a json_script block (no template tags inside JavaScript)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.events.models import Satisfaction

STRINGS = {
    "loading": _("Loading…"),
    "failed": _("Something went wrong; please try again."),
    "sending": _("Sending…"),
    "sent": _("Sent."),
    "nothing": _("Nothing here yet."),
    "locating": _("Finding your position…"),
    "located": _("The pin is at your position; drag it if it is not quite right."),
    "no_geolocation": _(
        "This phone cannot tell us where you are. Drag the pin or search for a place instead."
    ),
    "geolocation_denied": _(
        "You did not allow the position to be used. Drag the pin or search for a place instead."
    ),
    "geolocation_failed": _(
        "Your position could not be found. Drag the pin or search for a place instead."
    ),
    "pin_hint": _("Drag the pin to the place of the problem, or tap the map."),
    "pin_placed": _("The pin is where you put it; drag it again if it is not quite right."),
    "no_places": _("No registered place matches."),
    "photo_uploading": _("Uploading the photo…"),
    "photo_ready": _("Photo added."),
    "photo_failed": _("The photo could not be uploaded."),
    "describe": _("Please say what is wrong."),
    "choose_kind": _("Please choose what kind of problem it is."),
    "place_first": _("Please put the pin on the place first."),
    "suggested": _("Suggested from your words:"),
    "nearby_title": _("Already reported near here"),
    "nearby_intro": _(
        "These open reports of the same kind are near your pin. If one is your problem, "
        "follow it instead of reporting it again."
    ),
    "me_too": _("Me too (我也遇到了)"),
    "me_too_sign_in": _("Sign in to follow it"),
    "following": _("You follow this report; you will be told at each step."),
    "not_the_same": _("None of these: send my report"),
    "metres": _("m away"),
    "followers": _("following"),
    "your_number": _("Your report number"),
    "follow_how": _(
        "Keep this number. To see how it goes, open “Look up a report” and enter the number "
        "and the phone you gave."
    ),
    "keep_number": _(
        "Keep this number. Without a phone you cannot be told how it goes; sign in next "
        "time to follow your reports."
    ),
    "follow_signed_in": _("You will be told at each step in your messages."),
    "open_report": _("Open the report"),
    "look_up": _("Look up a report"),
    "not_found": _("No report matches this number and phone."),
    "phone_invalid": _("Please enter a mainland China mobile number (11 digits)."),
    "code_sent": _("A code has been sent. It is valid for a few minutes."),
    "code_resend": _("Send again in %(s)s s"),
    "signed_in": _("Signed in."),
    "timeline": _("Progress"),
    "photos": _("Photos"),
    "state": _("State"),
    "reported_at": _("Reported"),
    "closed_at": _("Closed"),
    "refusal_reason": _("Why it was not accepted"),
    "satisfaction": _("Your rating"),
    "add_saved": _("Added; it has been passed on to whoever handles it."),
    "rating_saved": _("Thank you for your rating."),
    "reopen_saved": _("Sent back to the command center as not fixed."),
    "publicity_saved": _("Saved."),
    "withdraw_confirm": _(
        "Remove your name and phone from this report? The report stays; you will no longer "
        "be told about it."
    ),
    "withdrawn": _("Your personal data has been removed from the report."),
    "unfollowed": _("You no longer follow this report."),
    "choose_rating": _("Please choose a rating."),
    "reopen_photo": _("Please add a photo of how it is now."),
    "sign_in_to_follow": _("Sign in to follow this report"),
    "sign_in_hint": _(
        "Sign in with the same phone to be told at each step, add a photo, rate or reopen it."
    ),
    "follow": _("Follow this report"),
    "unfollow": _("Stop following"),
    "reporter_name": _("Reported by"),
    "around_none": _("No public reports around here."),
    "distance": _("Distance"),
    "open": _("Open"),
    "closed": _("Closed"),
}

# The steps a resident sees (ResidentReportOut.public_state), in the order they happen.
PUBLIC_STATES = {
    "received": _("Received"),
    "filed": pgettext_lazy("resident timeline", "Accepted"),
    "refused": _("Not accepted"),
    "dispatched": _("Being handled"),
    "handled": _("Handled"),
    "closed": _("Closed"),
    "rated": _("Rated"),
}


def strings() -> dict:
    """Everything a page script may show, as plain strings in the current language."""
    return {
        **{key: str(value) for key, value in STRINGS.items()},
        "public_states": {key: str(value) for key, value in PUBLIC_STATES.items()},
        # The five-level scale of events' EVALUATE action; nothing is preselected on the page.
        "satisfaction_names": {value: str(label) for value, label in Satisfaction.choices},
    }
