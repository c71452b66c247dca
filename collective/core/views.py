"""Pages of the core: home, initiatives, partners, members, invitations, audit log, profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors, services
from .choices import ROLE_HELP, Role
from .conditions import partner_links
from .errors import ApplicationError
from .forms import (
    ApiTokenForm,
    AuditFilterForm,
    InitiativeForm,
    InitiativeSettingsForm,
    InvitationForm,
    MembershipForm,
    PartnerForm,
    ProfileForm,
    SignUpForm,
)
from .http import check_perm, initiative_view, is_uuid, paginate, render_page
from .models import ApiToken, AuditEvent
from .overview import initiative_overview

User = get_user_model()


def home(request):
    if not request.user.is_authenticated:
        discoverable = selectors.initiative_discoverable_for(request.user)
        return render(request, "core/home.html", {"discoverable": discoverable})
    mine = list(
        selectors.initiative_list_for(request.user).prefetch_related("memberships").distinct()
    )
    roles = {m.initiative_id: m for m in request.user.memberships.select_related("partner").all()}
    for initiative in mine:
        initiative.my_membership = roles.get(initiative.pk)
    return render(
        request,
        "core/home.html",
        {"mine": mine, "discoverable": selectors.initiative_discoverable_for(request.user)},
    )


@login_required
def initiative_create(request):
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{initiative.name} is ready. You are its backbone: add partners next.",
            )
            return redirect(initiative)
    return render(request, "core/initiative_form.html", {"form": form})


@initiative_view("core.read_public")
def initiative_overview_view(request):
    return render(
        request,
        "core/initiative_overview.html",
        {"overview": initiative_overview(request.initiative, request.user)},
    )


@initiative_view("core.change_initiative")
def initiative_settings(request):
    initiative = request.initiative
    form = InitiativeSettingsForm(
        request.POST or None,
        initial={
            "name": initiative.name,
            "purpose": initiative.purpose,
            "visibility": initiative.visibility,
            "stage": initiative.stage,
            "review_observations": initiative.review_observations,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("core:initiative-settings", slug=initiative.slug)
    return render(request, "core/initiative_settings.html", {"form": form})


# --- Partners --------------------------------------------------------------------------------


@initiative_view()
def partner_list(request):
    partners = selectors.partner_tree(request.initiative)
    return render(
        request,
        "core/partner_list.html",
        {
            "partners": partners,
            "can_add": request.user.has_perm("core.add_partner", request.initiative),
        },
    )


@initiative_view("core.add_partner")
def partner_create(request):
    form = PartnerForm(request.POST or None, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(
                actor=request.user, initiative=request.initiative, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Partner '{partner}' added.")
            if "add_another" in request.POST:
                return redirect("core:partner-create", slug=request.initiative.slug)
            return redirect("core:partner-list", slug=request.initiative.slug)
    return render(request, "core/partner_form.html", {"form": form, "partner": None})


@initiative_view()
def partner_detail(request, uid):
    partner = selectors.partner_get(request.initiative, uid)
    members = selectors.membership_list(request.initiative).filter(partner=partner)
    return render(
        request,
        "core/partner_detail.html",
        {
            "partner": partner,
            "members": members,
            "children": partner.children.select_related("initiative"),
            "condition_links": partner_links(partner, request.user),
            "can_change": request.user.has_perm("core.change_partner", partner),
            "can_delete": request.user.has_perm("core.delete_partner", partner),
        },
    )


@initiative_view()
def partner_edit(request, uid):
    partner = selectors.partner_get(request.initiative, uid)
    check_perm(request, "core.change_partner", partner)
    form = PartnerForm(request.POST or None, instance=partner, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not request.user.has_perm("core.add_partner", request.initiative):
            fields.pop("parent", None)  # only the backbone reshapes the tree
        try:
            services.partner_update(actor=request.user, partner=partner, **fields)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Partner '{partner}' saved.")
            return redirect(partner)
    if not request.user.has_perm("core.add_partner", request.initiative):
        form.fields["parent"].disabled = True
    return render(request, "core/partner_form.html", {"form": form, "partner": partner})


@initiative_view("core.delete_partner")
def partner_delete(request, uid):
    partner = selectors.partner_get(request.initiative, uid)
    if request.method == "POST":
        try:
            services.partner_delete(actor=request.user, partner=partner)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(partner)
        messages.success(request, f"Partner '{partner}' deleted.")
        return redirect("core:partner-list", slug=request.initiative.slug)
    return render(request, "core/partner_confirm_delete.html", {"partner": partner})


# --- Members ---------------------------------------------------------------------------------


@initiative_view("core.view_members")
def member_list(request):
    initiative = request.initiative
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role")
    if role not in Role.values:
        role = None  # any role
    page = paginate(request, selectors.membership_list(initiative, search=search, role=role))
    can_manage = request.user.has_perm("core.manage_members", initiative)
    context = {
        "page": page,
        "search": search,
        "role": role,
        "roles": Role.choices,
        "role_help": ROLE_HELP,
        "can_manage": can_manage,
        "invitations": selectors.invitation_list_pending(initiative) if can_manage else [],
        "invite_form": InvitationForm(initiative=initiative) if can_manage else None,
    }
    return render_page(request, "core/member_list.html", context, partial="member-table")


@initiative_view("core.manage_members")
def member_invite(request):
    initiative = request.initiative
    # Links such as "invite someone from this partner" pre-fill the form: ?partner=<uid>&role=.
    initial = {}
    partner_uid = request.GET.get("partner", "")
    if partner_uid:
        initial["partner"] = (
            selectors.partner_list(initiative).filter(uid=partner_uid).first()
            if is_uuid(partner_uid)
            else None
        )
    if request.GET.get("role") in Role.values:
        initial["role"] = request.GET["role"]
    form = InvitationForm(request.POST or None, initiative=initiative, initial=initial)
    if request.method == "POST" and form.is_ready():
        data = dict(form.cleaned_data)
        emails = data.pop("emails")
        try:
            invitations = services.invitations_create(
                actor=request.user, initiative=initiative, emails=emails, **data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            first = invitations[0]
            who = first.email if len(invitations) == 1 else f"{len(invitations)} people"
            messages.success(
                request,
                f"Invitation sent to {who}. The link expires on {first.expires_at:%d %B %Y}.",
            )
            return redirect("core:member-list", slug=initiative.slug)
    return render(request, "core/member_invite.html", {"form": form, "role_help": ROLE_HELP})


@initiative_view("core.manage_members")
def member_edit(request, pk):
    membership = selectors.membership_get(request.initiative, pk)
    form = MembershipForm(
        request.POST or None,
        initiative=request.initiative,
        initial={"role": membership.role, "partner": membership.partner},
        person=membership.user.name,
        current_role=membership.role,
    )
    if request.method == "POST" and form.is_ready():
        try:
            services.membership_update(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"{membership.user.name} is now {membership.get_role_display().lower()}."
            )
            return redirect("core:member-list", slug=request.initiative.slug)
    return render(
        request,
        "core/member_edit.html",
        {"form": form, "membership": membership, "role_help": ROLE_HELP},
    )


@initiative_view("core.manage_members")
def member_remove(request, pk):
    membership = selectors.membership_get(request.initiative, pk)
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{membership.user.name} was removed from the initiative.")
        if membership.user_id == request.user.pk and not request.user.has_perm(
            "core.view_initiative", request.initiative
        ):
            return redirect("core:home")
        return redirect("core:member-list", slug=request.initiative.slug)
    return render(request, "core/member_confirm_remove.html", {"membership": membership})


@require_POST
@initiative_view("core.manage_members")
def invitation_revoke(request, pk):
    invitation = selectors.invitation_get(request.initiative, pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("core:member-list", slug=request.initiative.slug)


def invitation_accept(request, token):
    """Accept an invitation: join with the signed-in account, or create one."""
    try:
        invitation = services.invitation_get_by_token(token)
    except ApplicationError as error:
        return render(request, "core/invitation_invalid.html", {"error": error}, status=410)
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=user)
            except ApplicationError as error:
                return render(request, "core/invitation_invalid.html", {"error": error}, status=410)
            messages.success(request, f"Welcome to {invitation.initiative.name}.")
            return redirect(invitation.initiative)
        return render(request, "core/invitation_accept.html", {"invitation": invitation})
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("password_again")
        try:
            new_user = services.invitation_accept_new_user(token=token, **data)
        except ApplicationError as error:
            if error.code in {"used", "revoked", "expired", "not_found"}:
                return render(request, "core/invitation_invalid.html", {"error": error}, status=410)
            form.add_service_errors(error)
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.initiative.name}.")
            return redirect(invitation.initiative)
    return render(
        request,
        "core/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "existing_account": User.objects.filter(email__iexact=invitation.email).exists(),
            "login_url": reverse("login") + "?next=" + request.path,
        },
    )


# --- Audit log -------------------------------------------------------------------------------


@initiative_view("core.view_audit")
def audit_log(request):
    initiative = request.initiative
    people = [
        (str(m.user_id), m.user.name)
        for m in selectors.membership_list(initiative).select_related("user")
    ]
    kinds = list(
        AuditEvent.objects.filter(initiative=initiative)
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, people=people, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_list(
        initiative,
        # The form's "Anyone" / "Any kind" choices are empty strings: no filter.
        actor_id=int(filters["actor"]) if filters.get("actor") else None,
        kind=filters.get("kind") or None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return render_page(
        request,
        "core/audit_log.html",
        {"form": form, "page": paginate(request, events)},
        partial="audit-table",
    )


# --- Profile ---------------------------------------------------------------------------------


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "email": user.email,
            "function": user.function,
            "level": user.level,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=user, user=user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("core:profile")
    return _profile_page(request, form=form)


def _profile_page(
    request, *, form=None, token_form=None, new_token=None, new_secret="", status=200
):
    user = request.user
    if form is None:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "email": user.email,
                "function": user.function,
                "level": user.level,
            }
        )
    return render(
        request,
        "core/profile.html",
        {
            "form": form,
            "memberships": user.memberships.select_related("initiative", "partner"),
            "tokens": services.api_token_list(user),
            "token_form": token_form or ApiTokenForm(),
            "new_token": new_token,
            "new_secret": new_secret,
        },
        status=status,
    )


@login_required
@require_POST
def api_token_create(request):
    """Create a named API token and show it once, in this answer only: it is never stored,
    not even in a message (messages live in a cookie or the session)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                days=int(form.cleaned_data["days"]),
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            response = _profile_page(request, new_token=token, new_secret=secret)
            response["Cache-Control"] = "no-store"
            return response
    return _profile_page(request, token_form=form, status=400)


@login_required
@require_POST
def api_token_revoke(request, uid):
    token = get_object_or_404(ApiToken, uid=uid, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token '{token.name}' was revoked: it no longer works.")
    return redirect("core:profile")


# --- Search ----------------------------------------------------------------------------------


@initiative_view()
def search(request):
    from .search import search_initiative

    query = request.GET.get("q", "").strip()
    results = search_initiative(request.initiative, request.user, query) if query else []
    return render_page(
        request, "core/search.html", {"query": query, "results": results}, partial="results"
    )


def permission_denied_view(request, exception=None):
    return render(request, "403.html", status=403)


__all__ = ["PermissionDenied"]
