"""Pages of notifications, email settings, one-click unsubscribe, calendar feeds, webhooks and
the initiative's communication settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, paginate, render_page
from collective.core.models import Initiative

from .. import calendars, selectors, services
from ..choices import FeedScope
from ..forms import FeedForm, PreferenceForm, SettingsForm, WebhookForm
from ..models import CalendarFeed, Notification, WebhookDelivery, WebhookEndpoint
from ..services.common import membership_of
from ..services.notifications import preference_for
from ..services.webhooks import EVENTS
from .common import form_page, perms, run


@initiative_view("communication.view")
def notifications(request):
    user = request.user
    pref = preference_for(user)
    form = PreferenceForm(
        request.POST or None,
        initial={
            "email_mode": pref.email_mode,
            "time_zone": pref.time_zone,
            "digest_hour": pref.digest_hour,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(user=user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Email settings saved.")
            return redirect("communication:notifications", slug=request.initiative.slug)
    qs = selectors.notification_list(user, request.initiative)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    other_unread = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .exclude(initiative=request.initiative)
        .count()
    )
    return render_page(
        request,
        "communication/notifications.html",
        {
            **perms(request),
            "page": paginate(request, qs, 30),
            "form": form,
            "other_unread": other_unread,
            "unread_only": bool(request.GET.get("unread")),
        },
        partial="rows",
    )


@initiative_view("communication.view")
def notification_open(request, pk):
    notification = Notification.objects.filter(pk=pk, initiative=request.initiative).first()
    if notification is None:
        raise Http404("No such notification.")
    if notification.user_id != request.user.pk:
        raise PermissionDenied
    services.notification_read(user=request.user, notification=notification)
    url = notification.url or reverse(
        "communication:notifications", kwargs={"slug": request.initiative.slug}
    )
    return redirect(url if url.startswith("/") and not url.startswith("//") else "/")


@require_POST
@initiative_view("communication.view")
def notifications_read_all(request):
    count = services.notifications_read_all(user=request.user, initiative=request.initiative)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("communication:notifications", slug=request.initiative.slug)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session.
def unsubscribe(request, slug, token):
    """One-click unsubscribe from an emailed link. The link must name a member of this
    initiative: any other token answers like an initiative that does not exist."""
    initiative = Initiative.objects.filter(slug=slug).first()
    try:
        person = services.unsubscribe_person(token) if initiative else None
    except ApplicationError:
        person = None
    if person is None or membership_of(initiative, person) is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(
            request, "communication/unsubscribe.html", {"done": True, "initiative": initiative}
        )
    return render(
        request, "communication/unsubscribe.html", {"initiative": initiative, "token": token}
    )


# --- Calendar feeds --------------------------------------------------------------------------


@initiative_view("communication.view")
def calendar(request):
    feeds = CalendarFeed.objects.filter(
        initiative=request.initiative, user=request.user, revoked_at__isnull=True
    )
    new_token = request.session.pop("communication_new_feed", None)
    new_url = None
    if new_token:
        new_url = request.build_absolute_uri(
            reverse(
                "communication:feed-ics",
                kwargs={"slug": request.initiative.slug, "token": new_token},
            )
        )
    return render(
        request,
        "communication/calendar.html",
        {**perms(request), "feeds": list(feeds), "new_url": new_url, "scopes": FeedScope.choices},
    )


@require_POST
@initiative_view("communication.view")
def feed_create(request):
    form = FeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which calendar you want.")
        return redirect("communication:calendar", slug=request.initiative.slug)
    try:
        _feed, token = services.feed_create(
            actor=request.user, initiative=request.initiative, scope=form.cleaned_data["scope"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        request.session["communication_new_feed"] = token
        messages.success(request, "Your calendar address is ready: copy it now, it is shown once.")
    return redirect("communication:calendar", slug=request.initiative.slug)


@require_POST
@initiative_view("communication.view")
def feed_revoke(request, uid):
    feed = CalendarFeed.objects.filter(initiative=request.initiative, uid=uid).first()
    if feed is None:
        raise Http404("No such feed.")
    if feed.user_id != request.user.pk:
        raise PermissionDenied
    return run(
        request,
        lambda: services.feed_revoke(actor=request.user, feed=feed),
        success="That calendar address no longer works.",
        fallback=reverse("communication:calendar", kwargs={"slug": request.initiative.slug}),
    )


def feed_ics(request, slug, token):
    """The iCalendar feed behind a secret token (calendar apps cannot sign in)."""
    initiative = Initiative.objects.filter(slug=slug).first()
    feed = services.feed_for_token(initiative, token) if initiative else None
    if feed is None:
        raise Http404("No such calendar.")
    if feed.scope == FeedScope.PERSONAL:
        body = calendars.build(
            initiative, user=feed.user, name=f"{initiative.name} — {feed.user.name}"
        )
    else:
        body = calendars.build(initiative)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{initiative.slug}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


# --- Webhooks --------------------------------------------------------------------------------


@initiative_view("communication.manage")
def webhook_list(request):
    endpoints = WebhookEndpoint.objects.filter(initiative=request.initiative)
    return render(
        request, "communication/webhook_list.html", {**perms(request), "endpoints": endpoints}
    )


@initiative_view("communication.manage")
def webhook_create(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_create(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Webhook added. Its signing secret is on this page.")
            return redirect(endpoint)
    return form_page(
        request,
        form,
        title="Add a webhook",
        purpose="Send events to another system: Standard Webhooks (signed JSON), a Slack "
        "incoming webhook or a Microsoft Teams workflow.",
        submit="Add webhook",
        cancel="communication:webhook-list",
    )


@initiative_view("communication.manage")
def webhook_detail(request, uid):
    endpoint = selectors.webhook_get(request.initiative, uid)
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
    form = WebhookForm(
        request.POST or None,
        initial={
            "name": endpoint.name,
            "url": endpoint.url,
            "format": endpoint.format,
            "events": endpoint.events,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(
                actor=request.user,
                endpoint=endpoint,
                active=bool(request.POST.get("active")),
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Webhook saved.")
            return redirect(endpoint)
    return render_page(
        request,
        "communication/webhook_detail.html",
        {
            **perms(request),
            "endpoint": endpoint,
            "form": form,
            "page": paginate(request, deliveries, 25),
            "events": EVENTS,
        },
        partial="deliveries",
    )


@require_POST
@initiative_view("communication.manage")
def webhook_rotate(request, uid):
    endpoint = selectors.webhook_get(request.initiative, uid)
    return run(
        request,
        lambda: services.webhook_rotate_secret(actor=request.user, endpoint=endpoint),
        success="New secret made; the old one keeps signing beside it for 24 hours.",
        fallback=endpoint,
    )


@require_POST
@initiative_view("communication.manage")
def webhook_delete(request, uid):
    endpoint = selectors.webhook_get(request.initiative, uid)
    services.webhook_delete(actor=request.user, endpoint=endpoint)
    messages.success(request, "Webhook removed.")
    return redirect("communication:webhook-list", slug=request.initiative.slug)


@require_POST
@initiative_view("communication.manage")
def delivery_replay(request, uid, pk):
    endpoint = selectors.webhook_get(request.initiative, uid)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return run(
        request,
        lambda: services.delivery_replay(actor=request.user, delivery=delivery),
        success="Sent again as a new delivery.",
        fallback=endpoint,
    )


# --- Settings --------------------------------------------------------------------------------


@initiative_view("communication.manage")
def settings_page(request):
    initiative = request.initiative
    config = services.settings_for(initiative)
    names = list(SettingsForm.base_fields)
    form = SettingsForm(
        request.POST or None, initial={name: getattr(config, name) for name in names}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, initiative=initiative, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Communication settings saved.")
            return redirect("communication:settings", slug=initiative.slug)
    link = None
    if config.feedback_link_enabled and config.feedback_token:
        link = request.build_absolute_uri(
            reverse(
                "communication:feedback-public",
                kwargs={"slug": initiative.slug, "token": config.feedback_token},
            )
        )
    return form_page(
        request,
        form,
        title="Communication settings",
        purpose="When reminders go out, when partner leads are told, and the public feedback link.",
        submit="Save settings",
        cancel="communication:index",
        extra={"feedback_link": link},
    )
