"""Forms of activities. They only parse input; the services validate the rules and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from collective.core.forms import ServiceErrorsMixin
from collective.core.models import Partner

from . import selectors
from .choices import (
    LEVER_HELP,
    RATING_LABELS,
    ActivityStatus,
    Collaboration,
    Lever,
    OverlapDecisionKind,
    Strength,
    Verdict,
)
from .models import Activity

User = get_user_model()
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RATING_CHOICES = [("", "—"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]


def outcome_field(initiative, *, required=False, label="Outcome") -> forms.ChoiceField:
    """The current agenda's outcomes in tree order (indented by depth), chosen by uid."""
    choices = [("", "—")] + [
        (str(o.uid), ("— " * depth) + o.title)
        for o, depth in selectors.outcomes_current(initiative)
    ]
    return forms.ChoiceField(choices=choices, required=required, label=label)


class ActivityForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200)
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        to_field_name="uid",
        help_text="The partner that owns and leads the activity.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    status = forms.ChoiceField(choices=ActivityStatus.choices, initial=ActivityStatus.PLANNED)
    lever = forms.ChoiceField(
        choices=Lever.choices,
        label="Systems-change lever",
        help_text="Which condition of the system it changes: "
        + " ".join(f"{Lever(k).label}: {v}" for k, v in list(LEVER_HELP.items())[:3])
        + " …",
    )
    start = forms.DateField(required=False, widget=DATE)
    end = forms.DateField(
        required=False,
        widget=DATE,
        help_text="Planned end; moving it later "
        "tells the owners of activities that depend on this one.",
    )
    lead_person = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    supporting_partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        to_field_name="uid",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Partners that help with it (hold Ctrl or ⌘ to choose several).",
    )
    percent_complete = forms.IntegerField(min_value=0, max_value=100, initial=0, label="% complete")
    budget = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    funder = forms.CharField(max_length=200, required=False)
    measures = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        label="Its own performance measures",
        help_text="Indicators of level activity or output: how much did we do, how well, is "
        "anyone better off?",
    )

    def __init__(self, *args, initiative, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        all_partners = Partner.objects.filter(initiative=initiative).order_by("name")
        self.fields["partner"].queryset = partners if partners is not None else all_partners
        self.fields["supporting_partners"].queryset = all_partners
        self.fields["lead_person"].queryset = User.objects.filter(
            memberships__initiative=initiative
        ).order_by("display_name", "username")
        self.fields["measures"].queryset = selectors.indicator_choices(
            initiative, levels=("activity", "output")
        )

    @staticmethod
    def initial_from(activity: Activity) -> dict:
        return {
            "title": activity.title,
            "partner": activity.partner.uid,
            "description": activity.description,
            "status": activity.status,
            "lever": activity.lever,
            "start": activity.start,
            "end": activity.end,
            "lead_person": activity.lead_person_id,
            "supporting_partners": [p.uid for p in activity.supporting_partners.all()],
            "percent_complete": activity.percent_complete,
            "budget": activity.budget,
            "funder": activity.funder,
            "measures": [i.code for i in activity.measures.all()],
        }


class ClaimForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.Field(required=False)
    indicator = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        help_text="Or (also) an indicator the activity works toward.",
    )
    strength = forms.ChoiceField(
        choices=Strength.choices,
        widget=forms.RadioSelect,
        initial=Strength.DIRECT,
        label="Expected strength",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How does the activity move it? The causal story, in a few sentences.",
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What shows it works: findings, data, stories.",
    )
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Web addresses of the evidence, one per line.",
    )
    alternatives = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Alternative explanations considered",
        help_text="What else could explain a change — other partners' work, the economy, "
        "the season? Contribution, not attribution.",
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"] = outcome_field(initiative)
        self.fields["outcome"].help_text = "The outcome of the agenda the activity works toward."
        self.fields["indicator"].queryset = selectors.indicator_choices(initiative)
        # Field order: the ones added late go first.
        self.order_fields(["outcome", "indicator", "strength", "rationale"])
        # Django puts a radio list's class on its wrapper and on each input alike.
        self.fields["strength"].widget.attrs["class"] = "radio-list"


class ReviewForm(ServiceErrorsMixin, forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: what you have seen that supports or questions the claim.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].widget.attrs["class"] = "radio-list"


class ProgressForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What happened")
    date = forms.DateField(required=False, widget=DATE, help_text="Today if empty.")
    percent_complete = forms.IntegerField(
        min_value=0, max_value=100, required=False, label="% complete now"
    )


class MilestoneForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Milestone")
    due = forms.DateField(required=False, widget=DATE)


class DependencyForm(ServiceErrorsMixin, forms.Form):
    needs = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        to_field_name="uid",
        label="This activity needs",
        help_text="An activity that must deliver first.",
    )
    note = forms.CharField(max_length=300, required=False, label="What it needs from it")

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = (
            Activity.objects.filter(initiative=activity.initiative)
            .exclude(pk=activity.pk)
            .select_related("partner")
            .order_by("partner__name", "title")
        )
        self.fields["needs"].label_from_instance = lambda a: f"{a.partner.label}: {a.title}"


class CapabilityForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=100, label="Capability")
    description = forms.CharField(max_length=300, required=False)


class StrengthsForm(ServiceErrorsMixin, forms.Form):
    """One 1–4 rating per capability (empty: not a strength)."""

    def __init__(self, *args, capabilities, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.capabilities = list(capabilities)
        for c in self.capabilities:
            self.fields[f"capability_{c.pk}"] = forms.TypedChoiceField(
                choices=RATING_CHOICES,
                required=False,
                label=c.name,
                help_text=c.description,
                initial=str(current.get(c.pk, "")),
                coerce=str,
                empty_value="",
            )
            self.fields[f"capability_{c.pk}"].widget.attrs["class"] = "form-select"

    def ratings(self) -> dict:
        return {c: self.cleaned_data.get(f"capability_{c.pk}") or None for c in self.capabilities}


class OverlapDecisionForm(ServiceErrorsMixin, forms.Form):
    first = forms.UUIDField(widget=forms.HiddenInput)
    second = forms.UUIDField(widget=forms.HiddenInput)
    score = forms.FloatField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(choices=OverlapDecisionKind.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Coordination note"
    )


class RoundForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        max_length=200,
        initial="Relationship survey",
        help_text="e.g. “Relationship survey, spring 2027”.",
    )


class SurveyAnswerForm(forms.Form):
    """One block per other partner: level of collaboration, then trust and value ratings."""

    def __init__(self, *args, partners, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = list(partners)
        for p in self.partners:
            answer = current.get(p.pk)
            prefix = f"p{p.pk}"
            self.fields[f"{prefix}_collaboration"] = forms.ChoiceField(
                choices=Collaboration.choices,
                required=False,
                label=f"Level of collaboration with {p.name}",
                initial=answer.collaboration if answer else Collaboration.NONE,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            for name, label in RATING_LABELS.items():
                self.fields[f"{prefix}_{name}"] = forms.ChoiceField(
                    choices=RATING_CHOICES,
                    required=False,
                    label=label,
                    initial=str(getattr(answer, name) or "") if answer else "",
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )

    def blocks(self):
        for p in self.partners:
            prefix = f"p{p.pk}"
            yield p, self[f"{prefix}_collaboration"], [self[f"{prefix}_{n}"] for n in RATING_LABELS]

    def answers(self) -> list[dict]:
        result = []
        for p in self.partners:
            prefix = f"p{p.pk}"
            level = self.cleaned_data.get(f"{prefix}_collaboration") or Collaboration.NONE
            row = {"about": p, "collaboration": level}
            for name in RATING_LABELS:
                row[name] = self.cleaned_data.get(f"{prefix}_{name}") or None
            # "None" is recorded too: the partner was asked and said they do not work together.
            result.append(row)
        return result
