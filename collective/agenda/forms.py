"""Forms of the common agenda. They parse input; the services validate the rules and write."""

from __future__ import annotations

from django import forms

from collective.core.forms import ServiceErrorsMixin
from collective.core.models import Partner

from .choices import TEXT_SECTIONS, Horizon, ItemKind, Section, Stance
from .models import AgendaVersion, OutcomeNode

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…)."


class RevisionMixin(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class NewDraftForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Optional: a name for this version, e.g. “After the spring listening tour”.",
    )


class VersionTextForm(ServiceErrorsMixin, RevisionMixin):
    title = forms.CharField(max_length=200, required=False)
    problem_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="The problem everyone agrees to tackle, and why it matters. " + MARKDOWN_HELP,
    )
    vision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What success looks like when the initiative has done its work.",
    )
    principles = forms.CharField(
        label="Guiding principles",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="How partners promise to work together. " + MARKDOWN_HELP,
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=AgendaVersion._meta.get_field("rationale").help_text,
    )
    learning = forms.CharField(
        label="Learning or feedback behind it",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=AgendaVersion._meta.get_field("learning").help_text
        + " This is the record of emergent strategy.",
    )


class OutcomeForm(ServiceErrorsMixin, RevisionMixin):
    statement = forms.CharField(
        max_length=300,
        help_text="One sentence saying the change you want to see, e.g. “Hand-offs between "
        "teams take less than a day”.",
    )
    parent = forms.ModelChoiceField(
        queryset=OutcomeNode.objects.none(),
        required=False,
        empty_label="— none: this is a goal —",
        label="Sits under",
        help_text="A goal is the top of the tree; outcomes sit under a goal and sub-outcomes "
        "under an outcome.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=MARKDOWN_HELP
    )
    horizon = forms.ChoiceField(
        choices=Horizon.choices,
        initial=Horizon.MEDIUM,
        help_text="When you expect to see this change.",
    )
    lead_partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="— no lead yet —",
        help_text="The partner who keeps this outcome moving.",
    )
    co_partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        label="Co-owning partners",
        widget=forms.CheckboxSelectMultiple,
        help_text="Partners who contribute to it: contribution, not attribution.",
    )

    def __init__(self, *args, version: AgendaVersion, node: OutcomeNode | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Partner.objects.filter(initiative=version.initiative).order_by("name")
        self.fields["lead_partner"].queryset = partners
        self.fields["co_partners"].queryset = partners
        self.fields["co_partners"].widget.attrs["class"] = "choice-list"
        parents = OutcomeNode.objects.filter(version=version).exclude(kind="sub_outcome")
        if node is not None:
            # Moving is its own form; when editing the parent stays where it is.
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents.order_by("order")
            self.fields["parent"].label_from_instance = lambda n: (
                f"{n.get_kind_display()}: {n.statement}"
            )


class MoveForm(ServiceErrorsMixin, RevisionMixin):
    parent = forms.ModelChoiceField(
        queryset=OutcomeNode.objects.none(),
        required=False,
        empty_label="— top of the tree (a goal) —",
        label="Move under",
    )

    def __init__(self, *args, node: OutcomeNode, **kwargs):
        super().__init__(*args, **kwargs)
        # Not under itself or its own branch (the service refuses that too).
        branch = {node.pk}
        children = list(OutcomeNode.objects.filter(parent=node).values_list("pk", flat=True))
        while children:
            branch.update(children)
            children = list(
                OutcomeNode.objects.filter(parent__in=children).values_list("pk", flat=True)
            )
        self.fields["parent"].queryset = (
            OutcomeNode.objects.filter(version=node.version)
            .exclude(kind="sub_outcome")
            .exclude(pk__in=branch)
            .order_by("order")
        )
        self.fields["parent"].label_from_instance = lambda n: (
            f"{n.get_kind_display()}: {n.statement}"
        )


class ItemForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=ItemKind.choices,
        widget=forms.RadioSelect,
        initial=ItemKind.COMMENT,
        label="What do you want to do?",
        help_text="An amendment proposes better wording; a concern flags a risk or a doubt; "
        "support says this part works for you.",
    )
    target = forms.ChoiceField(label="About")
    proposed_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Your proposed text (amendments)",
        help_text="Start from the current text and change it: everyone sees your change as a "
        "difference against it.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Your comment",
        help_text="Optional for support and amendments: say why.",
    )

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["kind"].widget.attrs["class"] = "choice-list"

    def target_parts(self, outcomes_by_uid: dict):
        """(section, outcome) for the chosen target."""
        target = self.cleaned_data["target"]
        if target.startswith("outcome:"):
            return Section.OUTCOME, outcomes_by_uid.get(target.split(":", 1)[1])
        return target, None


def target_choices(nodes) -> list[tuple[str, str]]:
    choices = [(s.value, s.label) for s in TEXT_SECTIONS]
    for node in nodes:
        indent = "\u2003" * node.depth
        choices.append((f"outcome:{node.outcome.uid}", f"{indent}{node.statement}"))
    return choices


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Your reply")
    parent = forms.UUIDField(widget=forms.HiddenInput)


class DecideForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept — apply the text to the draft"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The author and everyone else read it in the consultation summary.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "choice-list"


class AdoptForm(ServiceErrorsMixin, forms.Form):
    rationale = VersionTextForm.base_fields["rationale"]
    learning = VersionTextForm.base_fields["learning"]


class EndorseForm(ServiceErrorsMixin, forms.Form):
    stance = forms.ChoiceField(
        choices=Stance.choices,
        widget=forms.RadioSelect,
        initial=Stance.ENDORSED,
        label="Your partner's position",
    )
    reservations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What would need to change for a full endorsement? Required with reservations.",
    )
    reason = forms.CharField(
        label="Why not",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why your partner does not endorse this version, so the backbone can work on "
        "it. Required when you do not endorse.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stance"].widget.attrs["class"] = "choice-list"


class NudgeForm(forms.Form):
    partner = forms.UUIDField(required=False)
    level = forms.CharField(required=False, max_length=20)
