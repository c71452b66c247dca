"""Forms of continuous communication. They parse input; the services validate and write."""

from __future__ import annotations

import datetime as dt
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from collective.core.forms import ServiceErrorsMixin
from collective.core.models import Partner

from .choices import (
    ActionStatus,
    Cadence,
    EmailMode,
    FeedbackStatus,
    FeedbackTheme,
    FeedScope,
    ItemOutcome,
    Stance,
    TouchpointKind,
    UpdateKind,
    WebhookFormat,
)
from .services.webhooks import EVENTS

User = get_user_model()
MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…)."
TIME_ZONES = sorted(available_timezones())


def _members(initiative):
    return User.objects.filter(memberships__initiative=initiative).order_by(
        "display_name", "username"
    )


def _partners(initiative):
    return Partner.objects.filter(initiative=initiative).order_by("name")


def _outcomes(initiative):
    from collective.agenda.models import Outcome

    return Outcome.objects.filter(initiative=initiative, retired=False).order_by("title")


def _indicators(initiative):
    from collective.measurement.models import Indicator

    return Indicator.objects.filter(initiative=initiative, archived=False).order_by("code")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LinksMixin:
    """Optional links to an outcome and a measure of the initiative."""

    def add_links(self, initiative):
        self.fields["outcome"] = forms.ModelChoiceField(
            queryset=_outcomes(initiative),
            required=False,
            empty_label="— no outcome —",
            help_text="The outcome of the common agenda this contributes to.",
        )
        self.fields["indicator"] = forms.ModelChoiceField(
            queryset=_indicators(initiative),
            required=False,
            empty_label="— no measure —",
            label="Measure",
            help_text="The shared measure it is about.",
        )
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code} — {i.name}"
        for name in ("outcome", "indicator"):
            self.fields[name].widget.attrs["class"] = "form-select"


class SeriesForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “Monthly steering group”.")
    kind = forms.ChoiceField(choices=TouchpointKind.choices)
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What this forum is for: where learning surfaces and plans are recalibrated.",
    )
    first_start = forms.DateTimeField(
        label="First meeting", widget=DateTimeInput(), help_text="Local time in the zone below."
    )
    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONES], initial="Europe/London")
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=1440, initial=60
    )
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.MONTHLY)
    rrule = forms.CharField(
        label="Custom rule (RRULE)",
        required=False,
        max_length=300,
        help_text="Only for a custom cadence, e.g. FREQ=WEEKLY;INTERVAL=3;BYDAY=TH (every third "
        "Thursday).",
    )
    facilitator = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="— the backbone —"
    )
    location = forms.CharField(max_length=300, required=False, help_text="A room or a call link.")
    agenda_template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Standing items, one per line; every agenda starts with them.",
    )
    correction_days = forms.IntegerField(
        label="Days open for corrections",
        min_value=0,
        max_value=60,
        initial=5,
        help_text="How long attendees can correct the minutes before they are locked.",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partners invited",
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = _members(initiative)
        self.fields["partners"].queryset = _partners(initiative)
        self.fields["partners"].widget.attrs["class"] = "choice-list"


class CancelForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        max_length=300, required=False, label="Reason", help_text="Told to everyone invited."
    )


class MoveForm(ServiceErrorsMixin, forms.Form):
    start = forms.DateTimeField(label="New date and time", widget=DateTimeInput())
    location = forms.CharField(max_length=300, required=False)
    note = forms.CharField(max_length=300, required=False, label="Reason")


class ItemForm(ServiceErrorsMixin, LinksMixin, forms.Form):
    title = forms.CharField(max_length=300)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=MARKDOWN_HELP
    )
    minutes_estimate = forms.IntegerField(label="Minutes", min_value=1, max_value=480, initial=10)

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_links(initiative)


class BacklogForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=300, label="Topic")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AttendanceForm(ServiceErrorsMixin, forms.Form):
    present = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    apologies = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sent apologies",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partners represented",
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("present", "apologies"):
            self.fields[name].queryset = _members(initiative)
            self.fields[name].widget.attrs["class"] = "choice-list"
        self.fields["partners"].queryset = _partners(initiative)
        self.fields["partners"].widget.attrs["class"] = "choice-list"


class MinutesForm(ServiceErrorsMixin, forms.Form):
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}), required=False, help_text=MARKDOWN_HELP
    )


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Your correction",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what the minutes get wrong and how it should read.",
    )


class CloseForm(ServiceErrorsMixin, forms.Form):
    """One result and note per agenda item (fields added per item)."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"result_{item.uid}"] = forms.ChoiceField(
                choices=ItemOutcome.choices,
                initial=item.result if item.result != ItemOutcome.OPEN else ItemOutcome.DISCUSSED,
                label=item.title,
            )
            self.fields[f"result_{item.uid}"].widget.attrs["class"] = "form-select"
            self.fields[f"note_{item.uid}"] = forms.CharField(
                required=False,
                label=f"What came of “{item.title}”",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def results(self) -> dict:
        return {
            str(item.uid): (
                self.cleaned_data[f"result_{item.uid}"],
                self.cleaned_data.get(f"note_{item.uid}", ""),
            )
            for item in self.items
        }

    def rows(self):
        return [(item, self[f"result_{item.uid}"], self[f"note_{item.uid}"]) for item in self.items]


class DecisionForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    statement = forms.CharField(
        label="The decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was decided, in words everyone can act on. " + MARKDOWN_HELP,
    )
    method = forms.ChoiceField(
        choices=[
            ("meeting", "In a meeting"),
            ("backbone", "By the backbone on members' behalf"),
        ],
        label="How it was made",
    )
    occurrence = forms.ModelChoiceField(
        queryset=None, required=False, label="Meeting", empty_label="— not in a meeting —"
    )
    consulted = forms.CharField(
        label="Who was consulted",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Whose views were sought before deciding, and how.",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, help_text="Who sees it through."
    )
    review_date = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="When to look back: were the actions done, did the measures move?",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Measures"
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Occurrence

        recent = list(
            Occurrence.objects.filter(initiative=initiative, start__lte=timezone.now())
            .exclude(status="cancelled")
            .order_by("-start")
            .values_list("pk", flat=True)[:30]
        )
        self.fields["occurrence"].queryset = (
            Occurrence.objects.filter(pk__in=recent).select_related("series").order_by("-start")
        )
        self.fields["owner"].queryset = _members(initiative)
        self.fields["outcomes"].queryset = _outcomes(initiative)
        self.fields["indicators"].queryset = _indicators(initiative)
        self.fields["indicators"].label_from_instance = lambda i: f"{i.code} — {i.name}"
        for name in ("outcomes", "indicators"):
            self.fields[name].widget.attrs["class"] = "choice-list"


class ProposalForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    proposal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you propose and why. " + MARKDOWN_HELP,
    )
    deadline = forms.DateTimeField(widget=DateTimeInput(), help_text="Responses close then.")
    quorum_percent = forms.IntegerField(
        label="Quorum (%)",
        min_value=1,
        max_value=100,
        initial=50,
        help_text="Share of the people asked who must respond for the proposal to count.",
    )
    asked = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="People asked",
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    review_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asked"].queryset = _members(initiative)
        self.fields["asked"].widget.attrs["class"] = "choice-list"
        self.fields["owner"].queryset = _members(initiative)


class VoteForm(ServiceErrorsMixin, forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when you object.",
    )


class ConcludeForm(ServiceErrorsMixin, forms.Form):
    statement = forms.CharField(
        label="The decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The backbone writes the outcome; it need not follow the majority, but say why.",
    )
    consulted = forms.CharField(
        label="Who was consulted", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    review_date = forms.DateField(required=False, widget=DateInput())


class ReviewForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label="What the review found",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Were the actions done? Did the measures move? Keep, change or drop it?",
    )


class ActionForm(ServiceErrorsMixin, LinksMixin, forms.Form):
    title = forms.CharField(max_length=300, help_text="Start with a verb: “Draft the …”.")
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="— a partner owns it —"
    )
    owner_partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, label="Owning partner"
    )
    due_date = forms.DateField(widget=DateInput())
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=MARKDOWN_HELP
    )

    def __init__(self, *args, initiative, with_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(initiative)
        self.fields["owner_partner"].queryset = _partners(initiative)
        self.add_links(initiative)
        if with_status:
            self.fields["status"] = forms.ChoiceField(choices=ActionStatus.choices)
            self.fields["status"].widget.attrs["class"] = "form-select"


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class UpdateForm(ServiceErrorsMixin, LinksMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=UpdateKind.choices,
        widget=forms.RadioSelect,
        help_text="Help wanted asks other partners to step in.",
    )
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=MARKDOWN_HELP,
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_links(initiative)


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Your reply", widget=forms.Textarea(attrs={"rows": 3}), help_text=MARKDOWN_HELP
    )


class OfferForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label="What your partner can offer", widget=forms.Textarea(attrs={"rows": 2})
    )


class DiscussionForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="First post",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Mention people with @username: they are told at once. " + MARKDOWN_HELP,
    )


class PostForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention people with @username. " + MARKDOWN_HELP,
    )
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)


class FeedbackForm(ServiceErrorsMixin, forms.Form):
    theme = forms.ChoiceField(choices=FeedbackTheme.choices)
    body = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What works, what doesn't, what we should change. The backbone answers "
        "every piece publicly.",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Give it anonymously",
        help_text="Your name is not stored with it; the response is still public.",
    )


class PublicFeedbackForm(ServiceErrorsMixin, forms.Form):
    theme = forms.ChoiceField(choices=FeedbackTheme.choices)
    body = forms.CharField(label="Your feedback", widget=forms.Textarea(attrs={"rows": 5}))


class RespondForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(choices=FeedbackStatus.choices, label="Move to")
    response = forms.CharField(
        label="Public response (you said, we did)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required to close the loop: what was done, or why not.",
    )
    led_to_label = forms.CharField(
        max_length=300,
        required=False,
        label="What it led to",
        help_text="e.g. “Agenda v3”, “Decision D12”, an activity.",
    )
    led_to_url = forms.CharField(
        max_length=500, required=False, label="Link to it", help_text="An address on this site."
    )


class SurveyForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    anonymous = forms.BooleanField(required=False, initial=True, label="Anonymous answers")
    min_group_size = forms.IntegerField(
        label="Smallest group shown",
        initial=5,
        help_text="Results of fewer people are never shown (never below 3).",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only these partners",
        help_text="Leave empty to ask every member.",
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One question per line. Start with “scale:”, “choice:” or “text:”; for a "
        "choice list the options after “|”, e.g. “choice: Meetings are… | too many | right | "
        "too few”.",
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = _partners(initiative)
        self.fields["partners"].widget.attrs["class"] = "choice-list"

    def clean_questions(self) -> list[dict]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            kind, sep, rest = line.partition(":")
            kind = kind.strip().lower()
            if not sep or kind not in ("scale", "choice", "text"):
                raise forms.ValidationError(
                    f"Line {number} must start with scale:, choice: or text:."
                )
            text, *choices = [p.strip() for p in rest.split("|")]
            parsed.append({"kind": kind, "text": text, "choices": choices})
        return parsed


class SurveyOpenForm(ServiceErrorsMixin, forms.Form):
    closes_at = forms.DateTimeField(label="Closes", widget=DateTimeInput())


class PreferenceForm(ServiceErrorsMixin, forms.Form):
    email_mode = forms.ChoiceField(
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        label="Email me",
        help_text="Mentions and actions given to you are emailed at once unless you choose no "
        "email.",
    )
    time_zone = forms.ChoiceField(choices=[(z, z) for z in TIME_ZONES])
    digest_hour = forms.IntegerField(
        min_value=0, max_value=23, label="Digest hour", help_text="Local hour digests go out."
    )


class FeedForm(forms.Form):
    scope = forms.ChoiceField(choices=FeedScope.choices)


class WebhookForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.CharField(
        max_length=500,
        label="Address (URL)",
        help_text="https:// address of the receiver; private and local addresses are refused.",
    )
    format = forms.ChoiceField(choices=WebhookFormat.choices)
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].widget.attrs["class"] = "choice-list"


class SettingsForm(ServiceErrorsMixin, forms.Form):
    remind_days_before = forms.IntegerField(min_value=0, max_value=60, label="Remind days before")
    repeat_overdue_days = forms.IntegerField(
        min_value=1, max_value=60, label="Repeat overdue reminders every (days)"
    )
    escalate_after = forms.IntegerField(
        min_value=1, max_value=20, label="Tell the partner lead after this many reminders"
    )
    close_meeting_after_days = forms.IntegerField(
        min_value=0, max_value=30, label="Flag a meeting not closed after (days)"
    )
    consultation_remind_days = forms.IntegerField(
        min_value=1, max_value=90, label="Remind about an open agenda consultation after (days)"
    )
    feedback_link_enabled = forms.BooleanField(
        required=False,
        label="Public feedback link",
        help_text="Anyone with the link can give feedback anonymously.",
    )


def aware(value: dt.datetime | None, tz_name: str | None = None) -> dt.datetime | None:
    """A datetime from a form in the current (or a named) time zone."""
    if value is None or timezone.is_aware(value):
        return value
    from .recurrence import zone

    return value.replace(tzinfo=zone(tz_name) if tz_name else timezone.get_current_timezone())
