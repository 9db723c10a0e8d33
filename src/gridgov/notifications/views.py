from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gridgov.accounts.scope import lives_as_resident
from gridgov.notifications.services import inbox, notifications_mark_read


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    if lives_as_resident(request.user):
        return redirect("residents:inbox")  # their own front end's inbox (issue 11)
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("inbox")
    page = Paginator(inbox(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})
