"""Forms of shared measurement. They parse input and explain terms; services validate and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from collective.core.forms import ServiceErrorsMixin
from collective.core.models import Partner

from .models import Indicator, Narrative

LEVEL_HELP = (
    "Where the measure sits between the work and the result. "
    "Population: well-being of a whole population (e.g. all young people in the county) — no "
    "single partner controls it. Outcome: a change for the people or customers the partners "
    "serve. Output: what the partners produce or deliver. Activity: the work itself. "
    "Collective impact measures impact, not only activities."
)
RBA_HELP = (
    "Results-Based Accountability sorts measures by the question they answer: "
    "How much did we do? (quantity of effort), How well did we do it? (quality of effort), "
    "Is anyone better off? (the effect on people — the measures that matter most)."
)
AGGREGATION_HELP = (
    "How partners' values combine into the collective value and up the partner tree. "
    "Sum adds them; mean averages partners; lowest/highest takes the extreme; most recent takes "
    "the last reported value. Ratio adds numerators and denominators separately, then divides — "
    "percentages are never averaged."
)
CUMULATIVE_HELP = (
    "Tick when partners report a count per period and the running total matters (e.g. customers "
    "onboarded so far): the chart and status use the total to date."
)
FORMULA_HELP = (
    "Compute this indicator from others instead of collecting it: use their codes, numbers, "
    "+ − * / and parentheses, e.g. (ENROLLED / ELIGIBLE) * 100. It is evaluated for every "
    "period. Leave empty for reported indicators."
)
DIRECTION_HELP = "Which way is good: the status compares the trend with this direction."
FREQUENCY_HELP = (
    "How often a value is reported. Cannot be changed once data exists (the periods would no "
    "longer match)."
)
BREAKDOWN_HELP = (
    "Optional: report the value split by a dimension, e.g. 'Age group' or 'Region'. Cannot be "
    "changed once data exists."
)
BREAKDOWN_VALUES_HELP = "One value per line, e.g. 16–17, 18–20, 21–24."
RANGE_HELP = "Values outside this range are refused at entry and import, e.g. 0 to 100 for a %."
BASELINE_HELP = (
    "Where the curve started: the value and the period it was measured in (e.g. 2024-12). "
    "The baseline forecast — the curve to turn — starts here."
)


def outcome_options(initiative, keep=()) -> tuple[list[tuple[int, str]], list[int]]:
    """Outcomes to link measures to, in the agenda's tree order with indented titles.

    Uses the agenda's `outcome_choices` (the current version's tree); outcomes in `keep` (those
    already linked) stay choosable even when a later agenda version retired them.
    """
    from collective.agenda.models import Outcome
    from collective.agenda.selectors import outcome_choices

    pairs = outcome_choices(initiative)
    if not pairs:
        pairs = [(o, 0) for o in Outcome.objects.filter(initiative=initiative, retired=False)]
    choices = [(o.pk, f"{'    ' * depth}{'↳ ' if depth else ''}{o.title}") for o, depth in pairs]
    seen = {pk for pk, _ in choices}
    for outcome in keep:
        if outcome.pk not in seen:
            choices.append((outcome.pk, f"{outcome.title} (no longer in the agenda)"))
    return choices, [pk for pk, _ in choices]


class BreakdownValuesField(forms.CharField):
    """A list of strings, typed one per line (commas also separate)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = []
        for line in text.replace(",", "\n").splitlines():
            item = line.strip()
            if item and item not in items:
                items.append(item)
        return items


class IndicatorForm(ServiceErrorsMixin, forms.ModelForm):
    breakdown_values = BreakdownValuesField(
        required=False, label="Breakdown values", help_text=BREAKDOWN_VALUES_HELP
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "level",
            "rba_question",
            "unit",
            "value_type",
            "decimals",
            "direction",
            "frequency",
            "aggregation",
            "cumulative",
            "formula",
            "outcomes",
            "owner_partner",
            "data_source",
            "min_value",
            "max_value",
            "breakdown_dimension",
            "breakdown_values",
            "baseline_value",
            "baseline_period",
            "is_public",
        ]
        labels = {
            "rba_question": "Question it answers",
            "value_type": "Kind of value",
            "min_value": "Lowest valid value",
            "max_value": "Highest valid value",
            "owner_partner": "Owner",
            "outcomes": "Linked outcomes",
            "baseline_value": "Baseline value",
            "baseline_period": "Baseline period",
            "is_public": "Public",
            "decimals": "Decimals shown",
        }
        help_texts = {
            "name": "What people call it, e.g. 'Days from signature to go-live'.",
            "level": LEVEL_HELP,
            "rba_question": RBA_HELP,
            "aggregation": AGGREGATION_HELP,
            "cumulative": CUMULATIVE_HELP,
            "formula": FORMULA_HELP,
            "direction": DIRECTION_HELP,
            "frequency": FREQUENCY_HELP,
            "breakdown_dimension": BREAKDOWN_HELP,
            "min_value": RANGE_HELP,
            "max_value": "Leave both empty to accept any number.",
            "owner_partner": "The partner that looks after the definition and the data source.",
            "outcomes": "The agenda outcomes this measure shows progress on. Hold Ctrl (⌘ on a "
            "Mac) to choose more than one.",
            "data_source": "Where the numbers come from, e.g. 'CRM report Onboarding-01'.",
            "baseline_value": BASELINE_HELP,
            "baseline_period": "e.g. 2024-12, 2024-Q4, 2024-W52 or 2024.",
            "value_type": "Ratio: partners report a numerator and a denominator.",
            "is_public": "Anyone may read this measure on the initiative's public page, if the "
            "initiative is public.",
            "decimals": "How many decimals pages show for this measure.",
        }
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.SelectMultiple(attrs={"size": 5}),
            "formula": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        }

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        from collective.agenda.models import Outcome

        keep = list(self.instance.outcomes.all()) if self.instance.pk else []
        choices, ids = outcome_options(initiative, keep)
        self.fields["outcomes"].queryset = Outcome.objects.filter(pk__in=ids)
        self.fields["outcomes"].choices = choices
        self.fields["owner_partner"].queryset = Partner.objects.filter(initiative=initiative)
        self.fields["owner_partner"].empty_label = "— none —"
        self.fields["code"].widget.attrs.update(
            {"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        )
        for name in ("min_value", "max_value", "baseline_value"):
            # Stored with six decimals; shown as people type them (62.5, not 62.500000).
            value = self.initial.get(name)
            if value is not None and not self.is_bound:
                self.initial[name] = format(Decimal(str(value)).normalize(), "f")
        if self.instance.pk:
            # The code names the indicator in imports, formulas and links: it stays stable.
            self.fields["code"].disabled = True
            self.fields[
                "code"
            ].help_text = "The code is stable: imports, formulas and links use it."

    def _post_clean(self):
        # The service validates the rules (unique code, safe formula, frequency with data).
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["outcomes"] = list(data.get("outcomes") or [])
        if self.instance.pk:
            data.pop("code", None)
        return data

    # Sections of the form as the page shows them: (title, [field names]).
    SECTIONS = [
        ("What it measures", ["code", "name", "definition", "level", "rba_question", "outcomes"]),
        ("Values", ["unit", "value_type", "decimals", "direction", "min_value", "max_value"]),
        (
            "Reporting and roll-up",
            [
                "frequency",
                "aggregation",
                "cumulative",
                "formula",
                "breakdown_dimension",
                "breakdown_values",
            ],
        ),
        (
            "Baseline, ownership and visibility",
            ["baseline_value", "baseline_period", "owner_partner", "data_source", "is_public"],
        ),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class TargetForm(ServiceErrorsMixin, forms.Form):
    period = forms.CharField(
        max_length=10,
        help_text="The period the target is for, e.g. 2026-12, 2026-Q4 or 2026.",
    )
    value = forms.DecimalField(max_digits=24, decimal_places=6)
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="Collective (all partners)",
        help_text="Leave as collective for the shared target; choose a partner for its own part.",
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(initiative=initiative)


class AssignmentForm(ServiceErrorsMixin, forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), help_text="The partner who reports this measure."
    )
    due_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=15,
        label="Due (days after the period ends)",
        help_text="e.g. 15: the value for March is due on 15 April.",
    )
    starts_period = forms.CharField(
        max_length=10,
        required=False,
        label="First period",
        help_text="The first period this partner reports, e.g. 2025-01. Empty: from the start.",
    )
    active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(initiative=initiative)


class NarrativeForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Narrative
        fields = ["story", "factors", "partners_text", "partners", "what_works", "action_plan"]
        labels = {"partners": "Partners with a role to play"}
        help_texts = {
            "story": "Why does the curve look like this? Markdown is allowed.",
            "partners": "Pick the partners; describe their part above.",
        }
        widgets = {
            "story": forms.Textarea(attrs={"rows": 4}),
            "factors": forms.Textarea(attrs={"rows": 3}),
            "partners_text": forms.Textarea(attrs={"rows": 2}),
            "partners": forms.SelectMultiple(attrs={"size": 5}),
            "what_works": forms.Textarea(attrs={"rows": 3}),
            "action_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Partner.objects.filter(initiative=initiative)
        self.fields["partners"].required = False

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["partners"] = list(data.get("partners") or [])
        return data


class ImportForm(ServiceErrorsMixin, forms.Form):
    LAYOUTS = [
        ("auto", "Find out from the columns"),
        ("long", "Long — one row per value"),
        ("wide", "Wide — one column per period"),
    ]
    file = forms.FileField(
        label="Spreadsheet",
        help_text="A .csv or .xlsx file; the first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    layout = forms.ChoiceField(
        choices=LAYOUTS,
        initial="auto",
        widget=forms.RadioSelect,
        help_text="How the values are laid out. Columns named like periods (2026-01, 2026-Q1, a "
        "date) mean the wide layout.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        return upload


class ReviewForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say what to correct when you return a value.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what to correct, so the partner can fix it.")
        return data
