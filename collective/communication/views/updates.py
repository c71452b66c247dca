"""Pages of the updates feed and discussions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from collective.agenda.models import Outcome
from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, paginate, render_page
from collective.core.models import Partner

from .. import selectors, services
from ..filters import DiscussionFilter, UpdateFilter
from ..forms import DiscussionForm, OfferForm, PostForm, ReplyForm, UpdateForm
from ..models import DiscussionFollow, DiscussionPost, DiscussionSeen, HelpOffer
from .common import form_page, perms, run

FEED_PAGE = 25


@initiative_view("communication.view")
def feed(request):
    initiative = request.initiative
    filterset = UpdateFilter(request.GET, queryset=selectors.update_list(initiative))
    # No COUNT over the whole feed: the page asks for one row more than it shows.
    number = request.GET.get("page") or 1
    try:
        number = max(1, int(number))
    except ValueError:
        number = 1
    number = min(number, 10_000)
    start = (number - 1) * FEED_PAGE
    rows = selectors.with_offer_counts(list(filterset.qs[start : start + FEED_PAGE + 1]))
    has_next = len(rows) > FEED_PAGE
    return render_page(
        request,
        "communication/feed.html",
        {
            **perms(request),
            "filter": filterset,
            "updates": rows[:FEED_PAGE],
            "page_number": number,
            "has_next": has_next,
            "has_previous": number > 1,
            "partners": Partner.objects.filter(initiative=initiative).order_by("name"),
            "outcomes": Outcome.objects.filter(initiative=initiative, retired=False).order_by(
                "title"
            ),
        },
        partial="updates",
    )


@initiative_view("communication.take_part")
def update_create(request):
    initiative = request.initiative
    form = UpdateForm(request.POST or None, initiative=initiative, initial={"kind": "progress"})
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_post(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Update posted.")
            return redirect(update)
    return form_page(
        request,
        form,
        title="Post an update",
        purpose="Progress, learning, a risk, or a request for help — for your partner.",
        submit="Post update",
        cancel="communication:feed",
    )


@initiative_view("communication.view")
def update_detail(request, uid):
    update = selectors.update_get(request.initiative, uid)
    membership = getattr(request, "membership", None)
    offers = list(update.offers.select_related("partner", "offered_by"))
    can_offer = (
        update.kind == "help_wanted"
        and update.resolved_at is None
        and request.user.has_perm("communication.take_part", request.initiative)
        and membership is not None
        and membership.partner_id
        and membership.partner_id != update.partner_id
        and not any(o.partner_id == membership.partner_id for o in offers)
    )
    return render(
        request,
        "communication/update_detail.html",
        {
            **perms(request),
            "update": update,
            "replies": list(update.replies.select_related("author")),
            "offers": offers,
            "reply_form": ReplyForm(),
            "offer_form": OfferForm(),
            "can_offer": can_offer,
            "can_change": request.user.has_perm("communication.change_update", update),
        },
    )


@require_POST
@initiative_view("communication.take_part")
def update_reply(request, uid):
    update = selectors.update_get(request.initiative, uid)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your reply.")
        return redirect(update)
    return run(
        request,
        lambda: services.update_reply(actor=request.user, update=update, **form.cleaned_data),
        success="Reply posted.",
        fallback=update,
    )


@require_POST
@initiative_view("communication.take_part")
def help_offer(request, uid):
    update = selectors.update_get(request.initiative, uid)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what your partner can offer.")
        return redirect(update)
    return run(
        request,
        lambda: services.help_offer(actor=request.user, update=update, **form.cleaned_data),
        success="Your offer of help is recorded; the poster was told.",
        fallback=update,
    )


@require_POST
@initiative_view("communication.take_part")
def help_resolve(request, uid):
    update = selectors.update_get(request.initiative, uid)
    if not request.user.has_perm("communication.change_update", update):
        raise PermissionDenied
    offer = None
    if request.POST.get("offer", "").isdigit():
        offer = HelpOffer.objects.filter(update=update, pk=request.POST["offer"]).first()
    return run(
        request,
        lambda: services.help_resolve(actor=request.user, update=update, offer=offer),
        success="Marked as resolved. Thank you for closing the loop.",
        fallback=update,
    )


# --- Discussions -----------------------------------------------------------------------------


@initiative_view("communication.view")
def discussion_list(request):
    filterset = DiscussionFilter(
        request.GET, queryset=selectors.discussion_list(request.initiative)
    )
    return render_page(
        request,
        "communication/discussion_list.html",
        {**perms(request), "filter": filterset, "page": paginate(request, filterset.qs, 30)},
        partial="rows",
    )


@initiative_view("communication.take_part")
def discussion_create(request):
    form = DiscussionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_start(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Discussion started; you follow it.")
            return redirect(discussion)
    return form_page(
        request,
        form,
        title="Start a discussion",
        purpose="A forum to surface learning: ask, propose, think out loud together.",
        submit="Start discussion",
        cancel="communication:discussion-list",
    )


@initiative_view("communication.view")
def discussion_detail(request, uid):
    discussion = selectors.discussion_get(request.initiative, uid)
    posts = list(DiscussionPost.objects.filter(discussion=discussion).select_related("author"))
    children: dict = {}
    for post in posts:
        children.setdefault(post.parent_id, []).append(post)

    def thread(parent_id=None, depth=0):
        for post in children.get(parent_id, []):
            yield post, min(depth, 4)
            yield from thread(post.pk, depth + 1)

    services.discussion_seen(user=request.user, discussion=discussion)
    seen = list(DiscussionSeen.objects.filter(discussion=discussion).select_related("user"))
    return render(
        request,
        "communication/discussion_detail.html",
        {
            **perms(request),
            "discussion": discussion,
            "thread": list(thread()),
            "seen": seen,
            "following": DiscussionFollow.objects.filter(
                discussion=discussion, user=request.user
            ).exists(),
            "post_form": PostForm(),
        },
    )


@require_POST
@initiative_view("communication.take_part")
def discussion_reply(request, uid):
    discussion = selectors.discussion_get(request.initiative, uid)
    form = PostForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your post.")
        return redirect(discussion)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = DiscussionPost.objects.filter(
            discussion=discussion, uid=form.cleaned_data["parent"]
        ).first()
    return run(
        request,
        lambda: services.discussion_reply(
            actor=request.user, discussion=discussion, body=form.cleaned_data["body"], parent=parent
        ),
        success="Posted.",
        fallback=discussion,
    )


@require_POST
@initiative_view("communication.view")
def discussion_follow(request, uid):
    discussion = selectors.discussion_get(request.initiative, uid)
    follow = request.POST.get("follow") != "0"
    services.discussion_follow(actor=request.user, discussion=discussion, follow=follow)
    messages.success(
        request,
        "You follow this discussion." if follow else "You no longer follow this discussion.",
    )
    return redirect(discussion)
