"""Forms of the core. They only parse input; services validate the rules and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator

from . import limits
from .choices import Level, Role, Stage, Visibility
from .models import Initiative, Partner
from .services import TOKEN_LIFETIMES

User = get_user_model()


def limit_length(field, limit: int) -> None:
    """Give a form field (e.g. a model TextField's) a maximum length, checked and shown."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


class ServiceErrorsMixin:
    """Bootstrap classes on widgets, and an ApplicationError's messages next to the fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_service_errors(self, error) -> None:
        placed = False
        for field, messages in (error.errors or {}).items():
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                    placed = True
        if not placed:
            self.add_error(None, error.message)


class InitiativeForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Short name for the address",
        help_text="Used in links, e.g. /i/youth-housing/. Leave empty to derive it from the name.",
    )
    purpose = forms.CharField(
        max_length=limits.SHORT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The shared result everyone works toward, in one or two sentences.",
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)
    stage = forms.ChoiceField(
        choices=Stage.choices,
        initial=Stage.EARLY,
        help_text="Where the initiative is in its life.",
    )


class InitiativeSettingsForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=200)
    purpose = forms.CharField(
        max_length=limits.SHORT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(choices=Visibility.choices)
    stage = forms.ChoiceField(choices=Stage.choices)
    review_observations = forms.BooleanField(
        required=False,
        label="Review submitted data before it counts",
        help_text=Initiative._meta.get_field("review_observations").help_text,
    )


class PartnerForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "description",
            "strengths",
            "contact_name",
            "contact_email",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Partner.objects.filter(initiative=initiative)
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = "— none (top level) —"
        for name in ("description", "strengths"):
            limit_length(self.fields[name], limits.MEDIUM)

    def _post_clean(self):
        # Validation of the model belongs to the service, not to the ModelForm.
        pass


class MembershipForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(
        choices=Role.choices,
        help_text="Backbone coordinates everything; partner leads and contributors act for "
        "their partner; viewers read.",
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="— no partner —",
        help_text="The team or organisation this person acts for.",
    )

    # Granting backbone asks once: the form comes back with a warning and a box to tick
    # (`confirm_backbone=yes`), so it works without JavaScript.
    CONFIRM_BACKBONE = "confirm_backbone"

    def __init__(
        self, *args, initiative: Initiative, person: str = "", current_role: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        self.fields["partner"].queryset = Partner.objects.filter(initiative=initiative)
        self.person = person  # whom the role is for, as the warning names them
        self.current_role = current_role
        self.needs_backbone_confirmation = False

    def clean(self):
        data = super().clean()
        granting = data.get("role") == Role.BACKBONE and self.current_role != Role.BACKBONE
        self.needs_backbone_confirmation = (
            granting and self.data.get(self.CONFIRM_BACKBONE) != "yes"
        )
        return data

    def is_ready(self) -> bool:
        """Valid, and confirmed where it grants backbone: the view may call the service."""
        return self.is_valid() and not self.needs_backbone_confirmation

    def backbone_subject(self) -> str:
        return self.person or "this person"


class InvitationForm(MembershipForm):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="One or more addresses, one per line or separated by commas. Each person gets "
        "their own link, with the role and partner below.",
    )
    message = forms.CharField(
        max_length=limits.SHORT,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Optional: a personal note that goes with the invitation.",
    )
    field_order = ["emails", "role", "partner", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The least surprising role for someone new; Backbone must be chosen (and confirmed).
        self.fields["role"].initial = self.initial.get("role", Role.CONTRIBUTOR)

    def backbone_subject(self) -> str:
        emails = self.cleaned_data.get("emails") or []
        if not emails:
            return "these people"
        if len(emails) > 3:
            return f"{', '.join(emails[:2])} and {len(emails) - 2} others"
        return " and ".join([", ".join(emails[:-1]), emails[-1]] if len(emails) > 1 else emails)

    def clean_emails(self) -> list[str]:
        import re

        raw = [e.strip() for e in re.split(r"[,;\s]+", self.cleaned_data["emails"]) if e.strip()]
        if len(raw) > 100:
            raise forms.ValidationError("Invite at most 100 people at once.")
        return list(dict.fromkeys(e.lower() for e in raw))


class SignUpForm(ServiceErrorsMixin, forms.Form):
    username = forms.CharField(max_length=150, help_text="What you type to sign in.")
    display_name = forms.CharField(
        max_length=150, required=False, help_text="How others see you, e.g. 'Amara Okafor'."
    )
    function = forms.CharField(
        max_length=150,
        required=False,
        label="Function or department",
        help_text=User._meta.get_field("function").help_text,
    )
    level = forms.ChoiceField(
        choices=[("", "— choose —"), *Level.choices],
        required=False,
        help_text=User._meta.get_field("level").help_text,
    )
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)
    password_again = forms.CharField(
        widget=forms.PasswordInput(render_value=False), strip=False, label="Password (again)"
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class ProfileForm(ServiceErrorsMixin, forms.Form):
    display_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField()
    function = forms.CharField(
        max_length=150,
        required=False,
        label="Function or department",
        help_text=User._meta.get_field("function").help_text,
    )
    level = forms.ChoiceField(
        choices=[("", "— choose —"), *Level.choices],
        required=False,
        help_text=User._meta.get_field("level").help_text,
    )


class AuditFilterForm(ServiceErrorsMixin, forms.Form):
    actor = forms.ChoiceField(required=False, label="Person")
    kind = forms.ChoiceField(required=False, label="Kind of object")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, people, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone"), *people]
        self.fields["kind"].choices = [("", "Any kind"), *[(k, k.title()) for k in kinds]]


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What uses it, so you recognise it later, e.g. 'Nightly import'.",
    )
    days = forms.TypedChoiceField(
        label="Works for",
        choices=[(str(d), label) for d, label in TOKEN_LIFETIMES.items()],
        coerce=int,
        initial="90",
        help_text="It stops working after this; create a new one then.",
    )
